"""Where a captured photo becomes a stored attempt, and the counter's decisions on it; the booth token.

`AttemptRecorder` is what the booth session calls with each capture (`kiosk.booth.session.Capture`): it finishes
the frame into the stored JPEG (`kiosk.booth.finish`), puts it into the evidence blob store (unencrypted,
content-addressed) and records a PhotoAttempt holding the judge's verdict for that exact frame, with one
CheckResultRow per check so the results are searchable, in its own transaction.

Every attempt is kept. Staff decisions never delete anything: a retake marks the attempt "discarded", an accept
marks it "accepted" (and any previously accepted one "discarded"), an override records which failed checks staff
overruled, the written reason, who and when, plus an audit event.

The decision functions take an open SQLAlchemy session and leave committing to the caller. The attempt is sealed
with the rest of the case's evidence when the on-site verification finishes (`kiosk.archive.sealing`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.archive.store import BlobStore, record_blob
from kiosk.booth.finish import FinishedPhoto, finish_photo
from kiosk.booth.session import Capture
from kiosk.db import Database
from kiosk.models import (
    AttemptStatus,
    AuditEvent,
    CaptureTrigger,
    Case,
    CheckResultRow,
    PhotoAttempt,
    User,
    utcnow,
)
from kiosk.profiles import current as current_profile
from kiosk.text import KioskError, Text
from kiosk.validators import MAX_REASON, check_text
from kiosk.workflow import State

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- booth token

def hash_token(token: str) -> str:
    """What the database keeps of a booth token (its SHA-256): a leaked database does not open booths."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_booth_token(session: Session, case: Case) -> str:
    """A new booth token for `case` (replacing any earlier one). Only for cases in on-site verification."""
    require_onsite(case)
    token = secrets.token_urlsafe(24)
    case.booth_token = hash_token(token)
    return token


def case_for_token(session: Session, token: str | None) -> Case | None:
    """The case a booth token is bound to, if the token is current and the case is in on-site verification."""
    if not token or len(token) > 100:
        return None
    case = session.scalars(select(Case).where(Case.booth_token == hash_token(token))).first()
    if case is None or case.state != State.ONSITE:
        return None
    return case


def require_onsite(case: Case) -> None:
    if case.state != State.ONSITE:
        raise KioskError(
            "case_not_onsite",
            Text("只有“当面核验中”的案件可以拍照", "Photos can only be taken for cases in on-site verification"),
            status=409,
        )


# ---------------------------------------------------------------- attempts

def store_attempt(
    session: Session,
    store: BlobStore,
    case: Case,
    photo: FinishedPhoto,
    verdict: dict[str, Any],
    *,
    trigger: str = CaptureTrigger.AUTO,
    liveness: dict[str, Any] | None = None,
    profile_version: int | None = None,
) -> PhotoAttempt:
    """Store the JPEG and a PhotoAttempt with one CheckResultRow per result of `verdict` (Verdict.as_dict()),
    judged with the kiosk's calibration profile `profile_version` (None: not calibrated)."""
    require_onsite(case)
    ref = store.put(photo.jpeg, encrypt=False, media_type="image/jpeg")
    record_blob(session, ref)
    attempt = PhotoAttempt(
        case_id=case.id,
        taken_at=photo.taken_at.astimezone(dt.UTC),
        kiosk_name=photo.kiosk_name,
        trigger=trigger,
        image_sha256=ref.sha256,
        image_size=ref.size,
        width=photo.width,
        height=photo.height,
        passed=bool(verdict.get("passed")),
        verdict=verdict,
        status=AttemptStatus.TAKEN,
        overridden_checks=[],
        liveness=liveness,
        profile_version=profile_version,
    )
    session.add(attempt)
    for position, result in enumerate(verdict.get("results", [])):
        attempt.results.append(CheckResultRow.from_result(position, result))
    case.photo_attempts.append(attempt)
    session.flush()
    return attempt


@dataclass(frozen=True)
class AttemptRecorder:
    """The booth session's capture handler: a captured frame becomes a stored attempt (see the module docstring).
    Returns the attempt's id; raises KioskError when the case is gone or no longer on site, or storage fails."""

    database: Database
    store: BlobStore
    kiosk_name: str
    zone: ZoneInfo  # the kiosk's time zone, printed on the photo

    def __call__(self, capture: Capture) -> int:
        taken_at = dt.datetime.fromtimestamp(capture.grabbed_at, self.zone)
        photo = finish_photo(capture.frame, taken_at=taken_at, kiosk_name=self.kiosk_name)
        with self.database.session() as db:
            case = db.get(Case, capture.case_id)
            if case is None:
                raise KioskError("case_not_found", Text("案件不存在", "No such case"), status=404)
            # the judge loads the kiosk's current profile version when the booth starts (station.judge_factory)
            # and again when the calibration page saves or imports a version (BoothSession.reload_judge)
            profile = current_profile(db, self.kiosk_name)
            attempt = store_attempt(db, self.store, case, photo, capture.verdict_dict, trigger=capture.trigger,
                                    profile_version=profile.version if profile else None,
                                    liveness=capture.liveness)
            return attempt.id


