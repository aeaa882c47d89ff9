"""Sealing throughput: N simulated kiosks (own signing key, own connection pool, one shared archive folder) seal
prepared cases at once on SQLite; checks that every case is sealed exactly once and verify_archive is clean.

`python -m tests.bench.bench_sealing_load [--kiosks N] [--cases N]`. Not built yet: the PostgreSQL variant.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_sealing_load")
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--cases", type=int, default=40)
    args = parser.parse_args([] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-seal-") as tmp:
        figures = run(Path(tmp), args.kiosks, args.cases)
    print(f"sealing_sqlite_cases_per_s: {figures['cases_per_s']:.2f}  ({args.kiosks} kiosks, {args.cases} cases)")
    print(f"sealing_lost_cases: {figures['lost']}")
    print(f"sealing_duplicated_cases: {figures['duplicated']}")
    print(f"sealing_errors: {figures['errors']}")
    print(f"sealing_verify_archive_ok: {bool(figures['verify_ok'])}")


if __name__ == "__main__":
    main(sys.argv[1:])
