"""`python -m kiosk sheet CASE --out sheet.pdf --by USER`: print a case's verification sheet (the printing is
recorded: its QR codes match the scanned signed sheet back to the case)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="case number, e.g. BK-20261202-0001")
    parser.add_argument("--out", type=Path, required=True, help="where to write the PDF")
    parser.add_argument("--by", required=True, help="user name of the staff member printing")


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.counter_common import counter_context, fail, find_case, find_user, now
    from kiosk.sheet.service import print_sheet
    from kiosk.text import KioskError

    try:
        with counter_context() as ctx, ctx.db.session() as s:
            sheet = print_sheet(s, find_case(s, args.case), find_user(s, args.by), provider_name=ctx.config.provider_name,
                                now=now())
            tmp = args.out.with_name(args.out.name + ".part")
            tmp.write_bytes(sheet.pdf)
            tmp.replace(args.out)
            print(f"{args.out}: sheet {sheet.sheet_id}, {sheet.pages} page(s)")
    except KioskError as err:
        return fail(err)
    return 0
