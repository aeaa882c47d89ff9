"""Time slots a kiosk publishes: opening hours, breaks, slot length and how many applicants each slot takes.

Times are typed as Beijing wall-clock times and stored in UTC. Publishing skips non-working days (public holidays
and weekends, make-up working days included, from kiosk.deadlines.WorkCalendar) unless asked otherwise, and never
duplicates a slot that exists: publishing the same week twice is harmless, also from two kiosks at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.deadlines import BEIJING, WorkCalendar
from kiosk.models import Appointment, AppointmentSlot, AuditEvent, User
from kiosk.text import KioskError, Text

MAX_CAPACITY = 50
MAX_DAYS = 92


def _bad(zh: str, en: str) -> KioskError:
    return KioskError("opening_hours", Text(zh, en))


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """A kiosk's day: when it opens and closes, its breaks, the slot length and each slot's capacity."""

    opens: dt.time
    closes: dt.time
    slot_minutes: int = 30
    capacity: int = 1
    breaks: tuple[tuple[dt.time, dt.time], ...] = ()

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise _bad("开门时间须早于关门时间", "Opening must be before closing")
        if not 5 <= self.slot_minutes <= 240:
            raise _bad("每个时段应为5–240分钟", "A slot lasts 5 to 240 minutes")
        if not 1 <= self.capacity <= MAX_CAPACITY:
            raise _bad(f"每个时段可接待1–{MAX_CAPACITY}人", f"A slot takes 1 to {MAX_CAPACITY} applicants")
        last_end = self.opens
        for start, end in sorted(self.breaks):
            if not (self.opens <= start < end <= self.closes) or start < last_end:
                raise _bad("休息时间须在营业时间内且互不重叠", "Breaks must lie within opening hours and not overlap")
            last_end = end

    def times(self) -> list[tuple[dt.time, dt.time]]:
        """The (start, end) of each slot of a day: whole slots between opening and closing, none across a break."""
        out = []
        day = dt.date(2000, 1, 1)
        start = dt.datetime.combine(day, self.opens)
        close = dt.datetime.combine(day, self.closes)
        step = dt.timedelta(minutes=self.slot_minutes)
        while start + step <= close:
            end = start + step
            clash = next((dt.datetime.combine(day, b1) for b0, b1 in self.breaks
                          if start < dt.datetime.combine(day, b1) and dt.datetime.combine(day, b0) < end), None)
            if clash is not None:
                start = clash  # resume right after the break
                continue
            out.append((start.time(), end.time()))
            start = end
        return out


def parse_time_range(text: str) -> tuple[dt.time, dt.time]:
    """"12:00-13:30" as two times."""
    try:
        a, b = text.split("-")
        return dt.time.fromisoformat(a.strip()), dt.time.fromisoformat(b.strip())
    except ValueError:
        raise _bad(f"时间段格式应如 12:00-13:30，而不是 {text!r}", f"A time range looks like 12:00-13:30, not {text!r}") from None


@dataclass(frozen=True, slots=True)
class PublishResult:
    created: list[AppointmentSlot]
    existing: int  # slots that were already published
    closed_days: list[dt.date] = field(default_factory=list)  # non-working days skipped


def publish_slots(
    session: Session,
    *,
    kiosk_name: str,
    days: Iterable[dt.date],
    hours: OpeningHours,
    actor: User,
    calendar: WorkCalendar,
    location: str = "",
    include_closed_days: bool = False,
) -> PublishResult:
    """Publish the slots of `hours` on each of `days` at `kiosk_name`. Existing slots are left as they are."""
    days = sorted(set(days))
    if not kiosk_name.strip():
        raise KioskError("kiosk_name", Text("请填写终端名称", "Name the kiosk"))
    if len(days) > MAX_DAYS:
        raise _bad(f"一次最多发布{MAX_DAYS}天", f"At most {MAX_DAYS} days at once")
    created, existing, closed = [], 0, []
    wanted: list[AppointmentSlot] = []
    for day in days:
        if not include_closed_days and not calendar.is_workday(day):
            closed.append(day)
            continue
        for start, end in hours.times():
            wanted.append(AppointmentSlot(
                kiosk_name=kiosk_name, starts_at=dt.datetime.combine(day, start, BEIJING).astimezone(dt.UTC),
                ends_at=dt.datetime.combine(day, end, BEIJING).astimezone(dt.UTC), capacity=hours.capacity,
                location=location, published_by_id=actor.id))
    if wanted:
        have = set(session.scalars(select(AppointmentSlot.starts_at).where(
            AppointmentSlot.kiosk_name == kiosk_name, AppointmentSlot.starts_at >= wanted[0].starts_at,
            AppointmentSlot.starts_at <= wanted[-1].starts_at)))
        fresh = [slot for slot in wanted if slot.starts_at not in have]
        existing = len(wanted) - len(fresh)
        try:
            with session.begin_nested():
                session.add_all(fresh)
                session.flush()
            created = fresh
        except IntegrityError:  # another kiosk published some of them a moment ago: one by one
            for old in fresh:
                slot = AppointmentSlot(kiosk_name=old.kiosk_name, starts_at=old.starts_at, ends_at=old.ends_at,
                                       capacity=old.capacity, location=old.location, published_by_id=actor.id)
                try:
                    with session.begin_nested():
                        session.add(slot)
                        session.flush()
                except IntegrityError:
                    existing += 1
                    continue
                created.append(slot)
    if created:
        session.add(AuditEvent(actor_id=actor.id, action="slots_published", target=f"kiosk:{kiosk_name}",
                               detail={"slots": len(created), "from": days[0].isoformat(), "to": days[-1].isoformat()}))
    return PublishResult(created, existing, closed)


@dataclass(frozen=True, slots=True)
class SlotView:
    slot_id: int
    kiosk_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int
    location: str

    @property
    def free(self) -> int:
        return self.capacity - self.booked


def _view(slot: AppointmentSlot) -> SlotView:
    return SlotView(slot.id, slot.kiosk_name, slot.starts_at, slot.ends_at, slot.capacity, slot.booked, slot.location)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of a Beijing date, in UTC."""
    start = dt.datetime.combine(day, dt.time(0), BEIJING).astimezone(dt.UTC)
    return start, start + dt.timedelta(days=1)


