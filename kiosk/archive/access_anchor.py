"""Anchoring the access log: its head (last entry id + entry hash) goes into every new manifest and into a signed
checkpoint file `<archive>/access_log/checkpoint.json`, so that rewriting, deleting, truncating or wiping the log in
the database is detected by `verify-archive` even when the attacker re-chains the hashes and fixes the head row.

The checkpoint is one canonical-JSON file holding the head, the signing key's fingerprint and an Ed25519
signature over the rest; it is written atomically after the sealing that anchored the same head commits, and never
replaced by an older head.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.archive.manifest import canonical_json, iso
from kiosk.archive.problems import Problem
from kiosk.archive.signing import Signer, verify_signature
from kiosk.files import atomic_write
from kiosk.models import AccessLogEntry
from kiosk.text import Text

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "beian-kiosk-access-checkpoint/1"
CHECKPOINT_DIR = "access_log"
CHECKPOINT_NAME = "checkpoint.json"
ANCHOR_FIELD = "access_log_head"


def checkpoint_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / CHECKPOINT_DIR / CHECKPOINT_NAME


def access_head(session: Session) -> dict[str, Any] | None:
    """The access log's newest entry as {"entry_id", "entry_hash"}, or None while the log is empty."""
    last = session.execute(
        select(AccessLogEntry.id, AccessLogEntry.entry_hash).order_by(AccessLogEntry.id.desc()).limit(1)
    ).first()
    return {"entry_id": last[0], "entry_hash": last[1]} if last else None


def _signed_part(data: Mapping[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in data.items() if k != "signature"})


def read_checkpoint(archive_dir: Path) -> dict[str, Any] | None:
    """The checkpoint's content, None when there is none; raises ValueError when it is not valid JSON."""
    path = checkpoint_path(archive_dir)
    if not path.exists():
        return None
    content = json.loads(path.read_bytes())
    if not isinstance(content, dict):
        raise ValueError("checkpoint is not a JSON object")
    return content


def write_checkpoint(archive_dir: Path, signer: Signer, head: Mapping[str, Any]) -> bool:
    """Sign `head` and write it as the checkpoint (atomically); an existing newer checkpoint is kept.
    Returns True when written."""
    try:
        old = read_checkpoint(archive_dir)
    except ValueError:
        old = None
    if old is not None and isinstance(old.get("entry_id"), int) and old["entry_id"] > int(head["entry_id"]):
        return False
    content: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "entry_id": int(head["entry_id"]),
        "entry_hash": str(head["entry_hash"]),
        "signed_at": iso(dt.datetime.now(dt.UTC)),
        "signing_key": signer.fingerprint,
    }
    content["signature"] = signer.sign(_signed_part(content)).decode().strip()
    root = Path(archive_dir)
    atomic_write(checkpoint_path(root), canonical_json(content), root / "tmp")
    return True



def checkpoint_due(head: Mapping[str, Any] | None, checkpoint: Mapping[str, Any] | None, *, every_entries: int,
                   max_age_seconds: float, now: dt.datetime | None = None) -> bool:
    """Whether the log has moved on far enough from the last checkpoint to sign a new one: `every_entries` new
    entries, or any new entry once the checkpoint is `max_age_seconds` old (or unreadable, or missing)."""
    if head is None:
        return False
    if checkpoint is None or not isinstance(checkpoint.get("entry_id"), int):
        return True
    behind = int(head["entry_id"]) - int(checkpoint["entry_id"])
    if behind <= 0:
        return False
    if behind >= every_entries:
        return True
    try:
        signed = dt.datetime.fromisoformat(str(checkpoint.get("signed_at", "")).replace("Z", "+00:00"))
    except ValueError:
        return True
    return ((now or dt.datetime.now(dt.UTC)) - signed).total_seconds() >= max_age_seconds


