"""Sealing throughput: N simulated kiosks (own signing key, own connection pool, one shared archive folder) seal
prepared cases at once on SQLite; checks that every case is sealed exactly once and verify_archive is clean.

Then on PostgreSQL (a throwaway server, loopback, tests/pgserver.py): `--pg-kiosks` kiosks (default 20) each open
and seal cases for `--pg-seconds` (default 60, bounded) while `--auditors` auditors (default 5) search and open
sealed cases on a portal process (`kiosk serve --role portal`, same database and archive). Prints sealed cases
per second, p50/p95 per route (sealing, audit search, audit case page), lost/duplicated cases, errors and whether
every kiosk's chain is intact (verify-archive clean, positions 1..n per kiosk). `--pg-seconds 0` skips it.

`python -m tests.bench.bench_sealing_load [--kiosks N] [--cases N] [--pg-kiosks N] [--auditors N] [--pg-seconds S]`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kiosk.archive import sealing
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.archive.verify import verify_archive
from kiosk.db import init_db
from kiosk.models import Case, Seal, User
from tests.archive.factory import finish, make_case, make_user


def run(folder: Path, kiosks: int, cases: int) -> dict[str, float]:
    """Seal `cases` cases with `kiosks` kiosks; the figures and the lost/duplicate counts."""
    url = f"sqlite:///{folder / 'kiosk.db'}"
    key = bytes(range(32))
    first = init_db(url)
    store = BlobStore(folder / "archive", key=key)
    with first.session() as s:
        staff = make_user(s, "wang", "staff")
        staff_id = staff.id
        ids = [make_case(s, store, staff, number=f"BK-LOAD-{i:04d}", seed=i + 1, scans=1).id for i in range(cases)]
    pools = [(init_db(url), load_or_create_signer(folder / f"kiosk-{k}.pem", folder / "archive"), f"kiosk-{k}")
             for k in range(kiosks)]
    errors: list[BaseException] = []

    def kiosk(k: int) -> None:
        db, signer, name = pools[k]
        for cid in ids[k::kiosks]:
            try:
                with db.session() as s:
                    case, who = s.get(Case, cid), s.get(User, staff_id)
                    finish(s, case, who)
                    sealing.seal_case(s, store, signer, case, who, name)
            except BaseException as exc:  # counted as lost below
                errors.append(exc)

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(kiosks)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    with first.session() as s:
        sealed = s.scalars(select(Seal.case_id)).all()
        report = verify_archive(store, s)
    for db, _, _ in pools:
        db.dispose()
    first.dispose()
    return {"cases_per_s": cases / elapsed, "lost": len(set(ids) - set(sealed)),
            "duplicated": len(sealed) - len(set(sealed)), "errors": len(errors), "verify_ok": float(report.ok)}


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (nearest rank below) of `values` (0 when empty)."""
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))] if ordered else 0.0


