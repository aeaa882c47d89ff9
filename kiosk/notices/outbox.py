"""The outbox: notices are rows written in the same transaction as the case move they report.

`enqueue_for_move` never raises: writing the notices happens in a savepoint, and if anything goes wrong there it is
logged and the move goes on without them. Delivery (`kiosk.notices.delivery`) happens later, outside any move.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from kiosk.models import Case, CaseEvent, Notice

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
