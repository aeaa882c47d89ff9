"""A case booked into a slot, rescheduled, cancelled, arrived or missed: each recorded with who and when.

No double booking, whatever runs at once: a seat is taken by one conditional UPDATE (`booked < capacity`) that the
database serialises per slot, a case holds one booking through the unique `appointments.active_case_id`, and the
table's CHECK refuses an overbooked slot. On SQLite the UPDATE is a transaction's first write, so writers queue on
the busy timeout; on PostgreSQL the row lock makes the second booker re-check the capacity.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk import validators
from kiosk.models import Appointment, AppointmentSlot, Case, User
from kiosk.notices.outbox import enqueue_for_appointment
from kiosk.text import KioskError, Text
from kiosk.workflow import State


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


STATUS_NAMES: dict[AppointmentStatus, Text] = {
    AppointmentStatus.BOOKED: Text("已预约", "Booked"),
    AppointmentStatus.ARRIVED: Text("已到场", "Arrived"),
    AppointmentStatus.NO_SHOW: Text("未到场", "No-show"),
    AppointmentStatus.RESCHEDULED: Text("已改约", "Rescheduled"),
    AppointmentStatus.CANCELLED: Text("已取消", "Cancelled"),
}
# Cases that still need their on-site visit (a return needs another one).
BOOKABLE_STATES = frozenset({State.DRAFT, State.RETURNED_FOR_CORRECTION, State.RETURNED_BY_ADMINISTRATION})


def _err(code: str, zh: str, en: str, status: int = 409) -> KioskError:
    return KioskError(code, Text(zh, en), status=status)


def active_appointment(session: Session, case_id: int) -> Appointment | None:
    return session.scalars(select(Appointment).where(Appointment.active_case_id == case_id)).one_or_none()


def _take_seat(session: Session, slot_id: int, now: dt.datetime) -> AppointmentSlot:
    """Take one seat of the slot or raise. The conditional UPDATE is the only way a seat is taken, and it is the
    first statement of the caller's savepoint: on SQLite the write lock is taken before anything is read."""
    taken = cast("CursorResult[Any]", session.execute(  # an UPDATE answers a CursorResult (rowcount)
        update(AppointmentSlot)
        .where(AppointmentSlot.id == slot_id, AppointmentSlot.booked < AppointmentSlot.capacity,
               AppointmentSlot.closed_at.is_(None), AppointmentSlot.starts_at > now)
        .values(booked=AppointmentSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )).rowcount
    slot = session.get(AppointmentSlot, slot_id)
    if taken != 1:
        if slot is None or slot.closed_at is not None:
            raise _err("slot_not_found", "没有这个时段", "No such slot", 404)
        if slot.starts_at <= now:
            raise _err("slot_past", "该时段已开始或已过去", "This slot has begun or is past")
        raise _err("slot_full", "该时段已约满，请选择其他时段", "This slot is full: choose another")
    assert slot is not None
    session.refresh(slot)
    return slot


def _free_seat(session: Session, slot_id: int) -> None:
    session.execute(
        update(AppointmentSlot).where(AppointmentSlot.id == slot_id, AppointmentSlot.booked > 0)
        .values(booked=AppointmentSlot.booked - 1).execution_options(synchronize_session=False)
    )


def _already_booked(existing: Appointment | None) -> KioskError:
    when = ""
    if existing is not None:
        from kiosk.deadlines import BEIJING

        when = existing.slot.starts_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    return _err("already_booked", f"该案件已有预约{(' ' + when) if when else ''}，请改约",
                f"This case is booked already{(' for ' + when) if when else ''}: reschedule instead")


def _insert(session: Session, appointment: Appointment) -> None:
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
    except IntegrityError:  # another request booked this case a moment ago
        raise _already_booked(None) from None


def book(session: Session, case: Case, slot_id: int, actor: User, *, now: dt.datetime) -> Appointment:
    """Book `case` into slot `slot_id`. Raises KioskError (and takes no seat) when the case is not waiting for
    its visit, is booked already, or the slot is closed, past or full."""
    if case.state not in BOOKABLE_STATES:
        raise _err("case_not_bookable", "当前状态的案件无需预约当面核验", "A case in this state needs no on-site appointment")
    existing = active_appointment(session, case.id)
    if existing is not None:
        raise _already_booked(existing)
    with session.begin_nested():  # the seat and the booking stand or fall together
        slot = _take_seat(session, slot_id, now)
        appointment = Appointment(case_id=case.id, slot_id=slot.id, status=AppointmentStatus.BOOKED.value,
                                  active_case_id=case.id, ics_uid=f"{secrets.token_hex(12)}@beian-kiosk",
                                  booked_by_id=actor.id, booked_at=now)
        _insert(session, appointment)
    enqueue_for_appointment(session, case, appointment, "booked", now)
    return appointment


def _close(appointment: Appointment, status: AppointmentStatus, actor: User, now: dt.datetime, reason: str | None) -> None:
    appointment.status = status.value
    appointment.active_case_id = None
    appointment.closed_by_id, appointment.closed_at = actor.id, now
    appointment.reason = reason


def _booked(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        name = STATUS_NAMES[AppointmentStatus(appointment.status)]
        raise _err("appointment_closed", f"该预约{name.zh}，不能再更改", f"This appointment is {name.en.lower()} already")


def _reason(reason: str | None, required: bool) -> str | None:
    text = validators.check_text(reason or "", Text("原因", "the reason"), required=required, max_length=500)
    return text or None


def reschedule(session: Session, appointment: Appointment, slot_id: int, actor: User, *, now: dt.datetime,
               reason: str | None = None) -> Appointment:
    """Move a booking to another slot: the old one is kept as `rescheduled` (who, when, why), the new one carries
    the same calendar UID with a higher sequence so the applicant's calendar moves the event."""
    _booked(appointment)
    if slot_id == appointment.slot_id:
        raise _err("same_slot", "新时段与原时段相同", "The new slot is the one booked")
    text = _reason(reason, required=False)
    with session.begin_nested():
        slot = _take_seat(session, slot_id, now)
        _free_seat(session, appointment.slot_id)
        _close(appointment, AppointmentStatus.RESCHEDULED, actor, now, text)
        session.flush()  # the case's unique booking is free before the new one takes it
        new = Appointment(case_id=appointment.case_id, slot_id=slot.id, status=AppointmentStatus.BOOKED.value,
                          active_case_id=appointment.case_id, ics_uid=appointment.ics_uid,
                          ics_sequence=appointment.ics_sequence + 1, previous_id=appointment.id,
                          booked_by_id=actor.id, booked_at=now)
        _insert(session, new)
    session.refresh(appointment.slot)
    enqueue_for_appointment(session, new.case, new, "rescheduled", now)
    return new


def cancel(session: Session, appointment: Appointment, actor: User, *, now: dt.datetime, reason: str) -> None:
    """Cancel a booking (a written reason is required); its seat is free again."""
    _booked(appointment)
    text = _reason(reason, required=True)
    _free_seat(session, appointment.slot_id)
    _close(appointment, AppointmentStatus.CANCELLED, actor, now, text)
    session.flush()
    session.refresh(appointment.slot)
    enqueue_for_appointment(session, appointment.case, appointment, "cancelled", now)


def mark_arrived(session: Session, appointment: Appointment, actor: User, *, now: dt.datetime) -> None:
    """The applicant came (staff opened their case from the day view)."""
    _booked(appointment)
    _close(appointment, AppointmentStatus.ARRIVED, actor, now, None)


def mark_no_show(session: Session, appointment: Appointment, actor: User, *, now: dt.datetime) -> None:
    """The applicant did not come. Only once the slot has begun; the case can then be booked again."""
    _booked(appointment)
    if now < appointment.slot.starts_at:
        raise _err("too_early_for_no_show", "时段尚未开始，不能记为未到场", "The slot has not begun yet")
    _close(appointment, AppointmentStatus.NO_SHOW, actor, now, None)


def history(session: Session, case_id: int) -> list[Appointment]:
    """Every appointment of a case, oldest first (reschedules, cancellations, no-shows included)."""
    return list(session.scalars(select(Appointment).where(Appointment.case_id == case_id).order_by(Appointment.id)))


ATTENDANCE_OUTCOMES = ("arrived", "no_show")


def record_attendance(session: Session, appointment_id: int, outcome: str, actor: User, *, now: dt.datetime) -> Appointment:
    """The day view's buttons: the applicant of `appointment_id` arrived or did not come."""
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise _err("unknown_appointment", "没有这个预约", "No such appointment", 404)
    if outcome == "arrived":
        mark_arrived(session, appointment, actor, now=now)
    elif outcome == "no_show":
        mark_no_show(session, appointment, actor, now=now)
    else:
        raise _err("unknown_outcome", "未知的到场结果", "Unknown attendance outcome", 400)
    session.flush()
    return appointment
