"""`python -m kiosk checkpoint`: sign the access log's current head into the archive's checkpoint now (the kiosk
also does so every KIOSK_CHECKPOINT_ENTRIES reads or KIOSK_CHECKPOINT_AGE seconds; a timer runs this between)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--if-due", action="store_true",
                        help="only when the log has moved on (KIOSK_CHECKPOINT_ENTRIES / KIOSK_CHECKPOINT_AGE)")


def run(args: argparse.Namespace) -> int:
    from kiosk.archive import open_archive
    from kiosk.db import init_db
    from kiosk.settings import load_settings

    settings = load_settings()
    db = init_db(settings.database_url)
    try:
        archive = open_archive(settings)
        with db.session() as session:
            head = archive.refresh_access_checkpoint(session, force=not args.if_due)
    finally:
        db.dispose()
    if head is None:
        print("access log unchanged or empty: no new checkpoint / 访问日志无新记录，未写检查点")
        return 0
    print(f"access log checkpoint signed at entry {head['entry_id']} ({head['entry_hash'][:16]}…) / 已签署访问日志检查点")
    return 0
