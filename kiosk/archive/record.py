"""The sealed record of a case: its newest sealed evidence snapshot with the decisions sealed after it (current
state, record number, the whole timeline), and the comparison of that record with the database rows.

The database is the working copy; the sealed record is what was signed. Once a case is sealed and not open for
correction (awaiting audit, audit passed, at the Administration, SMS pending, approved), every field of the
snapshot (filing information, websites, people, attachments with their checks, pass marks and override reasons,
photo attempts with their check rows) must still equal the database; the state, the record number and the
timeline must equal what the decisions say, always. Each difference is a Problem("record_mismatch") naming the
field; values of ID and certificate numbers are masked in the message.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.archive.evidence import build_snapshot
from kiosk.archive.manifest import manifest_path
from kiosk.archive.problems import Problem
from kiosk.archive.store import BlobIntegrityError, BlobMissingError, BlobStore
from kiosk.models import Case, Seal, SealKind
from kiosk.text import Text
from kiosk.workflow import EDITABLE_STATES

# Keys that legitimately change after sealing, or are added by the sealing itself.
_VOLATILE_TOP = frozenset({"sealed_at", "kiosk_name", "format", "timeline", "sealed_state", "decisions"})
_VOLATILE_CASE = frozenset({"legal_hold", "state", "record_number"})
_MASKED = ("id_number", "cert_number", "readings")


def evidence_snapshot_sha(content: dict[str, Any]) -> str | None:
    """The SHA-256 of the evidence snapshot a manifest lists (None for decisions and tombstones)."""
    files = content.get("files") or []
    return next((str(f.get("sha256")) for f in files if isinstance(f, dict) and f.get("role") == "evidence_snapshot"),
                None)


def apply_decisions(evidence: dict[str, Any], later: list[dict[str, Any]]) -> dict[str, Any]:
    """The current record: `evidence` (a sealed snapshot) with the decision manifests in `later` (the manifests
    sealed after it, in chain order; other kinds are ignored) applied: current state and record number, the
    timeline extended by each decision. The sealed state is kept as "sealed_state"."""
    current = copy.deepcopy(evidence)
    case = current.setdefault("case", {})
    current["sealed_state"] = case.get("state")
    timeline = current.setdefault("timeline", [])
    decisions = 0
    for m in later:
        d = m.get("decision") if m.get("kind") == SealKind.DECISION else None
        if not isinstance(d, dict):
            continue
        decisions += 1
        case["state"] = d.get("to_state")
        case["record_number"] = d.get("record_number")
        timeline.append({k: d.get(k) for k in ("at", "actor", "move", "from_state", "to_state", "reason")})
    current["decisions"] = decisions
    return current


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """The case's current sealed record (None when the snapshot cannot be read) and the manifests it came from."""

    current: dict[str, Any] | None
    seals: list[Seal]
    unreadable: str = ""  # why the snapshot could not be read ("" when it was)


def load_sealed_record(session: Session, store: BlobStore, case_id: int) -> SealedRecord:
    """Read the case's manifests from the archive: the newest snapshot, then the decisions after it."""
    seals = list(session.scalars(select(Seal).where(Seal.case_id == case_id).order_by(Seal.sequence)))
    contents: list[dict[str, Any]] = []
    for seal in seals:
        try:
            content = json.loads(manifest_path(store.root, seal.sequence, seal.manifest_sha256).read_bytes())
        except (OSError, ValueError):
            content = {}
        contents.append(content if isinstance(content, dict) else {})
    for i in range(len(contents) - 1, -1, -1):
        if seals[i].kind == SealKind.TOMBSTONE:
            return SealedRecord(None, seals, "expired")
        sha = evidence_snapshot_sha(contents[i])
        if sha is None:
            continue
        try:
            evidence = json.loads(store.get(sha))
        except (BlobMissingError, BlobIntegrityError, RuntimeError, ValueError) as exc:
            return SealedRecord(None, seals, type(exc).__name__)
        return SealedRecord(apply_decisions(evidence, contents[i + 1:]), seals)
    return SealedRecord(None, seals, "no snapshot")


def _normalise(value: Any) -> Any:
    """User references compare by id (names and roles of users may change); lists of rows are keyed by id."""
    if isinstance(value, dict):
        if set(value) == {"id", "username", "display_name", "role"}:
            return {"user_id": value["id"]}
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _show(path: str, value: Any) -> str:
    if any(m in path for m in _MASKED) and value not in (None, "", {}, []):
        text = json.dumps(value, ensure_ascii=False)
        return f"…{text[-4:]}" if len(text) > 4 else "…"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "…"


def _diff(path: str, sealed: Any, db: Any, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(sealed, dict) and isinstance(db, dict):
        for key in sorted(set(sealed) | set(db)):
            _diff(f"{path}.{key}" if path else key, sealed.get(key), db.get(key), out)
    elif isinstance(sealed, list) and isinstance(db, list):
        keyed = all(isinstance(v, dict) and "id" in v for v in [*sealed, *db])
        if keyed:
            s_by = {v["id"]: v for v in sealed}
            d_by = {v["id"]: v for v in db}
            for key in [*s_by, *(k for k in d_by if k not in s_by)]:
                _diff(f"{path}[id={key}]", s_by.get(key), d_by.get(key), out)
        else:
            for i in range(max(len(sealed), len(db))):
                _diff(f"{path}[{i}]", sealed[i] if i < len(sealed) else None, db[i] if i < len(db) else None, out)
    elif sealed != db:
        out.append((path, sealed, db))


def compare_record(current: dict[str, Any], case: Case) -> list[Problem]:
    """Every difference between the current sealed record and the database rows of `case`."""
    db = _normalise(build_snapshot(case))
    sealed = _normalise(current)
    diffs: list[tuple[str, Any, Any]] = []
    sealed_case, db_case = sealed.get("case") or {}, db.get("case") or {}
    for key in ("state", "record_number"):
        if sealed_case.get(key) != db_case.get(key):
            diffs.append((f"case.{key}", sealed_case.get(key), db_case.get(key)))
    _diff("timeline", sealed.get("timeline") or [], db.get("timeline") or [], diffs)
    if sealed_case.get("state") not in {s.value for s in EDITABLE_STATES}:  # not open for correction: all must hold
        for key in sorted((set(sealed) | set(db)) - _VOLATILE_TOP):
            if key == "case":
                _diff("case", {k: v for k, v in sealed_case.items() if k not in _VOLATILE_CASE},
                      {k: v for k, v in db_case.items() if k not in _VOLATILE_CASE}, diffs)
            else:
                _diff(key, sealed.get(key), db.get(key), diffs)
    subject = f"case {case.number}"
    return [
        Problem("record_mismatch", f"{subject}: {path}",
                Text(f"数据库与封存记录不一致：{path}（封存：{_show(path, a)}，数据库：{_show(path, b)}）",
                     f"the database differs from the sealed record at {path} (sealed {_show(path, a)}, "
                     f"database {_show(path, b)})"))
        for path, a, b in diffs
    ]


def record_problems(session: Session, store: BlobStore, case: Case) -> list[Problem]:
    """The case's sealed record compared with its database rows (empty when they agree, when the case was never
    sealed, or when the snapshot cannot be read: that is reported by the file checks)."""
    record = load_sealed_record(session, store, case.id)
    if record.current is None:
        return []
    return compare_record(record.current, case)
