"""`python -m kiosk demo --cases N [--seed S] [--add] [--users] [--canned-ocr]`: seed demo cases for a tour.

The cases are made through the counter's own steps (kiosk.demo) in the configured database and archive; the
command prints each case it made and, when it created the demo accounts, their passwords (shown once).
"""

from __future__ import annotations

import argparse

from kiosk.db import init_db
from kiosk.settings import load_settings
from kiosk.text import KioskError
from kiosk.words import word


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=6, help="how many cases to make (default 6)")
    parser.add_argument("--seed", type=int, default=1, help="varies names, numbers and domains (default 1)")
    parser.add_argument("--add", action="store_true", help="add more when demo cases exist (else refuse)")
    parser.add_argument("--users", action="store_true",
                        help="create the demo accounts even when users exist (they are created when there are none)")
    parser.add_argument("--canned-ocr", action="store_true",
                        help="read the specimens' own text instead of running the OCR models (fast, for tests)")


def run(args: argparse.Namespace) -> int:
    from kiosk.archive import open_archive
    from kiosk.demo import DemoCase, default_tools, seed_demo

    settings = load_settings()
    db = init_db(settings.database_url)

    def show(made: DemoCase) -> None:
        state = word("state", made.state)
        sealed = "已封存 sealed" if made.sealed else "未封存 not sealed"
        record = f"  {made.record_number}" if made.record_number else ""
        print(f"{made.number}  {made.subject_name}  {state.zh} / {state.en}  {made.kiosk_name}  "
              f"{made.documents} 份材料 documents ({made.overrides} 人工放行 accepted by hand)  {sealed}{record}",
              flush=True)

    try:
        tools = default_tools(settings, canned_ocr=args.canned_ocr)
        report = seed_demo(db, open_archive(settings), tools, args.cases, seed=args.seed, add=args.add,
                           create_users=args.users, zone=settings.zone, progress=show)
    except KioskError as err:
        print(err.text.both())
        return 1
    finally:
        db.dispose()
    print(f"演示案件 {len(report.cases)} 个已创建 / {len(report.cases)} demo cases made")
    if report.users:
        print("演示账户（密码只显示这一次）/ demo accounts (passwords shown only now):")
        for name, role, password in report.users:
            print(f"  {name}  {word('role', role).zh} / {word('role', role).en}  {password}")
    return 0
