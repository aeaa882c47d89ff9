"""What the counter's appointment pages do, each in one call: read the publish form, show a kiosk's slots, show a
case's booking with the free slots to choose from, book and reschedule from form values, the case's .ics file,
and a scanned signed sheet uploaded as a file matched back to its case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np
from sqlalchemy.orm import Session

from kiosk.appointments import booking
from kiosk.appointments.dayview import what_to_bring
from kiosk.appointments.ics import appointment_ics
from kiosk.appointments.slots import (
    MAX_DAYS,
    OpeningHours,
    PublishResult,
    SlotView,
    list_slots,
    parse_time_range,
    publish_slots,
)
from kiosk.deadlines import WorkCalendar, beijing_date
from kiosk.models import Appointment, AuditEvent, Case, User
from kiosk.sheet.service import SheetMatch, match_scan
from kiosk.text import KioskError, Text

SHOWN_DAYS = 30  # slots listed from today on


def _form_error(zh: str, en: str) -> KioskError:
    return KioskError("slot_form", Text(zh, en), status=400)


def _date(value: str | None, name: Text) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise _form_error(f"请填写{name.zh}（如 2026-12-07）", f"Enter {name.en} (like 2026-12-07)") from None


def _time(value: str | None, name: Text) -> dt.time:
    try:
        return dt.time.fromisoformat((value or "").strip())
    except ValueError:
        raise _form_error(f"请填写{name.zh}（如 09:00）", f"Enter {name.en} (like 09:00)") from None


def _number(value: str | None, name: Text) -> int:
    text = (value or "").strip()
    if not text.isdigit():
        raise _form_error(f"{name.zh}应为整数", f"{name.en} is a whole number")
    return int(text)


@dataclass(frozen=True, slots=True)
class PublishRequest:
    days: list[dt.date]
    hours: OpeningHours
    include_closed_days: bool


def parse_publish_form(form: Mapping[str, str], today: dt.date) -> PublishRequest:
    """The publish form (first and last date, opening and closing time, slot minutes, capacity, breaks such as
    "12:00-13:30, 17:00-17:30") as days and opening hours. Raises KioskError with a clear message; past days are
    refused."""
    first = _date(form.get("first_day"), Text("开始日期", "the first day"))
    last = _date(form.get("last_day") or form.get("first_day"), Text("结束日期", "the last day"))
    if last < first:
        raise _form_error("结束日期不能早于开始日期", "The last day is before the first")
    if first < today:
        raise _form_error("不能发布已过去的日期", "Past days cannot be published")
    if (last - first).days >= MAX_DAYS:
        raise _form_error(f"一次最多发布{MAX_DAYS}天", f"At most {MAX_DAYS} days at once")
    breaks = tuple(parse_time_range(part) for part in (form.get("breaks") or "").replace("，", ",").replace("\n", ",").split(",")
                   if part.strip())
    hours = OpeningHours(_time(form.get("opens"), Text("开始时间", "the opening time")),
                         _time(form.get("closes"), Text("结束时间", "the closing time")),
                         slot_minutes=_number(form.get("slot_minutes") or "30", Text("每个时段分钟数", "Slot minutes")),
                         capacity=_number(form.get("capacity") or "1", Text("每个时段人数", "Capacity")), breaks=breaks)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return PublishRequest(days, hours, form.get("include_closed_days") == "1")


def publish_from_form(session: Session, form: Mapping[str, str], *, kiosk_name: str, actor: User,
                      calendar: WorkCalendar, now: dt.datetime, location: str = "") -> PublishResult:
    """Publish the slots the form asks for at `kiosk_name` (see `parse_publish_form`)."""
    wanted = parse_publish_form(form, beijing_date(now))
    return publish_slots(session, kiosk_name=kiosk_name, days=wanted.days, hours=wanted.hours, actor=actor,
                         calendar=calendar, location=(form.get("location") or location).strip()[:200],
                         include_closed_days=wanted.include_closed_days)


def upcoming_slots(session: Session, kiosk_name: str, now: dt.datetime, *, free_only: bool = False) -> list[SlotView]:
    """The kiosk's open slots not yet begun, from today to `SHOWN_DAYS` days on."""
    today = beijing_date(now)
    return list_slots(session, kiosk_name, today, today + dt.timedelta(days=SHOWN_DAYS), now=now, free_only=free_only)


@dataclass(frozen=True, slots=True)
class CaseAppointment:
    """A case's booking on its page: the current appointment, every earlier one, and the free slots to choose."""

    current: Appointment | None
    history: list[Appointment]
    free_slots: list[SlotView]
    bookable: bool


def case_appointment(session: Session, case: Case, kiosk_name: str, now: dt.datetime) -> CaseAppointment:
    current = booking.active_appointment(session, case.id)
    bookable = case.state in booking.BOOKABLE_STATES
    free = upcoming_slots(session, kiosk_name, now, free_only=True) if bookable else []
    if current is not None:
        free = [slot for slot in free if slot.slot_id != current.slot_id]
    return CaseAppointment(current, booking.history(session, case.id), free, bookable)


def _slot_id(value: str | None) -> int:
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 18:
        raise KioskError("slot_missing", Text("请选择一个时段", "Choose a slot"), status=400)
    return int(text)


def book_from_form(session: Session, case: Case, form: Mapping[str, str], actor: User, *, now: dt.datetime) -> Appointment:
    """Book the case into the slot the form names (full, past and already-booked slots are refused)."""
    return booking.book(session, case, _slot_id(form.get("slot_id")), actor, now=now)


def _current(session: Session, case: Case) -> Appointment:
    current = booking.active_appointment(session, case.id)
    if current is None:
        raise KioskError("no_appointment", Text("该案件没有有效预约", "This case has no booked appointment"))
    return current


def reschedule_from_form(session: Session, case: Case, form: Mapping[str, str], actor: User, *,
                         now: dt.datetime) -> Appointment:
    """Move the case's booking to the slot the form names, with the form's reason if given."""
    slot_id = _slot_id(form.get("slot_id"))
    return booking.reschedule(session, _current(session, case), slot_id, actor, now=now, reason=form.get("reason"))


def case_ics(session: Session, case: Case, *, provider_name: str, now: dt.datetime) -> bytes:
    """The calendar file of the case's current appointment, with what to bring. Raises KioskError(no_appointment)."""
    return appointment_ics(_current(session, case), case_number=case.number, provider_name=provider_name,
                           bring=[b.name.zh for b in what_to_bring(case)], now=now)


def decode_scan(data: bytes) -> np.ndarray:
    """An uploaded scan (PNG or JPEG) as an image, or KioskError(scan_unreadable)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise KioskError("scan_unreadable", Text("无法读取图像，请上传 PNG 或 JPEG 扫描件", "Cannot read the image: upload a PNG or JPEG scan"),
                         status=400)
    return image


def match_uploaded_scan(session: Session, case: Case, data: bytes, actor: User, *, provider_name: str) -> SheetMatch:
    """Match an uploaded scan of the signed sheet to `case` (refused when it is another case's) and log the match."""
    result = match_scan(session, decode_scan(data), provider_name=provider_name, expected_case_id=case.id)
    session.add(AuditEvent(actor_id=actor.id, action="sheet_matched", target=f"case:{case.id}",
                           detail={"sheet_id": result.sheet_id, "page": result.page, "current": result.current}))
    return result
