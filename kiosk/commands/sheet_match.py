"""`python -m kiosk sheet-match SCAN [--case CASE]`: match scanned signed sheet pages back to their case and check
each against what was printed."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scans", nargs="+", type=Path, help="scanned pages (PNG or JPEG)")
    parser.add_argument("--case", help="the case the pages should belong to")


def run(args: argparse.Namespace) -> int:
    import cv2

    from kiosk.commands.counter_common import counter_context, fail, find_case, local
    from kiosk.sheet.service import match_scan
    from kiosk.text import KioskError

    worst = 0
    with counter_context() as ctx, ctx.db.session() as s:
        expected = None
        if args.case:
            try:
                expected = find_case(s, args.case).id
            except KioskError as err:
                return fail(err)
        for path in args.scans:
            image = cv2.imread(str(path))
            if image is None:
                print(f"{path}: not an image / 无法读取图像")
                worst = 1
                continue
            try:
                m = match_scan(s, image, provider_name=ctx.config.provider_name, expected_case_id=expected)
            except KioskError as err:
                print(f"{path}: {err.text.both()}")
                worst = 1
                continue
            state = "current / 有效" if m.current else "; ".join(p.both() for p in m.problems)
            print(f"{path}: case {m.case_number}, sheet {m.sheet_id} page {m.page}/{m.pages}, printed {local(m.printed_at)}: {state}")
            worst = worst or (0 if m.current else 1)
    return worst
