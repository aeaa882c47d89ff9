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
    """One sealing of a case's evidence: the manifest in the archive, its place in the archive-wide hash chain."""

    __tablename__ = "seals"
    __table_args__ = (Index("ix_seals_case_seq", "case_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)  # position in the archive-wide chain
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
