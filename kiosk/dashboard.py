"""The counter's dashboard figures in one call: cases by state, overdue deadlines, today's appointments, photos
retaken and the average time at the counter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kiosk.appointments.booking import AppointmentStatus
from kiosk.appointments.slots import day_bounds
from kiosk.deadlines import DEADLINE_RULES, DeadlineKind, WorkCalendar, beijing_date, deadlines_for
from kiosk.filing import FILING_RULES
from kiosk.models import Appointment, AppointmentSlot, Case, CaseEvent, PhotoAttempt
from kiosk.workflow import State


@dataclass(frozen=True, slots=True)
class Dashboard:
    at: dt.datetime
    by_state: dict[State, int]  # every state, zeros included
    overdue: int
    overdue_by_kind: dict[DeadlineKind, int]
    provisional: int  # deadlines counted across a year of unknown holidays
    appointments_today: dict[AppointmentStatus, int]  # booked, arrived, no-show
    photos_taken: int  # over the period
    photos_retaken: int  # photos beyond each case's first, over the period
    average_counter_minutes: float | None  # from starting the on-site verification to finishing it
    counter_visits: int  # finished on-site verifications over the period
    period_days: int
    calendar_known_until: dt.date

    @property
    def appointments_total(self) -> int:
        return sum(self.appointments_today.values())


def dashboard(
    session: Session, *, now: dt.datetime, calendar: WorkCalendar, kiosk_name: str | None = None, period_days: int = 30,
) -> Dashboard:
    """The figures at `now`, for one kiosk or (kiosk_name None) all; time-based figures over `period_days`."""
    since = now - dt.timedelta(days=period_days)
    scope = [Case.kiosk_name == kiosk_name] if kiosk_name else []

    counts = dict(session.execute(select(Case.state, func.count()).where(*scope).group_by(Case.state)).all())
    by_state = {state: int(counts.get(state.value, 0)) for state in State}

    ps_types = [t.value for t, r in FILING_RULES.items() if r.public_security_filing]
    waiting = [s.value for s in DEADLINE_RULES if s is not State.APPROVED]
    due_cases = session.scalars(select(Case).where(*scope).where(or_(
        Case.state.in_(waiting),
        (Case.state == State.APPROVED.value) & Case.public_security_filed_at.is_(None) & Case.filing_type.in_(ps_types),
    ))).all()
    statuses = deadlines_for(session, due_cases, now, calendar).values()
    overdue_by_kind = {kind: 0 for kind in DeadlineKind}
    for status in statuses:
        if status.overdue:
            overdue_by_kind[status.deadline.kind] += 1

    start, end = day_bounds(beijing_date(now))
    slot_scope = [AppointmentSlot.kiosk_name == kiosk_name] if kiosk_name else []
    appt_counts = dict(session.execute(
        select(Appointment.status, func.count()).join(AppointmentSlot)
        .where(AppointmentSlot.starts_at >= start, AppointmentSlot.starts_at < end, *slot_scope)
        .group_by(Appointment.status)
    ).all())
    day_statuses = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW)
    appointments = {s: int(appt_counts.get(s.value, 0)) for s in day_statuses}

    photo_scope = [PhotoAttempt.kiosk_name == kiosk_name] if kiosk_name else []
    taken, photo_cases = session.execute(
        select(func.count(), func.count(func.distinct(PhotoAttempt.case_id)))
        .where(PhotoAttempt.taken_at >= since, PhotoAttempt.taken_at <= now, *photo_scope)
    ).one()

    events = session.execute(
        select(CaseEvent.case_id, CaseEvent.to_state, CaseEvent.at).join(Case)
        .where(CaseEvent.to_state.in_([State.ONSITE.value, State.AWAITING_AUDIT.value]),
               CaseEvent.at >= since - dt.timedelta(days=1), CaseEvent.at <= now, *scope)
        .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)
    ).all()
    durations, started = [], {}
    for case_id, to_state, at in events:
        if to_state == State.ONSITE.value:
            started[case_id] = at
        elif case_id in started and at >= since:
            durations.append((at - started.pop(case_id)).total_seconds() / 60)

    return Dashboard(
        at=now,
        by_state=by_state,
        overdue=sum(overdue_by_kind.values()),
        overdue_by_kind=overdue_by_kind,
        provisional=sum(1 for s in statuses if s.deadline.provisional),
        appointments_today=appointments,
        photos_taken=int(taken),
        photos_retaken=int(taken) - int(photo_cases),
        average_counter_minutes=sum(durations) / len(durations) if durations else None,
        counter_visits=len(durations),
        period_days=period_days,
        calendar_known_until=calendar.known_until,
    )
