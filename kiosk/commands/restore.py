"""`python -m kiosk restore SRC --to DIR`: check a backup's hashes and restore it into a kiosk var folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", type=Path, help="the backup file")
    parser.add_argument("--to", type=Path, required=True, help="folder to restore into (used as KIOSK_VAR_DIR)")
    parser.add_argument("--force", action="store_true", help="restore into a folder that is not empty")
    parser.add_argument("--database", help="PostgreSQL backups: load the dump into this empty database URL")


def run(args: argparse.Namespace) -> int:
    from kiosk.backup.archive_file import BackupError, load_dump, restore_backup

    try:
        manifest = restore_backup(args.src, args.to, force=args.force)
        if manifest["database"] == "postgresql" and args.database:
            load_dump(args.to / "dump.sql", args.database)
    except BackupError as exc:
        print(f"恢复失败 / restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"OK: {args.src} -> {args.to}: {len(manifest['files'])} files, hashes verified")
    return 0
