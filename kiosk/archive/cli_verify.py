"""`python -m kiosk verify-archive`: re-hash every blob, check every signature and the chain; exit 1 on any problem."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from kiosk.archive import open_archive
from kiosk.archive.verify import archive_summary, verify_archive


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", type=Path, help="archive folder (default: KIOSK_ARCHIVE_DIR)")
    parser.add_argument("--database", help="database URL (default: KIOSK_DATABASE_URL)")
    parser.add_argument("--no-database", action="store_true", help="check the folder alone (no Seal rows, no access log)")
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")


def run(args: argparse.Namespace) -> int:
    from kiosk.settings import load_settings

    settings = load_settings()
    if args.archive:
        settings = dataclasses.replace(settings, archive_dir=args.archive)
    store = open_archive(settings, read_only=True).store  # never creates a key: a new one could not read old scans
    if args.no_database:
        report = verify_archive(store, None)
    else:
        from kiosk.db import init_db

        db = init_db(args.database or settings.database_url)  # a fresh clone has no schema yet
        try:
            with db.session() as session:
                report = verify_archive(store, session)
        finally:
            db.dispose()
    if args.json:
        print(json.dumps(
            {"ok": report.ok, "manifests": report.manifests, "blobs": report.blobs,
             "problems": [{"code": p.code, "subject": p.subject, "message": p.message.as_dict()} for p in report.problems]},
            ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            print(p.line())
        verdict = "OK" if report.ok else "FAILED"
        print(f"{verdict}: {store.root}: {archive_summary(report)}")
    return 0 if report.ok else 1
