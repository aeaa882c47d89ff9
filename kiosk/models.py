"""Database models (SQLAlchemy 2, typed). All tables live here; schema changes go through Alembic migrations.

Times are stored as timezone-aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from kiosk.text import Text as PlainText  # sqlalchemy's Text (a column type) keeps the short name here


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AttachmentStatus(StrEnum):
    """Where a document scan stands. A new upload supersedes the previous one, which stays stored."""

    CHECKED = "checked"  # checked by the kiosk, waiting for staff
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class AttemptStatus(StrEnum):
    """Where a photo attempt stands. Every attempt stays stored; a retake discards the pending one."""

    TAKEN = "taken"  # waiting for staff
    ACCEPTED = "accepted"
    DISCARDED = "discarded"


ATTEMPT_STATUS_NAMES: dict[AttemptStatus, PlainText] = {
    AttemptStatus.TAKEN: PlainText("待确认", "waiting for a decision"),
    AttemptStatus.ACCEPTED: PlainText("已确认", "accepted"),
    AttemptStatus.DISCARDED: PlainText("已作废（保留存档）", "discarded (kept)"),
}


class CaptureTrigger(StrEnum):
    AUTO = "auto"  # every check held, the countdown ran out
    MANUAL = "manual"  # staff took the photo now


class SealKind(StrEnum):
    SEAL = "seal"  # a case's first sealing
    CORRECTION = "correction"  # a later sealing that supersedes the previous one
    TOMBSTONE = "tombstone"  # retention removed the files; this records what and why
    DECISION = "decision"  # a later move of a sealed case (audit, submission, SMS step, approval, return, ...)


class UTCDateTime(TypeDecorator):
    """A datetime that always comes back timezone-aware in UTC (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16))  # kiosk.roles.Role
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # No longer written or read: the lock-out is derived from the audit log (kiosk.accounts.lock_state).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Raised on logout and password change: every session cookie issued before then stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. BK-20261123-0001
    state: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_name: Mapped[str] = mapped_column(String(200), index=True)
    subject_cert_type: Mapped[str] = mapped_column(String(32))
    subject_cert_number: Mapped[str] = mapped_column(String(64), index=True)
    province: Mapped[str] = mapped_column(String(20), index=True)
    record_number: Mapped[str | None] = mapped_column(String(40), default=None)
    kiosk_name: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The booth screen is bound to one case through this token (rotated when staff open the booth anew).
    booth_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    sealed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # Filing type and what it refers to (kiosk.filing): the record number of the filed subject or website a new
    # website, a new access, a change or a cancellation is about, and for a new access the previous provider.
    filing_type: Mapped[str] = mapped_column(String(20), default="first_filing", server_default="first_filing")
    existing_record_number: Mapped[str | None] = mapped_column(String(40), default=None)
    previous_provider: Mapped[str | None] = mapped_column(String(200), default=None)
    # The public-security (公安) filing the applicant makes within 30 days of approval (kiosk.deadlines); who
    # recorded it is in the audit events.
    public_security_filed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    public_security_number: Mapped[str | None] = mapped_column(String(40), default=None)

    created_by: Mapped[User] = relationship()
    websites: Mapped[list[Website]] = relationship(back_populates="case", cascade="all, delete-orphan", order_by="Website.id")
    people: Mapped[list[Person]] = relationship(back_populates="case", cascade="all, delete-orphan", order_by="Person.id")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="case", order_by="Attachment.id")
    photo_attempts: Mapped[list[PhotoAttempt]] = relationship(back_populates="case", order_by="PhotoAttempt.id")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")

    def person(self, role: str) -> Person | None:
        return next((p for p in self.people if p.role == role), None)


class Website(Base):
    __tablename__ = "websites"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    name: Mapped[str] = mapped_column(String(200))
    registrar: Mapped[str] = mapped_column(String(200), default="", server_default="")  # printed after the domain in Beijing

    case: Mapped[Case] = relationship(back_populates="websites")


