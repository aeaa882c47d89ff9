"""The outbox: notices are rows written in the same transaction as the case move they report.

`enqueue_for_move` never raises: writing the notices happens in a savepoint, and if anything goes wrong there it is
logged and the move goes on without them. Delivery (`kiosk.notices.delivery`) happens later, outside any move.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import Appointment, Case, CaseEvent, Notice
from kiosk.text import Text

log = logging.getLogger(__name__)

EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)


def recipients(case: Case) -> list[tuple[str, str]]:
    """(channel, address) of the applicant: the website leader and the principal, each address once."""
    out: list[tuple[str, str]] = []
    for role in ("website_leader", "principal"):
        person = case.person(role)
        if person is None:
            continue
        for channel, address in ((SMS, person.mobile), (EMAIL, person.email)):
            if address and (channel, address) not in out:
                out.append((channel, address))
    return out


def enqueue_for_move(session: Session, case: Case, event: CaseEvent) -> list[Notice]:
    """Write the notices of one move (one per recipient and channel). Never raises; returns what was queued."""
    from kiosk.counter_config import load_counter_config
    from kiosk.notices.messages import move_message

    session.flush()  # the event's id (flushing is part of the move: its errors are the move's)
    queued: list[Notice] = []
    try:
        with session.begin_nested():
            message = move_message(case, event, load_counter_config().provider_name)
            for channel, address in recipients(case):
                notice = Notice(case_id=case.id, event_id=event.id, channel=channel, recipient=address,
                                subject=message.subject, body=message.sms if channel == SMS else message.email)
                session.add(notice)
                queued.append(notice)
    except Exception:  # noqa: BLE001 - a notice must never break the move it reports
        log.exception("could not queue the notices of case %s move %s", case.number, event.move)
        return []
    return queued


def enqueue_for_appointment(session: Session, case: Case, appointment: Appointment, kind: str, now: dt.datetime) -> list[Notice]:
    """Write the notices of a booked, rescheduled or cancelled appointment; the e-mail carries the .ics file.
    Never raises: the booking stands whatever happens here."""
    from kiosk.appointments.dayview import what_to_bring
    from kiosk.appointments.ics import appointment_ics
    from kiosk.counter_config import load_counter_config
    from kiosk.deadlines import BEIJING
    from kiosk.notices.messages import appointment_message

    queued: list[Notice] = []
    try:
        with session.begin_nested():
            provider = load_counter_config().provider_name
            slot = appointment.slot
            when = f"{slot.starts_at.astimezone(BEIJING):%Y-%m-%d %H:%M}–{slot.ends_at.astimezone(BEIJING):%H:%M}"
            location = slot.location or f"{provider} {slot.kiosk_name}"
            bring = [b.name for b in what_to_bring(case)]
            message = appointment_message(case.number, kind, when, location, bring, provider)
            ics = appointment_ics(appointment, case_number=case.number, provider_name=provider,
                                  bring=[b.zh for b in bring], now=now)
            for channel, address in recipients(case):
                email = channel == EMAIL
                notice = Notice(case_id=case.id, channel=channel, recipient=address, subject=message.subject,
                                body=message.email if email else message.sms, next_attempt_at=now,
                                attachment_name="appointment.ics" if email else None, attachment=ics if email else None)
                session.add(notice)
                queued.append(notice)
    except Exception:  # noqa: BLE001 - a notice must never break the booking it reports
        log.exception("could not queue the appointment notices of case %s", case.number)
        return []
    return queued


NOTICE_STATUS_NAMES: dict[str, Text] = {
    "pending": Text("待发送", "Waiting to be sent"),
    "sent": Text("已送达", "Sent"),
    "failed": Text("发送失败", "Failed"),
}
CHANNEL_NAMES: dict[str, Text] = {EMAIL: Text("电子邮件", "Email"), SMS: Text("短信", "SMS")}


@dataclass(frozen=True, slots=True)
class OutboxRow:
    notice_id: int
    case_id: int
    case_number: str
    channel: Text
    recipient: str  # masked
    subject: str
    status: str
    status_name: Text
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime
    last_error: str | None


def outbox(session: Session, *, status: str | None = None, limit: int = 100) -> list[OutboxRow]:
    """The newest notices (optionally of one status) with their delivery state in words; recipients masked."""
    from kiosk.notices.gateways import mask

    stmt = select(Notice, Case.number).join(Case, Case.id == Notice.case_id).order_by(Notice.id.desc()).limit(limit)
    if status in NOTICE_STATUS_NAMES:
        stmt = stmt.where(Notice.status == status)
    return [
        OutboxRow(n.id, n.case_id, number, CHANNEL_NAMES.get(n.channel, Text(n.channel, n.channel)), mask(n.recipient),
                  n.subject, n.status, NOTICE_STATUS_NAMES.get(n.status, Text(n.status, n.status)), n.attempts,
                  n.created_at, n.sent_at, n.next_attempt_at, n.last_error)
        for n, number in session.execute(stmt)
    ]
