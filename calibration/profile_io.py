"""The database side of `python -m kiosk calibrate`: save a measured profile as the kiosk's next version, export a
version to JSON, import one (kiosk.profiles does the work)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk import profiles
from kiosk.db import init_db
from kiosk.files import atomic_write
from kiosk.settings import load_settings
from kiosk.text import KioskError, Text


def _kiosk_and_db(kiosk: str | None) -> tuple[str, Any]:
    settings = load_settings()
    return kiosk or settings.kiosk_name, init_db(settings.database_url)


def save_version(kiosk: str | None, profile: dict[str, Any], *, source: str, note: str = "") -> int:
    name, database = _kiosk_and_db(kiosk)
    try:
        with database.session() as db:
            version = profiles.new_version(db, name, profile, source=source, note=note).version
            return version
    finally:
        database.dispose()


def run_export(args: argparse.Namespace) -> int:
    if not args.out:
        print("error: --out FILE.json is required")
        return 2
    name, database = _kiosk_and_db(args.kiosk)
    try:
        with database.session() as db:
            profile = profiles.get_version(db, name, args.version) if args.version else profiles.current(db, name)
            if profile is None:
                print(f"error: {profiles.NOT_CALIBRATED.both()}: {name}")
                return 1
            data = profiles.export_profile(profile)
    finally:
        database.dispose()
    atomic_write(Path(args.out), (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    print(f"{name} profile version {data['version']} exported to {args.out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    if not args.file:
        print("error: the exported profile FILE.json is required")
        return 2
    name, database = _kiosk_and_db(args.kiosk)
    try:
        try:
            exported = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise KioskError("profile_unreadable", Text(f"无法读取配置文件：{args.file}", f"Cannot read {args.file}: {exc}")) from exc
        with database.session() as db:
            version = profiles.import_profile(db, name, exported).version
    except KioskError as exc:
        print(f"error: {exc.text.both()}")
        return 2
    finally:
        database.dispose()
    print(f"{name}: imported as profile version {version}")
    return 0
