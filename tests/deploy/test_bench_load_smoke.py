"""The load benchmark runs end to end with tiny durations and prints its figures (no timing assertions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    done = subprocess.run([sys.executable, "-m", "tests.bench.bench_sealing_load", "--kiosks", "2", "--cases", "4",
                           "--pg-seconds", "0"], cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sealing_sqlite_cases_per_s: " in done.stdout
    for line in ("sealing_lost_cases: 0", "sealing_duplicated_cases: 0", "sealing_errors: 0",
                 "sealing_verify_archive_ok: True"):
        assert line in done.stdout


@pytest.mark.postgres
def test_bench_sealing_load_on_postgres_loses_no_case_and_keeps_every_chain():
    """A short PostgreSQL run: kiosks seal while auditors use the portal; nothing lost, doubled or broken."""
    done = subprocess.run([sys.executable, "-m", "tests.bench.bench_sealing_load", "--kiosks", "1", "--cases", "1",
                           "--pg-kiosks", "3", "--auditors", "2", "--pg-seconds", "3"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for key in ("sealing_postgres_cases_per_s: ", "sealing_postgres_seal_p95_ms: ",
                "sealing_postgres_audit_search_p95_ms: ", "sealing_postgres_audit_case_p95_ms: "):
        assert key in done.stdout
    for line in ("sealing_postgres_lost_cases: 0", "sealing_postgres_duplicated_cases: 0", "sealing_postgres_errors: 0",
                 "sealing_postgres_every_chain_intact: True"):
        assert line in done.stdout, done.stdout
