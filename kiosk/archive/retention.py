"""Retention: delete sealed evidence past the retention period (cases on legal hold are kept), leaving a signed
tombstone manifest in the chain that names every removed file.

Order per case, safe against a crash: the tombstone is written and committed first, then the files are deleted.
A crash in between leaves files the tombstone names; verify-archive reports them and the next run deletes them.
Files another case still refers to (content-addressed storage deduplicates) are never deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.archive.manifest import live_files, manifest_path
from kiosk.archive.sealing import append_manifest
from kiosk.archive.signing import Signer
from kiosk.archive.store import BlobStore
from kiosk.db import Database
from kiosk.models import Attachment, AuditEvent, BlobRecord, Case, PhotoAttempt, Seal, SealKind, User
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ExpiredCase:
    number: str
    sealed_at: dt.datetime
    files: int
    bytes: int
    tombstone_sequence: int | None


@dataclass(slots=True)
class ExpiryReport:
    cutoff: dt.datetime
    dry_run: bool
    expired: list[ExpiredCase] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # case numbers kept for legal hold
    leftovers: int = 0  # files of earlier tombstones deleted now (an interrupted run)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "expired": [{"case": e.number, "sealed_at": e.sealed_at.isoformat(), "files": e.files, "bytes": e.bytes,
                         "tombstone_sequence": e.tombstone_sequence} for e in self.expired],
            "held": self.held,
            "leftovers": self.leftovers,
        }


def _manifest_content(store: BlobStore, seal: Seal) -> dict[str, Any] | None:
    path = manifest_path(store.root, seal.sequence, seal.manifest_sha256)
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _others_refs(session: Session, case_id: int) -> set[str]:
    refs: set[str] = set()
    refs.update(session.scalars(select(Attachment.original_sha256).where(Attachment.case_id != case_id)))
    refs.update(x for x in session.scalars(select(Attachment.normalised_sha256).where(Attachment.case_id != case_id)) if x)
    refs.update(session.scalars(select(PhotoAttempt.image_sha256).where(PhotoAttempt.case_id != case_id)))
    return refs


def expire(
    db: Database,
    store: BlobStore,
    signer: Signer,
    kiosk_name: str,
    *,
    retention_days: int,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> ExpiryReport:
    """Expire every sealed case whose newest sealing is older than `retention_days` and not on legal hold."""
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=retention_days)
    report = ExpiryReport(cutoff, dry_run)
    with db.session() as session:
        rows = session.execute(select(Seal.case_id, Seal.kind, Seal.sealed_at).where(Seal.case_id.is_not(None))
                               .order_by(Seal.sequence)).all()
    last: dict[int, tuple[str, dt.datetime]] = {}
    for case_id, kind, sealed_at in rows:
        if case_id is not None:
            last[case_id] = (kind, sealed_at)
    for case_id, (kind, sealed_at) in sorted(last.items()):
        if kind == SealKind.TOMBSTONE:
            if not dry_run:
                report.leftovers += _delete_leftovers(db, store, case_id)
            continue
        if sealed_at > cutoff:
            continue
        with db.session() as session:
            case = session.get(Case, case_id)
            if case is None:
                continue
            if case.legal_hold:
                report.held.append(case.number)
                continue
            seals = list(session.scalars(select(Seal).where(Seal.case_id == case_id).order_by(Seal.sequence)))
            files: dict[str, dict[str, Any]] = {}
            for seal in seals:
                content = _manifest_content(store, seal)
                for f in live_files(content or {}):
                    files[str(f["sha256"])] = f
            keep = _others_refs(session, case_id)
            removed = [
                {k: f.get(k) for k in ("sha256", "size", "role", "source")}
                for sha, f in sorted(files.items())
                if sha not in keep
            ]
            size = sum(int(f.get("size") or 0) for f in removed)
            if dry_run:
                report.expired.append(ExpiredCase(case.number, sealed_at, len(removed), size, None))
                continue
            tomb = append_manifest(
                session, store, signer, kind=SealKind.TOMBSTONE, case=case, actor=None, kiosk_name=kiosk_name, files=[],
                extra={"removed": removed, "reason": "retention", "retention_days": retention_days,
                       "expired_seals": [s.sequence for s in seals]},
                now=now,
            )
            for f in removed:
                rec = session.get(BlobRecord, f["sha256"])
                if rec is not None:
                    rec.deleted_at = now
            number, sequence = case.number, tomb.sequence
        # committed: now delete the files the tombstone names
        for f in removed:
            store.delete(str(f["sha256"]))
        log.warning("retention: case %s sealed %s expired; %d files (%d bytes) removed; tombstone %d",
                    number, sealed_at.isoformat(), len(removed), size, sequence)
        report.expired.append(ExpiredCase(number, sealed_at, len(removed), size, sequence))
    return report


def _delete_leftovers(db: Database, store: BlobStore, case_id: int) -> int:
    """Delete files a committed tombstone names that are still stored (an earlier run was interrupted)."""
    with db.session() as session:
        tomb = session.scalars(select(Seal).where(Seal.case_id == case_id, Seal.kind == SealKind.TOMBSTONE)
                               .order_by(Seal.sequence.desc()).limit(1)).first()
        content = _manifest_content(store, tomb) if tomb else None
        keep = _others_refs(session, case_id)
    count = 0
    for f in (content or {}).get("removed") or []:
        sha = str(f.get("sha256"))
        if sha not in keep and store.delete(sha):
            log.warning("retention: removed leftover file %s of an interrupted expiry", sha)
            count += 1
    return count


MAX_HOLD_REASON = 500


def set_legal_hold(session: Session, case: Case, hold: bool, reason: str | None, actor: User,
                   remote_addr: str = "") -> None:
    """Put `case` on legal hold (its evidence outlives retention) or release it, with a written reason; audited.
    Raises KioskError("reason_required") without a reason."""
    text = (reason or "").strip()[:MAX_HOLD_REASON]
    if not text:
        raise KioskError("reason_required", Text("请填写原因", "Please give a reason"))
    case.legal_hold = hold
    session.add(AuditEvent(actor_id=actor.id, action="legal_hold_on" if hold else "legal_hold_off",
                           target=f"case:{case.number}", detail={"reason": text}, remote_addr=remote_addr))
