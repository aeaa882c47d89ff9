"""`python -m kiosk arrivals [--kiosk K] [--day D]`: the day's and the next opening day's arrivals with what each
must bring."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kiosk", help="kiosk name (default: KIOSK_NAME)")
    parser.add_argument("--day", default="today", help="YYYY-MM-DD, today (default) or tomorrow")


def run(args: argparse.Namespace) -> int:
    from kiosk.appointments.dayview import upcoming
    from kiosk.commands.counter_common import counter_context, fail, local, parse_day
    from kiosk.text import KioskError

    try:
        with counter_context() as ctx, ctx.db.session() as s:
            kiosk = args.kiosk or ctx.settings.kiosk_name
            for plan in upcoming(s, kiosk, parse_day(args.day)):
                print(f"== {plan.day.isoformat()} {kiosk}: {len(plan.arrivals)} / 预约 {len(plan.arrivals)} 人")
                for a in plan.arrivals:
                    print(f"{local(a.starts_at)[-5:]}  {a.case_number}  {a.subject_name}  {a.filing_type.zh}  [{a.status_name.zh}]")
                    for item in a.bring:
                        note = f"（{item.note.zh}）" if item.note else ""
                        print(f"        - {item.name.zh}{note}")
    except KioskError as err:
        return fail(err)
    return 0
