"""`python -m kiosk deadlines [--overdue]`: open cases with their working-day due dates, overdue first, and until
when the holiday calendar is known."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--overdue", action="store_true", help="only overdue cases")


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from kiosk.commands.counter_common import counter_context, local, now
    from kiosk.deadlines import DEADLINE_RULES, LIBRARY_VERSION, deadlines_for
    from kiosk.models import Case

    with counter_context() as ctx, ctx.db.session() as s:
        at = now()
        print(f"holidays known until {ctx.calendar.known_until} (chinesecalendar {LIBRARY_VERSION}) / 节假日数据截至 "
              f"{ctx.calendar.known_until}")
        rows = s.scalars(select(Case).where(Case.state.in_([st.value for st in DEADLINE_RULES]))).all()
        statuses = deadlines_for(s, rows, at, ctx.calendar)
        by_id = {c.id: c for c in rows}
        for st in sorted(statuses.values(), key=lambda x: (not x.overdue, x.deadline.due_at)):
            if args.overdue and not st.overdue:
                continue
            d = st.deadline
            flag = "OVERDUE 已超期" if st.overdue else f"{st.working_days_left} working days left"
            mark = " (provisional 推算)" if d.provisional else ""
            print(f"{by_id[st.case_id].number}  {d.name.zh:<12} due {local(d.due_at)}{mark}  {flag}")
    return 0