class Person(Base):
    """The principal (主体负责人) or the website leader (网站负责人) of a case."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("case_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # principal | website_leader
    name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(32))
    id_number: Mapped[str] = mapped_column(String(64), index=True)
    mobile: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")  # for applicant notices

    case: Mapped[Case] = relationship(back_populates="people")


class Attachment(Base):
    """One document scan (or the verification photo) of a case. A new upload makes a new row; the old one stays."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=AttachmentStatus.CHECKED)  # AttachmentStatus
    filename: Mapped[str] = mapped_column(String(255), default="")
    media_type: Mapped[str] = mapped_column(String(64), default="")
    original_sha256: Mapped[str] = mapped_column(String(64))
    original_size: Mapped[int] = mapped_column(Integer)
    normalised_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    checks: Mapped[list[Any]] = mapped_column(default=list)  # CheckResult.as_dict() of every check
    readings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what OCR read, and mismatches
    # kiosk.documents.basis: the typed case fields the checks compared with, one hash per field, taken when the
    # checks ran; a field whose hash differs from the case now makes the result stale. None: recorded before this
    # column existed (never stale)
    checked_against: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    override_by: Mapped[User | None] = relationship(foreign_keys=[override_by_id])


class PhotoAttempt(Base):
    """Every verification photo the booth took, with the judge's results for that exact frame."""

    __tablename__ = "photo_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kiosk_name: Mapped[str] = mapped_column(String(100), default="")
    trigger: Mapped[str] = mapped_column(String(16), default=CaptureTrigger.AUTO)  # CaptureTrigger
    image_sha256: Mapped[str] = mapped_column(String(64))
    image_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    verdict: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Verdict.as_dict(): results and overlay
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.TAKEN)  # AttemptStatus
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    overridden_checks: Mapped[list[Any]] = mapped_column(default=list)
    # LivenessResult.as_dict() of the test before this photo (plan, outcome, seconds, who skipped and why); None:
    # liveness off at the booth that took it
    liveness: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    profile_version: Mapped[int | None] = mapped_column(Integer, default=None)  # BackdropProfile.version judged with
    # kiosk.identity.case_match: the face match of this accepted photo against the ID card portrait(s) (scores,
    # threshold, verdict, model, crops' hashes); None: not matched (yet, or face matching off)
    identity: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    case: Mapped[Case] = relationship(back_populates="photo_attempts")
    results: Mapped[list[CheckResultRow]] = relationship(back_populates="photo_attempt", order_by="CheckResultRow.position")


class CheckResultRow(Base):
    """One check's result for a photo attempt or an attachment, as a row so auditors can search by it."""

    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("photo_attempts.id"), index=True, default=None)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), index=True, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))  # pass | fail | skipped | error
    value: Mapped[float | None] = mapped_column(Float, default=None)
    threshold: Mapped[str | None] = mapped_column(String(64), default=None)
    reason: Mapped[str] = mapped_column(String(64), default="")
    message_zh: Mapped[str] = mapped_column(String(200), default="")
    message_en: Mapped[str] = mapped_column(String(200), default="")

    photo_attempt: Mapped[PhotoAttempt | None] = relationship(back_populates="results")

    @classmethod
    def from_result(cls, position: int, result: Mapping[str, Any], **owner: int) -> CheckResultRow:
        """The row for one check result (`CheckResult.as_dict()`), texts cut to the column sizes; a value that is
        not a number is left out. `owner`: photo_attempt_id= or attachment_id= (or append it to attempt.results)."""
        message = result.get("message") or {}
        threshold = result.get("threshold")
        return cls(
            position=position,
            code=str(result.get("code", ""))[:40],
            status=str(result.get("status", ""))[:10],
            value=_number_or_none(result.get("value")),
            threshold=None if threshold is None else str(threshold)[:64],
            reason=str(result.get("reason", ""))[:64],
            message_zh=str(message.get("zh", ""))[:200],
            message_en=str(message.get("en", ""))[:200],
            **owner,
        )


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