def list_slots(
    session: Session, kiosk_name: str, first_day: dt.date, last_day: dt.date, *, now: dt.datetime | None = None,
    free_only: bool = False,
) -> list[SlotView]:
    """Open slots of a kiosk from `first_day` to `last_day` (Beijing dates); with `now`, only those not yet begun."""
    start, _ = day_bounds(first_day)
    _, end = day_bounds(last_day)
    stmt = select(AppointmentSlot).where(
        AppointmentSlot.kiosk_name == kiosk_name, AppointmentSlot.starts_at >= start, AppointmentSlot.starts_at < end,
        AppointmentSlot.closed_at.is_(None),
    )
    if now is not None:
        stmt = stmt.where(AppointmentSlot.starts_at > now)
    if free_only:
        stmt = stmt.where(AppointmentSlot.booked < AppointmentSlot.capacity)
    return [_view(s) for s in session.scalars(stmt.order_by(AppointmentSlot.starts_at))]


def close_slot(session: Session, slot_id: int, actor: User, now: dt.datetime) -> None:
    """Withdraw a slot (the kiosk is closed then). Refused while applicants are booked into it: reschedule them first."""
    slot = session.get(AppointmentSlot, slot_id)
    if slot is None or slot.closed_at is not None:
        raise KioskError("slot_not_found", Text("没有这个时段", "No such slot"), status=404)
    booked = session.scalars(select(Appointment.id).where(Appointment.slot_id == slot.id, Appointment.status == "booked")).all()
    if booked:
        raise KioskError("slot_has_bookings", Text(f"该时段还有{len(booked)}个预约，请先改约", f"{len(booked)} applicants are booked: reschedule them first"),
                         status=409)
    slot.closed_at, slot.closed_by_id = now, actor.id
    session.add(AuditEvent(actor_id=actor.id, action="slot_closed", target=f"slot:{slot.id}", detail={"kiosk": slot.kiosk_name}))
