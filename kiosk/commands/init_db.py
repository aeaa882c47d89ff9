"""`python -m kiosk init-db`: create or upgrade the database schema."""

import argparse

from kiosk.db import head_revision, init_db
from kiosk.settings import load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="default: KIOSK_DATABASE_URL or the SQLite file under var/")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    init_db(args.database_url or settings.database_url).dispose()
    print(f"database schema at revision {head_revision()}")
    return 0
