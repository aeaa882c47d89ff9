"""`python -m kiosk ics CASE --out visit.ics`: the calendar file of a case's current appointment."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="case number")
    parser.add_argument("--out", type=Path, required=True)


def run(args: argparse.Namespace) -> int:
    from kiosk.appointments.pages import case_ics
    from kiosk.commands.counter_common import counter_context, fail, find_case, now
    from kiosk.text import KioskError

    try:
        with counter_context() as ctx, ctx.db.session() as s:
            data = case_ics(s, find_case(s, args.case), provider_name=ctx.config.provider_name, now=now())
            args.out.write_bytes(data)
            print(f"{args.out}: {len(data)} bytes")
    except KioskError as err:
        return fail(err)
    return 0
