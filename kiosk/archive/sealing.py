"""Sealing: write a case's evidence manifest into the sealing kiosk's own signed hash chain.

Write order (each step atomic: temporary file, fsync, rename, fsync of the folder):

1. lock the kiosk's chain head in the database (SELECT ... FOR UPDATE on PostgreSQL, so other kiosks do not wait;
   SQLite serialises writers), take the kiosk's next chain position and the archive's next manifest number (a
   PostgreSQL sequence; on SQLite the last plus one) and add the Seal row, flushed (not committed) so that a race
   fails now;
2. a journal file `pending/<manifest name>.<host>~<pid>.json` naming what is about to be written;
3. the evidence snapshot blob (encrypted: it holds ID numbers and OCR readings);
4. the detached signature, then the manifest itself;
5. the caller commits (the case's state change and the Seal row together); the journal is then removed.

A rollback removes what steps 2-4 wrote. A crash leaves the journal, and `kiosk.archive.recovery.recover` then
completes (the Seal row was committed) or removes (it was not) the sealing. Sealed evidence is never changed: a
correction is a new manifest whose `supersedes` names the old one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from kiosk.archive.access_anchor import ANCHOR_FIELD, access_head, write_checkpoint
from kiosk.archive.chainhead import lock_head_row
from kiosk.archive.evidence import EvidenceFile, build_snapshot, case_files, user_ref
from kiosk.archive.manifest import (
    FORMAT,
    GENESIS,
    canonical_json,
    iso,
    manifest_path,
    signature_path,
)
from kiosk.archive.signing import Signer, public_pem, public_raw
from kiosk.archive.store import BlobStore, sha256_hex
from kiosk.files import atomic_write, tmp_owner
from kiosk.models import BlobRecord, Case, CaseEvent, KioskKey, Seal, SealKind, Setting, User
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

CHAIN_HEAD_KEY = "archive_chain_head"  # head of the archive-wide chain of format 1 manifests (no longer grows)
KIOSK_CHAIN_HEAD_PREFIX = "chain_head:"
ARCHIVE_SEQUENCE = "archive_sequence"  # PostgreSQL sequence numbering manifests (migration 203417d9032e)
SIGNING_KEY_PREFIX = "signing_key:"
PENDING_DIR = "pending"
_PENDING = "kiosk.archive.pending_seals"

# Test hook: crash-injection tests set this to a callable(step_name) that raises between steps.
FAULT_HOOK: Any = None

STEPS = ("locked", "journal", "snapshot", "signature", "manifest", "committed")


def _fault(step: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(step)


def chain_mismatch(expected: str, actual: str) -> KioskError:
    return KioskError(
        "archive_chain_mismatch",
        Text(
            f"档案链头与数据库不一致（记录为 {expected}，实际为 {actual}），请运行 verify-archive",
            f"The archive chain head does not match the database (recorded {expected}, found {actual}); run verify-archive",
        ),
        status=500,
    )


def _head_value(sequence: int, sha256: str) -> bytes:
    return f"{sequence}:{sha256}".encode()


def kiosk_chain_key(kiosk_name: str) -> str:
    """The `settings` key of `kiosk_name`'s chain head (a digest of the name when the name is too long for it)."""
    key = KIOSK_CHAIN_HEAD_PREFIX + kiosk_name
    return key if len(key) <= 64 else KIOSK_CHAIN_HEAD_PREFIX + "#" + sha256_hex(kiosk_name.encode())[:48]


def last_kiosk_link(session: Session, kiosk_name: str) -> tuple[int, str]:
    """(chain position, manifest hash) of `kiosk_name`'s newest manifest, (0, GENESIS) before its first."""
    last = session.scalars(select(Seal).where(Seal.kiosk_name == kiosk_name, Seal.chain_sequence.is_not(None))
                           .order_by(Seal.chain_sequence.desc()).limit(1)).first()
    return (last.chain_sequence or 0, last.manifest_sha256) if last else (0, GENESIS)


def lock_kiosk_chain(session: Session, kiosk_name: str) -> tuple[Setting, int, str]:
    """Lock `kiosk_name`'s chain head row and return it with the kiosk's last (chain position, manifest hash).
    Other kiosks' chains are not locked. Raises KioskError(archive_chain_mismatch) when the recorded head
    disagrees with the kiosk's last Seal row."""
    row = lock_head_row(session, kiosk_chain_key(kiosk_name), lambda: _head_value(*last_kiosk_link(session, kiosk_name)))
    position, sha = last_kiosk_link(session, kiosk_name)
    if bytes(row.value) != _head_value(position, sha):
        raise chain_mismatch(f"{kiosk_name} {bytes(row.value).decode(errors='replace')}", f"{position}:{sha}")
    return row, position, sha


