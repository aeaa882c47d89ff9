"""What the counter's case pages show beyond the case itself, each in one call: the case list with each case's
working-day deadline, and one case's deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from kiosk.cases import list_cases
from kiosk.deadlines import DeadlineStatus, WorkCalendar, deadlines_for
from kiosk.models import Case


def case_list_with_deadlines(
    session: Session, *, state: str | None, limit: int, offset: int, now: dt.datetime, calendar: WorkCalendar,
) -> tuple[list[Case], int, dict[int, DeadlineStatus]]:
    """A page of the case list, the total, and the deadline (overdue or not) of each waiting case on the page."""
    rows, total = list_cases(session, state=state, limit=limit, offset=offset)
    return rows, total, deadlines_for(session, rows, now, calendar)


def case_deadline_status(session: Session, case: Case, now: dt.datetime, calendar: WorkCalendar) -> DeadlineStatus | None:
    """The case's current working-day deadline (including the 公安 30-day step after approval), if it has one."""
    return deadlines_for(session, [case], now, calendar).get(case.id)
