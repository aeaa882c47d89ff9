"""`python -m kiosk backup DEST`: one tar file with the database, the evidence archive and the keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", type=Path, help="the backup file to write (replaced atomically)")


def run(args: argparse.Namespace) -> int:
    from kiosk.backup.archive_file import BackupError, write_backup
    from kiosk.settings import load_settings

    try:
        manifest = write_backup(load_settings(), args.dest)
    except BackupError as exc:
        print(f"备份失败 / backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {args.dest}: {len(manifest['files'])} files, database {manifest['database']}")
    return 0