def next_sequence(session: Session) -> int:
    """The archive's next manifest number: PostgreSQL's archive_sequence (no lock shared by kiosks; a rolled back
    sealing leaves a gap), elsewhere the last plus one (SQLite: the caller already holds the write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        return int(session.scalar(text(f"SELECT nextval('{ARCHIVE_SEQUENCE}')")))
    return int(session.scalar(select(func.coalesce(func.max(Seal.sequence), 0))) or 0) + 1


def register_kiosk_key(session: Session, kiosk_name: str, signer: Signer) -> None:
    """Make sure `signer`'s key is in the kiosk registry under `kiosk_name` (in this transaction). Raises
    KioskError(signing_key_of_another_kiosk) when the key is registered to another kiosk."""
    row = session.scalar(select(KioskKey).where(KioskKey.fingerprint == signer.fingerprint))
    if row is None:
        session.add(KioskKey(kiosk_name=kiosk_name, fingerprint=signer.fingerprint,
                             public_key_pem=public_pem(signer.public_key).decode()))
    elif row.kiosk_name != kiosk_name:
        raise key_of_another_kiosk(signer.fingerprint, row.kiosk_name)


def key_of_another_kiosk(fingerprint: str, owner: str) -> KioskError:
    return KioskError("signing_key_of_another_kiosk", Text(
        f"签名密钥 {fingerprint} 已登记给终端 {owner}：每台终端须有自己的密钥",
        f"Signing key {fingerprint} is registered to kiosk {owner}: every kiosk needs its own key"))


def register_signing_key(session: Session, signer: Signer) -> None:
    """Record the signer's public key in the database (a trust anchor independent of the archive folder)."""
    key = SIGNING_KEY_PREFIX + signer.fingerprint
    if session.get(Setting, key) is None:
        session.add(Setting(key=key, value=public_raw(signer.public_key)))


@dataclass(slots=True)
class PendingSeal:
    """Files one uncommitted sealing wrote, to remove if its transaction rolls back."""

    journal: Path
    manifest: Path
    signature: Path
    snapshot_sha256: str | None
    snapshot_new: bool
    store: BlobStore
    signer: Signer | None = None
    access_head: dict[str, Any] | None = None  # anchored in the manifest; the signed checkpoint once committed


def undo_files(p: PendingSeal) -> None:
    """Remove what an uncommitted sealing wrote (manifest first, journal last). Best effort: a step that fails
    (say, a folder fsync on a full disk) is logged and the rest still runs; the journal, if left, lets recovery
    finish the job."""
    steps: list[Callable[[], object]] = [lambda: p.manifest.unlink(missing_ok=True),
                                          lambda: p.signature.unlink(missing_ok=True)]
    if p.snapshot_sha256 and p.snapshot_new:
        steps.append(lambda: p.store.delete(p.snapshot_sha256 or ""))
    failed = False
    for step in steps:
        try:
            step()
        except OSError:
            failed = True
            log.exception("could not undo part of sealing %s", p.manifest.name)
    if not failed:
        p.journal.unlink(missing_ok=True)


def _after_commit(session: Session) -> None:
    for p in session.info.pop(_PENDING, []):
        _fault("committed")
        p.journal.unlink(missing_ok=True)
        if p.signer is not None and p.access_head is not None:
            try:
                write_checkpoint(p.store.root, p.signer, p.access_head)
            except (OSError, KioskError):  # the manifest still anchors the head; the next sealing writes it
                log.exception("could not write the access-log checkpoint after %s", p.manifest.name)


def _after_rollback(session: Session) -> None:
    for p in session.info.pop(_PENDING, []):
        log.info("sealing rolled back; removing %s", p.manifest.name)
        undo_files(p)


def _track(session: Session, pending: PendingSeal) -> None:
    if not session.info.get(_PENDING + ".hooked"):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
        session.info[_PENDING + ".hooked"] = True
    session.info.setdefault(_PENDING, []).append(pending)


def journal_path(store: BlobStore, manifest_name: str) -> Path:
    return store.root / PENDING_DIR / f"{manifest_name}.{tmp_owner()}.json"


