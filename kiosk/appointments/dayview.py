"""The counter's day view: today's and the next opening day's arrivals, each with what they must bring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from kiosk.appointments.booking import STATUS_NAMES, AppointmentStatus
from kiosk.appointments.slots import day_bounds
from kiosk.filing import FILING_RULES, case_requirements, parse_filing_type
from kiosk.models import Appointment, AppointmentSlot, Case
from kiosk.text import Text
from kiosk.workflow import (
    FINGERPRINT_PROVINCES_FOR_INDIVIDUALS,
    PROVINCES,
    SUBJECT_CERTIFICATES,
    SUBJECT_TYPE_NAMES,
    AttachmentKind,
    Requirement,
    SubjectType,
)

K = AttachmentKind


@dataclass(frozen=True, slots=True)
class BringItem:
    name: Text
    note: Text | None = None


def what_to_bring(case: Case) -> list[BringItem]:
    """What the applicant brings to the counter for this case's checklist: the originals of every document, the
    official seal of an organisation, and who must come in person for the photo. (The photo is taken and the
    verification sheet printed at the counter.)"""
    kinds = {r.kind for r in case_requirements(case)}
    subject = SubjectType(case.subject_type)
    individual = subject is SubjectType.INDIVIDUAL
    items: list[BringItem] = []
    if K.VERIFICATION_PHOTO in kinds:
        who = Text("本人", "in person") if individual else Text("网站负责人本人", "the website leader in person")
        items.append(BringItem(Text(f"{who.zh}到场拍摄核验照片", f"Come {who.en} for the verification photo"),
                               Text("请勿戴帽子、眼镜", "No hat, no glasses")))
    if K.SUBJECT_CERTIFICATE in kinds:
        name = SUBJECT_CERTIFICATES[subject][1]
        items.append(BringItem(Text(f"{name.zh}原件", f"{name.en} (original)")))
    if K.PRINCIPAL_ID_FRONT in kinds:
        items.append(BringItem(Text("本人身份证原件", "Your ID card (original)") if individual
                               else Text("主体负责人身份证原件", "The principal's ID card (original)")))
    if K.LEADER_ID_FRONT in kinds:
        items.append(BringItem(Text("网站负责人身份证原件", "The website leader's ID card (original)")))
    if K.DOMAIN_CERTIFICATE in kinds:
        items.append(BringItem(Text("域名证书", "Domain certificate"), Text("打印件或电子版", "printed or on screen")))
    if K.VERIFICATION_SHEET in kinds:
        if individual:
            note = (Text("核验单须签字并按手印", "The sheet is signed and fingerprinted here")
                    if case.province in FINGERPRINT_PROVINCES_FOR_INDIVIDUALS
                    else Text("核验单在柜台签字", "The sheet is signed here"))
            items.append(BringItem(Text("本人签字", "Your signature"), note))
        else:
            items.append(BringItem(Text("单位公章", "The organisation's official seal"),
                                   Text("用于在核验单上盖章", "to seal the verification sheet")))
    return items


@dataclass(frozen=True, slots=True)
class Arrival:
    appointment_id: int
    case_id: int
    case_number: str
    subject_name: str
    subject_type: Text
    province: Text
    filing_type: Text
    case_state: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: AppointmentStatus
    status_name: Text
    requirements: tuple[Requirement, ...]
    bring: tuple[BringItem, ...]


DAY_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW)


def arrivals(session: Session, kiosk_name: str, day: dt.date) -> list[Arrival]:
    """Who is expected at `kiosk_name` on `day` (Beijing date), in time order: booked, arrived and no-shows
    (rescheduled and cancelled bookings are not expected)."""
    start, end = day_bounds(day)
    rows = session.scalars(
        select(Appointment).join(AppointmentSlot)
        .where(AppointmentSlot.kiosk_name == kiosk_name, AppointmentSlot.starts_at >= start,
               AppointmentSlot.starts_at < end, Appointment.status.in_([s.value for s in DAY_STATUSES]))
        .options(joinedload(Appointment.slot), joinedload(Appointment.case))
        .order_by(AppointmentSlot.starts_at, Appointment.id)
    ).unique()
    out = []
    for appt in rows:
        case = appt.case
        status = AppointmentStatus(appt.status)
        out.append(Arrival(
            appt.id, case.id, case.number, case.subject_name, SUBJECT_TYPE_NAMES[SubjectType(case.subject_type)],
            PROVINCES[case.province].name, FILING_RULES[parse_filing_type(case.filing_type)].name, case.state,
            appt.slot.starts_at, appt.slot.ends_at, status, STATUS_NAMES[status],
            tuple(case_requirements(case)), tuple(what_to_bring(case)),
        ))
    return out


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: dt.date
    arrivals: list[Arrival]


def next_opening_day(session: Session, kiosk_name: str, after: dt.date) -> dt.date:
    """The first day after `after` with a published slot at this kiosk (on a Friday: usually Monday);
    the next day when nothing is published."""
    _, end = day_bounds(after)
    first = session.scalar(
        select(AppointmentSlot.starts_at).where(AppointmentSlot.kiosk_name == kiosk_name, AppointmentSlot.starts_at >= end,
                                                AppointmentSlot.closed_at.is_(None))
        .order_by(AppointmentSlot.starts_at).limit(1)
    )
    if first is None:
        return after + dt.timedelta(days=1)
    from kiosk.deadlines import beijing_date

    return beijing_date(first)


def upcoming(session: Session, kiosk_name: str, today: dt.date) -> tuple[DayPlan, DayPlan]:
    """Today's arrivals and those of the next opening day."""
    nxt = next_opening_day(session, kiosk_name, today)
    return DayPlan(today, arrivals(session, kiosk_name, today)), DayPlan(nxt, arrivals(session, kiosk_name, nxt))
