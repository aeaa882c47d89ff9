"""The access log: every search, view, download and export of evidence, append-only and hash-chained.

entry_hash = SHA-256 of the canonical JSON of {at, actor_id, actor_name, action, target, detail, remote_addr,
prev_hash}; prev_hash is the previous entry's hash (GENESIS for the first). The chain head is kept in the
`settings` row ACCESS_HEAD_KEY, locked with SELECT ... FOR UPDATE on PostgreSQL so that kiosks sharing one
database append one after another (SQLite serialises writers itself).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.archive.chainhead import lock_head_row
from kiosk.archive.manifest import GENESIS, canonical_json, iso
from kiosk.archive.problems import Problem
from kiosk.archive.store import sha256_hex
from kiosk.models import AccessLogEntry, Setting, User
from kiosk.text import Text

ACCESS_HEAD_KEY = "access_log_head"
ACTIONS = ("search", "view", "download", "export", "refused")


def entry_hash(entry: AccessLogEntry) -> str:
    return sha256_hex(
        canonical_json(
            {
                "at": iso(entry.at),
                "actor_id": entry.actor_id,
                "actor_name": entry.actor_name,
                "action": entry.action,
                "target": entry.target,
                "detail": entry.detail,
                "remote_addr": entry.remote_addr,
                "prev_hash": entry.prev_hash,
            }
        )
    )


def _lock_head(session: Session) -> Setting:
    def initial() -> bytes:
        last = session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc()).limit(1)).first()
        return (last.entry_hash if last else GENESIS).encode()

    return lock_head_row(session, ACCESS_HEAD_KEY, initial)


def record_access(
    session: Session,
    actor: User | None,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    remote_addr: str = "",
) -> AccessLogEntry:
    """Append one entry to the access log (added and flushed, not committed)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    head = _lock_head(session)
    entry = AccessLogEntry(
        at=dt.datetime.now(dt.UTC),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else "",
        action=action,
        target=target[:200],
        detail=dict(detail or {}),
        remote_addr=(remote_addr or "")[:64],
        prev_hash=bytes(head.value).decode(),
    )
    entry.entry_hash = entry_hash(entry)
    head.value = entry.entry_hash.encode()
    session.add(entry)
    session.flush()
    return entry


def verify_access_log(session: Session) -> list[Problem]:
    """Every altered entry, broken link and missing tail of the access log (empty when intact)."""
    problems: list[Problem] = []
    prev = GENESIS
    count = 0
    for entry in session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id).execution_options(yield_per=2000)):
        count += 1
        subject = f"access log entry {entry.id}"
        if entry.prev_hash != prev:
            problems.append(
                Problem(
                    "access_log_broken",
                    subject,
                    Text(
                        "访问日志链断裂：前一条记录被删除或篡改",
                        f"chain broken: refers to {entry.prev_hash[:16]}…, the previous entry is {prev[:16]}…",
                    ),
                )
            )
        actual = entry_hash(entry)
        if actual != entry.entry_hash:
            problems.append(
                Problem(
                    "access_log_altered",
                    subject,
                    Text("访问日志记录被修改", f"entry altered: its content hashes to {actual[:16]}…, not {entry.entry_hash[:16]}…"),
                )
            )
        prev = entry.entry_hash
    head = session.get(Setting, ACCESS_HEAD_KEY)
    if head is not None and bytes(head.value).decode() != prev:
        problems.append(
            Problem(
                "access_log_broken",
                "access log head",
                Text("访问日志末尾的记录被删除", f"the newest entries were removed (head {bytes(head.value).decode()[:16]}…, last entry {prev[:16]}…)"),
            )
        )
    return problems