class CaseEvent(Base):
    """The state timeline: every move of a case, who made it, when and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)  # auditors search by staff member
    move: Mapped[str] = mapped_column(String(40))  # "create" for the first event
    from_state: Mapped[str | None] = mapped_column(String(40), default=None)
    to_state: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text, default=None)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class AuditEvent(Base):
    """Security-relevant events that are not case moves: logins, failed logins, user changes, overrides."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class AccessLogEntry(Base):
    """Append-only, hash-chained log of every search, view, download and export of evidence."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(20))  # search | view | download | export
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Seal(Base):
    """One sealing of a case's evidence: the manifest in the archive and its place in its kiosk's hash chain.

    `sequence` numbers every manifest of the archive (unique, may have gaps on PostgreSQL); `chain_sequence` is the
    position in the sealing kiosk's own chain (1, 2, ...), None for manifests of the archive-wide chain that kiosks
    shared before per-kiosk chains (format 1)."""

    __tablename__ = "seals"
    __table_args__ = (Index("ix_seals_case_seq", "case_id", "sequence"),
                      UniqueConstraint("kiosk_name", "chain_sequence", name="uq_seals_kiosk_chain"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)  # archive-wide number (manifest file name)
    chain_sequence: Mapped[int | None] = mapped_column(Integer, default=None)  # position in the kiosk's chain
    kind: Mapped[str] = mapped_column(String(16))  # SealKind
    manifest_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prev_manifest_sha256: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("seals.id"), default=None)
    sealed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    kiosk_name: Mapped[str] = mapped_column(String(100), default="")
    retain_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class BlobRecord(Base):
    """What the archive knows of a stored file (content-addressed by the SHA-256 of its plaintext)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(64), default="")
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Setting(Base):
    """Small key/value facts the database must share between kiosks (e.g. the archive chain head)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


# ---------------------------------------------------------------- the counter's day
# Appointments (kiosk.appointments), printed verification sheets (kiosk.sheet), applicant notices (kiosk.notices).


class AppointmentSlot(Base):
    """A time a kiosk takes applicants for the on-site visit, with how many it takes at once."""

    __tablename__ = "appointment_slots"
    __table_args__ = (
        UniqueConstraint("kiosk_name", "starts_at"),
        # The database itself refuses an overbooked slot, whatever the code above it does.
        CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_appointment_slots_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_name: Mapped[str] = mapped_column(String(100), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    location: Mapped[str] = mapped_column(String(200), default="")
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class Appointment(Base):
    """A case booked into a slot, and what became of it: arrived, no-show, rescheduled or cancelled (who, when)."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("appointment_slots.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | arrived | no_show | rescheduled | cancelled
    # The case's id while the appointment is booked, else NULL: a unique column, so a case holds one booking.
    active_case_id: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)
    ics_uid: Mapped[str] = mapped_column(String(80))
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), default=None)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    booked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)

    case: Mapped[Case] = relationship()
    slot: Mapped[AppointmentSlot] = relationship()


class PrintedSheet(Base):
    """One printing of a case's verification sheet: its id and per-page hashes are in each page's QR code."""

    __tablename__ = "printed_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    printed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    printed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    pages: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    page_hashes: Mapped[list[Any]] = mapped_column(default=list)
    pdf_sha256: Mapped[str] = mapped_column(String(64))


class Notice(Base):
    """The outbox: one message to the applicant (email or SMS) about a case's move or appointment, delivered with
    retries."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("event_id", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"), default=None)
    channel: Mapped[str] = mapped_column(String(8))  # email | sms
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(100), default=None)  # e-mail only, e.g. the .ics
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    gateway: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Approval(Base):
    """A second person's approval (four eyes) of one decision on a case: who asked and why, who approved.

    `action` is a kiosk.approvals.ApprovalAction; `target` names what was decided on ("attachment:12",
    "photo:5", "identity:leader"). Rows are only ever added: a refused or withdrawn request is not stored.
    """

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id])


class KioskKey(Base):
    """A kiosk's name and one of its public signing keys, registered when the kiosk starts (kiosk.kiosks).

    A key belongs to one kiosk for good (`fingerprint` is unique); a kiosk that rotates its key gets a second row,
    so manifests signed with the old key still name their kiosk. `last_seen_at` moves at every start.
    """

    __tablename__ = "kiosk_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_name: Mapped[str] = mapped_column(String(100), index=True)
    fingerprint: Mapped[str] = mapped_column(String(100), unique=True)
    public_key_pem: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BackdropProfile(Base):
    """One version of a kiosk's calibration profile (backdrop, camera, thresholds). Versions are never edited:
    a recalibration or an import adds the next version (kiosk.profiles)."""

    __tablename__ = "backdrop_profiles"
    __table_args__ = (UniqueConstraint("kiosk_name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    source: Mapped[str] = mapped_column(String(40), default="")  # calibrate / import / thresholds
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"thresholds": {...}, "camera": {...}, ...}
