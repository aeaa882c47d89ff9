"""What the auditor portal reads (read-only): one case with everything an auditor checks, the files of a case
(from its rows and its sealed manifests), and a page of the access log. The portal records each access first
(`kiosk.archive.access_log.record_access`)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk import words
from kiosk.archive.access_log import ACTIONS
from kiosk.archive.manifest import live_files, manifest_path
from kiosk.archive.overlay import OverlayShapes, shapes
from kiosk.archive.pack import EXTENSIONS, MAGICS, CaseIntegrity, case_integrity
from kiosk.archive.search import case_seals
from kiosk.archive.store import BlobIntegrityError, BlobMissingError, BlobStore
from kiosk.cases import accepted_photo
from kiosk.models import AccessLogEntry, Attachment, Case, PhotoAttempt, Seal, User
from kiosk.text import KioskError, Text
from kiosk.workflow import AttachmentKind


@dataclass(frozen=True)
class Override:
    """A check staff overruled, with the written reason."""

    target: Text  # what was overruled, in words
    reason: str
    by: User | None


@dataclass(frozen=True)
class AuditedCase:
    """One case as the auditor sees it: its seals, an integrity check made now, the accepted photo and the rest."""

    case: Case
    seals: list[Seal]
    integrity: CaseIntegrity
    accepted: PhotoAttempt | None  # the photo staff accepted
    photo_sha: str | None  # the verification photo's file (the accepted attempt, else an uploaded photo)
    overlay: OverlayShapes  # the judge's drawing over the accepted photo
    users: dict[int, User]
    overrides: list[Override]
    documents: list[Attachment]


def find_case(session: Session, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.number == number)).first()


def audited_case(session: Session, store: BlobStore, case: Case) -> AuditedCase:
    """Everything the portal shows of `case`, the integrity re-checked now (files re-hashed, signatures checked)."""
    accepted = accepted_photo(case)
    photo_sha = accepted.image_sha256 if accepted else next(
        (a.original_sha256 for a in reversed(case.attachments) if a.kind == AttachmentKind.VERIFICATION_PHOTO), None)
    users = {u.id: u for u in session.scalars(select(User))}
    overrides = [Override(words.word("attachment_kind", a.kind), a.override_reason, users.get(a.override_by_id or 0))
                 for a in case.attachments if a.override_reason]
    overrides += [Override(Text(f"照片 #{i}", f"Photo #{i}"), p.override_reason, users.get(p.decided_by_id or 0))
                  for i, p in enumerate(case.photo_attempts, 1) if p.override_reason]
    return AuditedCase(
        case=case, seals=case_seals(session, case.id), integrity=case_integrity(session, store, case.id),
        accepted=accepted, photo_sha=photo_sha, overlay=shapes((accepted.verdict or {}).get("overlay") if accepted else None),
        users=users, overrides=overrides,
        documents=[a for a in case.attachments if a.kind != AttachmentKind.VERIFICATION_PHOTO],
    )


def case_file_types(case: Case, seals: list[Seal], store: BlobStore) -> dict[str, str]:
    """Every file of the case: sha256 -> media type ("" when unknown), from its rows and its sealed manifests."""
    files: dict[str, str] = {}
    for a in case.attachments:
        files[a.original_sha256] = a.media_type
        if a.normalised_sha256:
            files.setdefault(a.normalised_sha256, "")
    for p in case.photo_attempts:
        files.setdefault(p.image_sha256, "image/jpeg")
    for seal in seals:
        path = manifest_path(store.root, seal.sequence, seal.manifest_sha256)
        try:
            content = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        for f in live_files(content):
            files.setdefault(str(f.get("sha256")), str(f.get("media_type") or ""))
    return files


@dataclass(frozen=True, slots=True)
class CaseFile:
    data: bytes
    media_type: str
    extension: str  # ".jpg", ".pdf", ... (from the media type, else the content)


def read_case_file(session: Session, store: BlobStore, case: Case, sha256: str) -> CaseFile | None:
    """File `sha256` of `case`, verified against its hash; None when the case has no such file. Raises
    KioskError("file_missing", 410) past retention, KioskError("file_altered", 409) when it fails its hash."""
    files = case_file_types(case, case_seals(session, case.id), store)
    if sha256 not in files:
        return None
    try:
        data = store.get(sha256)
    except BlobMissingError:
        raise KioskError("file_missing", Text("文件已不在档案中（可能已过保留期）",
                                              "The file is no longer in the archive (perhaps past retention)"), 410) from None
    except BlobIntegrityError:
        raise KioskError("file_altered", Text("文件校验失败：内容已被修改", "The file failed its integrity check: it was altered"),
                         409) from None
    media = files[sha256] or ""
    ext = EXTENSIONS.get(media) or next((e for m, e in MAGICS if data.startswith(m)), ".bin")
    if not media:
        media = {v: k for k, v in EXTENSIONS.items()}.get(ext, "application/octet-stream")
    return CaseFile(data, media, ext)


def access_log_page(session: Session, *, actor: str = "", action: str = "", page: int = 1,
                    page_size: int = 50) -> tuple[list[AccessLogEntry], int]:
    """One page of the access log, newest first, filtered by actor name and action; and the number of matches."""
    stmt = select(AccessLogEntry)
    if actor:
        stmt = stmt.where(AccessLogEntry.actor_name == actor)
    if action in ACTIONS:
        stmt = stmt.where(AccessLogEntry.action == action)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    entries = session.scalars(stmt.order_by(AccessLogEntry.id.desc()).limit(page_size)
                              .offset((page - 1) * page_size)).all()
    return list(entries), total