def pending_attempt(case: Case) -> PhotoAttempt | None:
    """The attempt waiting for staff to decide, if any."""
    return next((a for a in case.photo_attempts if a.status == AttemptStatus.TAKEN), None)


def has_accepted_photo(case: Case) -> bool:
    return any(a.status == AttemptStatus.ACCEPTED for a in case.photo_attempts)


def discard_pending(session: Session, case: Case, actor: User) -> None:
    """Discard (keep stored, mark discarded) the attempt waiting for staff, before the booth takes another."""
    require_onsite(case)
    for attempt in case.photo_attempts:
        if attempt.status == AttemptStatus.TAKEN:
            discard_attempt(session, attempt, actor)


def failed_checks(attempt: PhotoAttempt) -> list[str]:
    """Codes of the checks that did not pass on the attempt's frame."""
    return [r["code"] for r in attempt.verdict.get("results", []) if not r.get("passed")]


def overridden_codes(attempt: PhotoAttempt) -> set[str]:
    return {str(code) for code in (attempt.overridden_checks or [])}


def outstanding_failures(attempt: PhotoAttempt) -> list[str]:
    """Failed checks that staff have not overridden: the attempt can be accepted only when none are left."""
    done = overridden_codes(attempt)
    return [code for code in failed_checks(attempt) if code not in done]


def _pending(attempt: PhotoAttempt) -> None:
    require_onsite(attempt.case)
    if attempt.status != AttemptStatus.TAKEN:
        raise KioskError(
            "attempt_decided",
            Text("这张照片已经处理过了", "This photo has already been decided on"),
            status=409,
        )


def normalise_reason(reason: str | None) -> str:
    """The written reason on one line (line breaks become spaces); KioskError when missing or too long."""
    text = re.sub(r"\s+", " ", reason or "").strip()
    return check_text(text, Text("原因", "the reason"), max_length=MAX_REASON)


def override_checks(
    session: Session, attempt: PhotoAttempt, codes: list[str], reason: str | None, actor: User,
    remote_addr: str = "",
) -> None:
    """Overrule failed checks of `attempt` with a mandatory written reason (kept for auditors)."""
    _pending(attempt)
    text = normalise_reason(reason)
    failing = set(failed_checks(attempt))
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        raise KioskError("override_no_check", Text("请选择要放行的检查项", "Choose the check to override"))
    unknown = [c for c in codes if c not in failing]
    if unknown:
        raise KioskError(
            "override_not_failed",
            Text("只能放行未通过的检查项：" + "、".join(unknown), "Only failed checks can be overridden: " + ", ".join(unknown)),
        )
    done = list(attempt.overridden_checks or [])
    attempt.overridden_checks = done + [c for c in codes if c not in done]
    # One reason per override decision, in order; who and when are in the audit event (and decided_by on accept).
    attempt.override_reason = f"{attempt.override_reason}\n{text}" if attempt.override_reason else text
    session.add(AuditEvent(
        actor_id=actor.id, action="photo_override", target=f"photo_attempt:{attempt.id}",
        detail={"case_id": attempt.case_id, "checks": codes, "reason": text, "at": utcnow().isoformat()},
        remote_addr=remote_addr,
    ))


def accept_attempt(session: Session, attempt: PhotoAttempt, actor: User) -> None:
    """Staff confirm the photo. Failed checks must have been overridden first."""
    _pending(attempt)
    left = outstanding_failures(attempt)
    if left:
        raise KioskError(
            "photo_checks_failed",
            Text("以下检查未通过，需先填写原因放行：" + "、".join(left),
                 "These checks failed; override them with a reason first: " + ", ".join(left)),
            status=409,
        )
    now = utcnow()
    for other in attempt.case.photo_attempts:
        if other is not attempt and other.status == AttemptStatus.ACCEPTED:
            other.status = AttemptStatus.DISCARDED
    attempt.status = AttemptStatus.ACCEPTED
    attempt.decided_by_id = actor.id
    attempt.decided_at = now


def discard_attempt(session: Session, attempt: PhotoAttempt, actor: User) -> None:
    """Staff ask for a retake: the attempt stays stored, marked discarded."""
    _pending(attempt)
    attempt.status = AttemptStatus.DISCARDED
    attempt.decided_by_id = actor.id
    attempt.decided_at = utcnow()


def attempt_summary(attempt: PhotoAttempt) -> dict[str, Any]:
    """What the counter page shows of an attempt (JSON-able)."""
    return {
        "id": attempt.id,
        "taken_at": attempt.taken_at.isoformat(),
        "trigger": attempt.trigger,
        "passed": attempt.passed,
        "status": attempt.status,
        "width": attempt.width,
        "height": attempt.height,
        "size": attempt.image_size,
        "sha256": attempt.image_sha256,
        "failed": failed_checks(attempt),
        "overridden": list(attempt.overridden_checks or []),
        "outstanding": outstanding_failures(attempt),
    }