def append_manifest(
    session: Session,
    store: BlobStore,
    signer: Signer,
    *,
    kind: str,
    case: Case | None,
    actor: User | None,
    kiosk_name: str,
    files: list[dict[str, Any]],
    extra: dict[str, Any],
    snapshot: bytes | None = None,
    supersedes: Seal | None = None,
    now: dt.datetime | None = None,
    retain_until: dt.datetime | None = None,
) -> Seal:
    """Append one signed manifest to the chain and add its Seal row to `session` (flushed, not committed).

    Raises KioskError(disk_full) when the archive is full (nothing is left behind), or the database's
    IntegrityError when another kiosk took the same sequence (retry the whole transaction).
    """
    now = now or dt.datetime.now(dt.UTC)
    head, last_position, last_sha = lock_kiosk_chain(session, kiosk_name)
    position = last_position + 1
    sequence = next_sequence(session)
    register_kiosk_key(session, kiosk_name, signer)
    register_signing_key(session, signer)
    signer.publish(store.root)

    snapshot_sha = None
    snapshot_new = False
    files = list(files)
    if snapshot is not None:
        snapshot_sha = sha256_hex(snapshot)
        snapshot_new = not store.exists(snapshot_sha)
        files.insert(
            0,
            EvidenceFile(
                snapshot_sha, len(snapshot), store.can_encrypt, "application/json", "evidence_snapshot", "snapshot"
            ).as_dict(),
        )
    content: dict[str, Any] = {
        "format": FORMAT,
        "sequence": sequence,
        "chain_sequence": position,
        "kind": kind,
        "prev_manifest_sha256": last_sha,
        "case": {"id": case.id, "number": case.number} if case is not None else None,
        "supersedes": (
            {"sequence": supersedes.sequence, "manifest_sha256": supersedes.manifest_sha256} if supersedes else None
        ),
        "sealed_at": iso(now),
        "sealed_by": user_ref(actor),
        "kiosk_name": kiosk_name,
        "signing_key": signer.fingerprint,
        "files": files,
        ANCHOR_FIELD: access_head(session),
        **extra,
    }
    data = canonical_json(content)
    sha = sha256_hex(data)
    signature = signer.sign(data)

    seal = Seal(
        case_id=case.id if case is not None else None,
        sequence=sequence,
        chain_sequence=position,
        kind=kind,
        manifest_sha256=sha,
        prev_manifest_sha256=last_sha,
        supersedes_id=supersedes.id if supersedes else None,
        sealed_at=now,
        sealed_by_id=actor.id if actor is not None else None,
        kiosk_name=kiosk_name,
        retain_until=retain_until,
    )
    session.add(seal)
    head.value = _head_value(position, sha)
    seen: set[str] = set()
    for f in files:
        if f["sha256"] not in seen:
            seen.add(f["sha256"])
            if session.get(BlobRecord, f["sha256"]) is None:
                session.add(
                    BlobRecord(sha256=f["sha256"], size=f["size"], media_type=f["media_type"], encrypted=f["encrypted"])
                )
    session.flush()  # a sequence race fails here, before anything is written
    _fault("locked")

    mpath = manifest_path(store.root, sequence, sha)
    pending = PendingSeal(
        journal=journal_path(store, mpath.name),
        manifest=mpath,
        signature=signature_path(mpath),
        snapshot_sha256=snapshot_sha,
        snapshot_new=snapshot_new,
        store=store,
        signer=signer,
        access_head=content[ANCHOR_FIELD],
    )
    journal = {
        "manifest": mpath.name,
        "snapshot_sha256": snapshot_sha,
        "snapshot_new": snapshot_new,
        "owner": tmp_owner(),
        "started": iso(now),
        "case": content["case"],
    }
    try:
        atomic_write(pending.journal, json.dumps(journal).encode(), store.tmp_dir)
        _fault("journal")
        if snapshot is not None:
            store.put(snapshot, encrypt=store.can_encrypt, media_type="application/json")
        _fault("snapshot")
        atomic_write(pending.signature, signature, store.tmp_dir)
        _fault("signature")
        atomic_write(mpath, data, store.tmp_dir)
        _fault("manifest")
    except BaseException:
        undo_files(pending)
        raise
    _track(session, pending)
    log.info("sealed %s as manifest %s (%s)", content["case"] and content["case"]["number"], mpath.name, kind)
    return seal


