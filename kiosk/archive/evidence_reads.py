"""Every read of evidence, and every refused one, goes into the access log through these two functions.

A read names who (the actor), what (the target, "case:<number>", "attachment:<id>", ...) and through which route;
a refusal also names why, one of REFUSALS (words in kiosk.words REFUSAL_WORDS). The caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kiosk.archive.access_log import record_access
from kiosk.models import AccessLogEntry, User

REFUSED = "refused"
REFUSALS = ("not_logged_in", "wrong_role", "not_found", "other_case", "not_sealed", "file_missing", "file_altered",
            "error")
_BY_STATUS = {302: "not_logged_in", 401: "not_logged_in", 403: "wrong_role", 404: "not_found", 409: "file_altered",
              410: "file_missing"}


def refusal_for_status(status: int) -> str:
    """The refusal reason an HTTP status stands for ("error" when none fits)."""
    return _BY_STATUS.get(status, "error")


def log_evidence_read(
    session: Session, actor: User | None, action: str, target: str, route: str, remote_addr: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Record one read of evidence (`action`: view, download or export)."""
    return record_access(session, actor, action, target, {**(detail or {}), "route": route}, remote_addr)


def log_refused_read(
    session: Session, actor: User | None, target: str, route: str, reason: str, remote_addr: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLogEntry:
    """Record one refused read of evidence and why (`reason` in REFUSALS)."""
    if reason not in REFUSALS:
        raise ValueError(f"unknown refusal reason {reason!r}")
    return record_access(session, actor, REFUSED, target, {**(detail or {}), "route": route, "reason": reason},
                         remote_addr)
