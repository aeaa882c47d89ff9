"""What the counter's case pages show beyond the case itself, each in one call: the case list with each case's
working-day deadline, and one case's deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kiosk.archive.search import SearchFilters, apply_filters
from kiosk.deadlines import DeadlineStatus, WorkCalendar, deadlines_for
from kiosk.models import Case


def case_list_with_deadlines(
    session: Session, *, filters: SearchFilters, limit: int, offset: int, now: dt.datetime, calendar: WorkCalendar,
) -> tuple[list[Case], int, dict[int, DeadlineStatus]]:
    """A page of the staff case list (newest first, narrowed by `filters`: case number, subject name, ID or
    credit-code number, domain, province, state, staff member, dates), the total, and each waiting case's deadline."""
    rows = list(session.scalars(
        apply_filters(select(Case).options(selectinload(Case.websites)), filters).order_by(Case.created_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    ))
    total = session.scalar(select(func.count()).select_from(apply_filters(select(Case.id), filters, counting=True).subquery()))
    return rows, total or 0, deadlines_for(session, rows, now, calendar)


def case_deadline_status(session: Session, case: Case, now: dt.datetime, calendar: WorkCalendar) -> DeadlineStatus | None:
    """The case's current working-day deadline (including the 公安 30-day step after approval), if it has one."""
    return deadlines_for(session, [case], now, calendar).get(case.id)