def seal_case(
    session: Session,
    store: BlobStore,
    signer: Signer,
    case: Case,
    actor: User,
    kiosk_name: str,
    *,
    kind: str = SealKind.SEAL,
    supersedes: Seal | None = None,
    reason: str | None = None,
    retention_days: int | None = None,
) -> Seal:
    """Seal `case`'s evidence: snapshot + signed manifest chained to the previous one; Seal row added, not committed.

    A case sealed before (returned for correction, re-verified, finished again) gets a "correction" that supersedes
    its newest sealing; the earlier manifests stay as they are. Call it after applying the move (and adding its
    CaseEvent) so the snapshot's timeline includes it. The caller
    commits; on any error it must roll back (the files written here are then removed). Raises
    KioskError(evidence_missing) when a referenced file is not in the store, KioskError(disk_full) when the
    archive is full.
    """
    if kind not in (SealKind.SEAL, SealKind.CORRECTION):
        raise ValueError(f"seal_case cannot write a {kind!r} manifest")
    session.flush()
    if kind == SealKind.SEAL and supersedes is None:
        earlier = latest_seal(session, case.id)
        if earlier is not None:  # sealed before (returned, reopened, finished again): the new sealing corrects it
            kind, supersedes = SealKind.CORRECTION, earlier
            reason = reason or "re-verified"
    if kind == SealKind.CORRECTION and supersedes is None:
        raise ValueError("a correction must name the seal it supersedes")
    session.expire(case, ["attachments", "photo_attempts", "events", "websites", "people"])
    now = dt.datetime.now(dt.UTC)
    files = [f.as_dict() for f in case_files(case, store)]
    snapshot = build_snapshot(case)
    snapshot["sealed_at"] = iso(now)
    snapshot["kiosk_name"] = kiosk_name
    extra: dict[str, Any] = {"reason": reason} if reason else {}
    retain_until = now + dt.timedelta(days=retention_days) if retention_days is not None else None
    seal = append_manifest(
        session,
        store,
        signer,
        kind=kind,
        case=case,
        actor=actor,
        kiosk_name=kiosk_name,
        files=files,
        extra=extra,
        snapshot=canonical_json(snapshot),
        supersedes=supersedes,
        now=now,
        retain_until=retain_until,
    )
    case.sealed_at = now
    return seal


def decision_data(event: CaseEvent, case: Case, actor: User | None) -> dict[str, Any]:
    """What a decision manifest records of one move: the move, states, reason, record number, who and when."""
    return {
        "move": event.move,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "record_number": case.record_number,
        "at": iso(event.at),
        "actor": user_ref(actor),
    }


def seal_decision(
    session: Session,
    store: BlobStore,
    signer: Signer,
    case: Case,
    actor: User,
    kiosk_name: str,
    move_event: CaseEvent,
    *,
    retention_days: int | None = None,
) -> Seal:
    """Append a signed "decision" manifest for `move_event`, a move of the already sealed `case` (internal audit,
    submission, SMS step, approval with its record number, return, withdrawal, reopening). The sealed evidence
    stays as it is; the decision names the newest sealing it follows. Seal row added, not committed; the caller
    commits or rolls back (the files are then removed). Raises ValueError when the case was never sealed."""
    session.flush()  # gives the event its time
    earlier = latest_seal(session, case.id)
    if earlier is None:
        raise ValueError(f"case {case.number} was never sealed: there is nothing to append a decision to")
    now = dt.datetime.now(dt.UTC)
    if move_event.at is None:
        move_event.at = now
    extra = {
        "decision": decision_data(move_event, case, actor),
        "decides": {"sequence": earlier.sequence, "manifest_sha256": earlier.manifest_sha256},
    }
    retain_until = now + dt.timedelta(days=retention_days) if retention_days is not None else None
    return append_manifest(session, store, signer, kind=SealKind.DECISION, case=case, actor=actor,
                           kiosk_name=kiosk_name, files=[], extra=extra, now=now, retain_until=retain_until)


def latest_seal(session: Session, case_id: int) -> Seal | None:
    """The case's newest seal or correction (tombstones excluded)."""
    return session.scalars(
        select(Seal)
        .where(Seal.case_id == case_id, Seal.kind.in_((SealKind.SEAL, SealKind.CORRECTION)))
        .order_by(Seal.sequence.desc())
        .limit(1)
    ).first()


def pending_dir(store: BlobStore) -> Path:
    return store.root / PENDING_DIR
