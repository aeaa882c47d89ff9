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


def test_bench_sealing_load_loses_no_case():
    done = subprocess.run([sys.executable, "-m", "tests.bench.bench_sealing_load", "--kiosks", "2", "--cases", "4"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sealing_sqlite_cases_per_s: " in done.stdout
    for line in ("sealing_lost_cases: 0", "sealing_duplicated_cases: 0", "sealing_errors: 0",
                 "sealing_verify_archive_ok: True"):
        assert line in done.stdout
