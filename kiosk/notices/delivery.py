"""Delivering the outbox with retries, never inside a case move.

Each pass claims due notices by a conditional UPDATE (a lease: several kiosks on one database never send the same
notice at once), sends each outside any transaction, then records the outcome: sent, retried later with a growing
delay (1, 2, 4 … minutes, at most an hour), or failed after `MAX_ATTEMPTS` or a permanent refusal. A notice whose
sender died mid-send is sent again once its lease expires (at least once, never lost).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from kiosk.models import Notice
from kiosk.notices.gateways import DeliveryError, Gateway, Outgoing

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=5)
SessionFactory = Callable[[], AbstractContextManager[Session]]
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(0, attempts - 1)), dt.timedelta(hours=1))


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim(sessions: SessionFactory, now: dt.datetime, limit: int) -> list[tuple[Outgoing, str]]:
    """The due notices this pass may send, each leased to it, with their channel."""
    claimed: list[tuple[Outgoing, str]] = []
    with sessions() as s:
        due = s.scalars(
            select(Notice.id).where(Notice.status == "pending", Notice.next_attempt_at <= now,
                                    or_(Notice.lease_until.is_(None), Notice.lease_until < now))
            .order_by(Notice.next_attempt_at, Notice.id).limit(limit)
        ).all()
    for notice_id in due:
        with sessions() as s:
            got = cast("CursorResult[Any]", s.execute(  # an UPDATE answers a CursorResult (rowcount)
                update(Notice)
                .where(Notice.id == notice_id, Notice.status == "pending",
                       or_(Notice.lease_until.is_(None), Notice.lease_until < now))
                .values(lease_until=now + LEASE, attempts=Notice.attempts + 1)
                .execution_options(synchronize_session=False)
            )).rowcount
            if got == 1:
                n = s.get(Notice, notice_id)
                assert n is not None
                claimed.append((Outgoing(n.id, n.recipient, n.subject, n.body, n.attachment_name, n.attachment), n.channel))
    return claimed


def deliver_due(
    sessions: SessionFactory, gateways: dict[str, Gateway], *, now: Clock = utc_now, limit: int = 50,
) -> DeliveryReport:
    """One delivery pass over the due notices. Never raises for a gateway's failure (it is recorded)."""
    sent = retrying = failed = 0
    for message, channel in _claim(sessions, now(), limit):
        gateway = gateways[channel]
        error: DeliveryError | None = None
        try:
            gateway.send(message)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - a broken gateway must not stop the others
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        with sessions() as s:
            notice = s.get(Notice, message.notice_id)
            assert notice is not None
            notice.lease_until = None
            notice.gateway = gateway.name
            if error is None:
                notice.status, notice.sent_at, notice.last_error = "sent", now(), None
                sent += 1
            elif error.permanent or notice.attempts >= MAX_ATTEMPTS:
                notice.status, notice.last_error = "failed", str(error)[:2000]
                failed += 1
                log.warning("notice %s to case %s failed for good: %s", notice.id, notice.case_id, error)
            else:
                notice.next_attempt_at = now() + backoff(notice.attempts)
                notice.last_error = str(error)[:2000]
                retrying += 1
    return DeliveryReport(sent, retrying, failed)


class NoticeWorker:
    """Delivers the outbox in a background thread every `interval` seconds, or sooner when `wake()` is called
    (e.g. after a case move). Errors are logged; the thread keeps going until `stop()`."""

    def __init__(self, sessions: SessionFactory, gateways: dict[str, Gateway], interval: float = 30.0) -> None:
        self.sessions, self.gateways, self.interval = sessions, gateways, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notice-delivery", daemon=True)

    def start(self) -> NoticeWorker:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_due(self.sessions, self.gateways)
            except Exception:  # noqa: BLE001 - e.g. the database is briefly unreachable: try again later
                log.exception("notice delivery pass failed")
            self._wake.wait(self.interval)
            self._wake.clear()