def run_postgres(folder: Path, kiosks: int, auditors: int, seconds: float) -> dict[str, Any]:
    """`kiosks` kiosks open and seal cases on PostgreSQL for `seconds` while `auditors` auditors use the portal."""
    import os

    from kiosk import accounts
    from tests.bench.bench_load import PASSWORD, Session, free_port, serve, stop, wait_up
    from tests.pgserver import TemporaryPostgres

    key = bytes(range(32))
    (folder / "pg").mkdir()
    with TemporaryPostgres(folder / "pg") as server:
        url = server.url("kiosk_test")
        first = init_db(url)
        store = BlobStore(folder / "archive", key=key)
        with first.session() as s:
            staff_id = accounts.create_user(s, "staff", "staff", PASSWORD).id
            accounts.create_user(s, "auditor", "auditor", PASSWORD)
            for i in range(auditors):  # one account each: the login rate limit counts per account and address
                accounts.create_user(s, f"auditor{i}", "auditor", PASSWORD)
            warm = make_case(s, store, s.get(User, staff_id), number="BK-PG-WARM", seed=1, scans=1)
            finish(s, warm, s.get(User, staff_id))
            sealing.seal_case(s, store, load_or_create_signer(folder / "warm.pem", store.root), warm,
                              s.get(User, staff_id), "kiosk-warm")
        env = {**os.environ, "KIOSK_VAR_DIR": str(folder / "portal"), "KIOSK_ARCHIVE_DIR": str(store.root),
               "KIOSK_DATABASE_URL": url, "KIOSK_ARCHIVE_KEY": key.hex(), "KIOSK_SECRET_KEY": "bench-secret",
               "KIOSK_CAMERA": "none", "KIOSK_NAME": "portal"}
        port = free_port()
        portal = serve([sys.executable, "-m", "kiosk", "serve", "--role", "portal", "--port", str(port)], env)
        latencies: dict[str, list[float]] = {"seal": [], "audit_search": [], "audit_case": []}
        made: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        try:
            wait_up(port)
            sessions = [Session(port, f"auditor{i}") for i in range(auditors)]
            pools = [(init_db(url), load_or_create_signer(folder / f"kiosk-{k}.pem", store.root), f"kiosk-{k}")
                     for k in range(kiosks)]
            start = time.monotonic()
            deadline = start + seconds

            def kiosk(k: int) -> None:
                db, signer, name = pools[k]
                n = 0
                while time.monotonic() < deadline:
                    n += 1
                    try:
                        with db.session() as s:
                            cid = make_case(s, store, s.get(User, staff_id), number=f"BK-{name}-{n:05d}",
                                            seed=k * 10_000 + n, scans=1).id
                        began = time.monotonic()
                        with db.session() as s:
                            case, who = s.get(Case, cid), s.get(User, staff_id)
                            finish(s, case, who)
                            sealing.seal_case(s, store, signer, case, who, name)
                        with lock:
                            latencies["seal"].append((time.monotonic() - began) * 1000)
                            made.append(cid)
                    except BaseException as exc:  # counted below
                        errors.append(exc)

            def auditor(i: int) -> None:
                session = sessions[i]
                while time.monotonic() < deadline:
                    with lock:
                        numbers = [f"BK-kiosk-{k}-00001" for k in range(kiosks)] if made else ["BK-PG-WARM"]
                    number = numbers[int(time.monotonic() * 1000) % len(numbers)]
                    for route, path in (("audit_search", f"/audit/?number={number}"),
                                        ("audit_case", f"/audit/cases/{number}")):
                        began = time.monotonic()
                        status, _ = session.get(path)
                        with lock:
                            latencies[route].append((time.monotonic() - began) * 1000)
                        if status not in (200, 404):  # 404: that kiosk has not sealed its first case yet
                            errors.append(RuntimeError(f"{path} answered {status}"))

            threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(kiosks)]
            threads += [threading.Thread(target=auditor, args=(i,)) for i in range(auditors)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - start
        finally:
            stop(portal)
        with first.session() as s:
            sealed = [cid for cid in s.scalars(select(Seal.case_id)) if cid is not None]
            chains_ok = all(
                sorted(s.scalars(select(Seal.chain_sequence).where(Seal.kiosk_name == name)))
                == list(range(1, 1 + s.query(Seal).filter(Seal.kiosk_name == name).count()))
                for _db, _signer, name in pools)
            report = verify_archive(store, s)
        for db, _, _ in pools:
            db.dispose()
        first.dispose()
    return {"cases_per_s": len(made) / elapsed, "sealed": len(made), "latencies": latencies,
            "lost": len(set(made) - set(sealed)), "duplicated": len(sealed) - len(set(sealed)),
            "errors": len(errors), "first_error": repr(errors[0]) if errors else "",
            "chains_ok": chains_ok and report.ok, "problems": [p.line() for p in report.problems[:5]]}


def print_postgres(figures: dict[str, Any], kiosks: int, auditors: int, seconds: float) -> None:
    print(f"sealing_postgres_cases_per_s: {figures['cases_per_s']:.2f}  ({kiosks} kiosks sealing, {auditors} "
          f"auditors searching, {seconds:g} s; {figures['sealed']} cases sealed)")
    for route, values in figures["latencies"].items():
        print(f"sealing_postgres_{route}_p50_ms: {percentile(values, 0.5):.1f}")
        print(f"sealing_postgres_{route}_p95_ms: {percentile(values, 0.95):.1f}  ({len(values)} requests)")
    print(f"sealing_postgres_lost_cases: {figures['lost']}")
    print(f"sealing_postgres_duplicated_cases: {figures['duplicated']}")
    print(f"sealing_postgres_errors: {figures['errors']}  {figures['first_error']}")
    print(f"sealing_postgres_every_chain_intact: {figures['chains_ok']}  {'; '.join(figures['problems'])}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_sealing_load")
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--pg-kiosks", type=int, default=20, help="kiosks sealing on PostgreSQL")
    parser.add_argument("--auditors", type=int, default=5, help="auditors searching on the portal meanwhile")
    parser.add_argument("--pg-seconds", type=float, default=60.0, help="PostgreSQL run (0: skip it)")
    args = parser.parse_args([] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-seal-") as tmp:
        figures = run(Path(tmp), args.kiosks, args.cases)
    print(f"sealing_sqlite_cases_per_s: {figures['cases_per_s']:.2f}  ({args.kiosks} kiosks, {args.cases} cases)")
    print(f"sealing_lost_cases: {figures['lost']}")
    print(f"sealing_duplicated_cases: {figures['duplicated']}")
    print(f"sealing_errors: {figures['errors']}")
    print(f"sealing_verify_archive_ok: {bool(figures['verify_ok'])}")
    if args.pg_seconds > 0:
        # under /tmp directly: the postgres user must reach the folder (see tests/pgserver.py)
        with tempfile.TemporaryDirectory(prefix="kiosk-bench-seal-pg-", dir="/tmp") as tmp:
            os_chmod_searchable(Path(tmp))
            pg = run_postgres(Path(tmp), args.pg_kiosks, args.auditors, args.pg_seconds)
        print_postgres(pg, args.pg_kiosks, args.auditors, args.pg_seconds)


def os_chmod_searchable(folder: Path) -> None:
    """Let the postgres user (the server runs as it under root) enter the bench's folder."""
    folder.chmod(0o755)


if __name__ == "__main__":
    main(sys.argv[1:])
