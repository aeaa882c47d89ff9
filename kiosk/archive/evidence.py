"""What a sealing captures: the evidence snapshot (filing information, attempts, checks, readings, overrides,
timeline) and the list of stored files it refers to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from kiosk.archive.manifest import EVIDENCE_FORMAT, iso
from kiosk.archive.store import BlobStore
from kiosk.models import Approval, Case, User
from kiosk.text import KioskError, Text


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role}


def _row_result(r: Any) -> dict[str, Any]:
    return {
        "position": r.position,
        "code": r.code,
        "status": r.status,
        "value": r.value,
        "threshold": r.threshold,
        "reason": r.reason,
        "message": {"zh": r.message_zh, "en": r.message_en},
    }


def _approvals(case: Case) -> list[dict[str, Any]]:
    """Every second-user approval given on the case (four eyes), oldest first."""
    session = object_session(case)
    rows: list[Approval] = (
        list(session.scalars(select(Approval).where(Approval.case_id == case.id).order_by(Approval.id))) if session else [])
    return [{"id": a.id, "action": a.action, "target": a.target, "reason": a.reason, "at": iso(a.at),
             "requested_by": user_ref(a.requested_by), "approved_by": user_ref(a.approved_by), "detail": a.detail}
            for a in rows]


def build_snapshot(case: Case) -> dict[str, Any]:
    """The case's evidence as plain JSON data (personal data: stored encrypted)."""
    overrides: list[dict[str, Any]] = []
    attachments = []
    for a in case.attachments:
        attachments.append(
            {
                "id": a.id,
                "kind": a.kind,
                "status": a.status,
                "filename": a.filename,
                "media_type": a.media_type,
                "original_sha256": a.original_sha256,
                "original_size": a.original_size,
                "normalised_sha256": a.normalised_sha256,
                "encrypted": a.encrypted,
                "passed": a.passed,
                "checks": a.checks,
                "readings": a.readings,
                "override_reason": a.override_reason,
                "override_by": user_ref(a.override_by),
                "uploaded_by": user_ref(a.uploaded_by),
                "uploaded_at": iso(a.uploaded_at),
            }
        )
        if a.override_reason:
            overrides.append(
                {"target": f"attachment:{a.id}", "kind": a.kind, "reason": a.override_reason, "by": user_ref(a.override_by)}
            )
    attempts = []
    for p in case.photo_attempts:
        attempts.append(
            {
                "id": p.id,
                "taken_at": iso(p.taken_at),
                "kiosk_name": p.kiosk_name,
                "trigger": p.trigger,
                "image_sha256": p.image_sha256,
                "image_size": p.image_size,
                "width": p.width,
                "height": p.height,
                "passed": p.passed,
                "verdict": p.verdict,
                "results": [_row_result(r) for r in p.results],
                "status": p.status,
                "decided_by_id": p.decided_by_id,
                "decided_at": iso(p.decided_at),
                "override_reason": p.override_reason,
                "overridden_checks": p.overridden_checks,
                "liveness": p.liveness,
                "identity": p.identity,
            }
        )
        if p.override_reason:
            overrides.append(
                {
                    "target": f"photo_attempt:{p.id}",
                    "reason": p.override_reason,
                    "checks": p.overridden_checks,
                    "by_id": p.decided_by_id,
                }
            )
    return {
        "format": EVIDENCE_FORMAT,
        "case": {
            "id": case.id,
            "number": case.number,
            "state": case.state,
            "subject_type": case.subject_type,
            "subject_name": case.subject_name,
            "subject_cert_type": case.subject_cert_type,
            "subject_cert_number": case.subject_cert_number,
            "province": case.province,
            "record_number": case.record_number,
            "kiosk_name": case.kiosk_name,
            "created_at": iso(case.created_at),
            "created_by": user_ref(case.created_by),
            "legal_hold": case.legal_hold,
        },
        "websites": [{"id": w.id, "domain": w.domain, "name": w.name} for w in case.websites],
        "people": [
            {"id": p.id, "role": p.role, "name": p.name, "id_type": p.id_type, "id_number": p.id_number, "mobile": p.mobile}
            for p in case.people
        ],
        "attachments": attachments,
        "photo_attempts": attempts,
        "overrides": overrides,
        "approvals": _approvals(case),
        "timeline": [
            {
                "at": iso(e.at),
                "actor": user_ref(e.actor),
                "move": e.move,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
            }
            for e in case.events
        ],
    }


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    sha256: str
    size: int
    encrypted: bool
    media_type: str
    role: str  # attachment_original | attachment_normalised | photo_attempt | face_crop | evidence_snapshot
    source: str  # e.g. "attachment:12:principal_id_front", "photo_attempt:3"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "encrypted": self.encrypted,
            "media_type": self.media_type,
            "role": self.role,
            "source": self.source,
        }


def missing_evidence(sources: list[str]) -> KioskError:
    return KioskError(
        "evidence_missing",
        Text(
            "证据文件缺失，无法封存：" + "、".join(sources),
            "Evidence files are missing, the case cannot be sealed: " + ", ".join(sources),
        ),
        status=409,
    )


def case_files(case: Case, store: BlobStore) -> list[EvidenceFile]:
    """Every stored file the case refers to; raises KioskError(evidence_missing) if one is not in the store."""
    files: list[EvidenceFile] = []
    missing: list[str] = []
    for a in case.attachments:
        source = f"attachment:{a.id}:{a.kind}"
        size = store.stored_size(a.original_sha256)
        if size is None:
            missing.append(source)
        files.append(EvidenceFile(a.original_sha256, a.original_size, a.encrypted, a.media_type, "attachment_original", source))
        if a.normalised_sha256:
            nsize = store.stored_size(a.normalised_sha256)
            if nsize is None:
                missing.append(source + ":normalised")
            files.append(
                EvidenceFile(a.normalised_sha256, nsize or 0, a.encrypted, "", "attachment_normalised", source)
            )
    for p in case.photo_attempts:
        source = f"photo_attempt:{p.id}"
        if store.stored_size(p.image_sha256) is None:
            missing.append(source)
        path = store.find(p.image_sha256)
        encrypted = bool(path and path.name.endswith(".enc"))
        files.append(EvidenceFile(p.image_sha256, p.image_size, encrypted, "image/jpeg", "photo_attempt", source))
        for i, card in enumerate((p.identity or {}).get("cards", [])):
            for side in ("live", "card"):
                sha = card.get(f"{side}_face_sha256")
                if sha:
                    size = store.stored_size(sha)
                    if size is None:
                        missing.append(f"{source}:face:{i}:{side}")
                    files.append(EvidenceFile(sha, size or 0, store.can_encrypt, "image/jpeg", "face_crop",
                                              f"{source}:face:{i}:{side}"))
    if missing:
        raise missing_evidence(missing)
    return files