def refresh_checkpoint(session: Session, archive_dir: Path, signer: Signer, *, every_entries: int,
                       max_age_seconds: float, force: bool = False) -> dict[str, Any] | None:
    """Sign the access log's current head into the checkpoint when it is due (or `force`), so entries logged
    after the last sealing are anchored too. Returns the head written, else None. Call after the entries are
    committed: an uncommitted head must never be signed."""
    head = access_head(session)
    if head is None:
        return None
    try:
        old = read_checkpoint(archive_dir)
    except ValueError:
        old = None
    if not force and not checkpoint_due(head, old, every_entries=every_entries, max_age_seconds=max_age_seconds):
        return None
    return head if write_checkpoint(archive_dir, signer, head) else None


def _problem(code: str, subject: str, zh: str, en: str) -> Problem:
    return Problem(code, subject, Text(zh, en))


def checkpoint_problems(
    archive_dir: Path, keys: Mapping[str, Ed25519PublicKey], anchored: bool
) -> tuple[list[Problem], dict[str, Any] | None]:
    """Problems of the checkpoint file itself, and its head when it can be trusted. `anchored`: some manifest
    anchors a head, so a missing checkpoint is a problem."""
    subject = f"{CHECKPOINT_DIR}/{CHECKPOINT_NAME}"
    try:
        content = read_checkpoint(archive_dir)
    except ValueError:
        return [_problem("access_log_bad_checkpoint", subject, "访问日志检查点不是有效的 JSON", "not valid JSON")], None
    if content is None:
        if anchored:
            return [_problem("access_log_bad_checkpoint", subject, "访问日志的签名检查点缺失",
                             "the signed checkpoint is missing, though manifests anchor the access log")], None
        return [], None
    key = keys.get(str(content.get("signing_key", "")))
    if key is None:
        return [_problem("access_log_bad_checkpoint", subject, "访问日志检查点的签名密钥未知",
                         f"signed with unknown key {content.get('signing_key')!r}")], None
    if not verify_signature(key, str(content.get("signature", "")).encode(), _signed_part(content)):
        return [_problem("access_log_bad_checkpoint", subject, "访问日志检查点的签名无效",
                         "the signature does not match")], None
    return [], {"entry_id": content.get("entry_id"), "entry_hash": content.get("entry_hash")}


def anchor_problems(session: Session, anchors: list[tuple[str, Mapping[str, Any]]]) -> list[Problem]:
    """Compare the access log with every anchored head ((subject, head) pairs): a wiped log, a tail truncated
    below an anchored id, and an anchored entry rewritten or deleted are each named."""
    anchors = [(s, a) for s, a in anchors if isinstance(a, Mapping) and isinstance(a.get("entry_id"), int)]
    if not anchors:
        return []
    count, top = session.execute(select(func.count(), func.max(AccessLogEntry.id)).select_from(AccessLogEntry)).one()
    if not count:
        return [_problem("access_log_wiped", "access log", "访问日志被清空",
                         f"the access log is empty, but {len(anchors)} anchor(s) name entries up to "
                         f"{max(int(a['entry_id']) for _, a in anchors)}")]
    ids = sorted({int(a["entry_id"]) for _, a in anchors})
    hashes: dict[int, str] = {
        entry_id: entry_hash
        for entry_id, entry_hash in session.execute(
            select(AccessLogEntry.id, AccessLogEntry.entry_hash).where(AccessLogEntry.id.in_(ids))
        )
    }
    problems: list[Problem] = []
    for subject, anchor in anchors:
        entry_id = int(anchor["entry_id"])
        actual = hashes.get(entry_id)
        if entry_id > top:
            problems.append(_problem("access_log_truncated", subject, "访问日志末尾被截断（已锚定的记录不见了）",
                                     f"anchors entry {entry_id}, but the log ends at entry {top}"))
        elif actual is None:
            problems.append(_problem("access_log_anchor_mismatch", subject, "已锚定的访问日志记录被删除",
                                     f"anchors entry {entry_id}, which is gone"))
        elif actual != anchor.get("entry_hash"):
            problems.append(_problem("access_log_anchor_mismatch", subject, "访问日志被改写（与锚定的哈希不符）",
                                     f"anchors entry {entry_id} as {str(anchor.get('entry_hash'))[:16]}…, "
                                     f"it is now {actual[:16]}…"))
    return problems
