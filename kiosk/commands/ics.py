"""`python -m kiosk ics CASE --out visit.ics`: the calendar file of a case's current appointment."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", help="case number")
    parser.add_argument("--out", type=Path, required=True)


def run(args: argparse.Namespace) -> int:
    from kiosk.appointments.booking import active_appointment
    from kiosk.appointments.dayview import what_to_bring
    from kiosk.appointments.ics import appointment_ics
    from kiosk.commands.counter_common import counter_context, fail, find_case, now
    from kiosk.text import KioskError, Text

    try:
        with counter_context() as ctx, ctx.db.session() as s:
            case = find_case(s, args.case)
            appt = active_appointment(s, case.id)
            if appt is None:
                raise KioskError("no_appointment", Text("该案件没有有效预约", "This case has no booked appointment"))
            data = appointment_ics(appt, case_number=case.number, provider_name=ctx.config.provider_name,
                                   bring=[b.name.zh for b in what_to_bring(case)], now=now())
            args.out.write_bytes(data)
            print(f"{args.out}: {len(data)} bytes")
    except KioskError as err:
        return fail(err)
    return 0
