"""The load benchmark runs end to end with tiny durations and prints its figures (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
KEYS = ("portal_case_list_rps_max", "devserver_case_list_rps_max", "portal_vs_devserver_ratio",
        "portal_case_list_p95_ms")


def test_bench_load_prints_its_figures():
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_load", "--seconds", "1", "--open-seconds", "1", "--rate", "5",
         "--cases", "2", "--clients", "2"],
        cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for key in KEYS:
        assert f"{key}: " in done.stdout
