"""`python -m kiosk expire`: delete sealed evidence past retention (legal holds kept), leave signed tombstones,
report what was removed."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, help="retention period in days (default: KIOSK_RETENTION_DAYS)")
    parser.add_argument("--dry-run", action="store_true", help="only report what would be removed")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from kiosk.archive import open_archive
    from kiosk.db import init_db
    from kiosk.settings import load_settings

    settings = load_settings()
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        print("--days must be at least 1 / 保留天数至少为 1")
        return 2
    db = init_db(settings.database_url)
    try:
        report = open_archive(settings).expire(db, retention_days=days, dry_run=args.dry_run)
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    verb = "would remove" if args.dry_run else "removed"
    for e in report.expired:
        tomb = f", tombstone #{e.tombstone_sequence}" if e.tombstone_sequence else ""
        print(f"{e.number}: sealed {e.sealed_at:%Y-%m-%d}, {verb} {e.files} files ({e.bytes} bytes){tomb}")
    for number in report.held:
        print(f"{number}: past retention but on legal hold, kept / 法律保全，保留")
    if report.leftovers:
        print(f"{report.leftovers} leftover file(s) of an interrupted run removed")
    total = sum(e.files for e in report.expired)
    print(f"retention {days} days (cut-off {report.cutoff:%Y-%m-%d}): {len(report.expired)} case(s), {total} file(s) "
          f"{verb}, {len(report.held)} on legal hold")
    return 0
