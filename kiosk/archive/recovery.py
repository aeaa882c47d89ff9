"""Start-up recovery: find half-written archive work and complete it or remove it cleanly, logging each.

- A sealing journal (`pending/*.json`) whose writer is dead: if its Seal row was committed the sealing is complete
  (the journal is removed); if not, the manifest, signature and new snapshot blob it wrote are removed.
- A manifest with no Seal row and no journal (e.g. a database restored from an older backup) is moved to
  `quarantine/`, never deleted: it may be evidence.
- Temporary files of dead writers are removed.
- Orphan blobs (files under blobs/ that no BlobRecord row names) older than `orphan_grace_seconds` are removed;
  younger ones are kept (a writer stores the file before its row). While another writer is alive (a file under
  `writers/`, see kiosk.archive.writers; or the older `writer.pid`), the sweep is skipped; dead writers' files
  are removed.

A writer is dead when it ran on this host and its process is gone (or a zombie, or its pid now belongs to a
later process), or when its work is older than
`grace_seconds` (other kiosks sharing the archive folder may be mid-write).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kiosk.archive import writers
from kiosk.archive.manifest import MANIFEST_DIR, parse_name, signature_path
from kiosk.archive.sealing import PENDING_DIR
from kiosk.archive.store import BlobStore
from kiosk.db import Database
from kiosk.files import fsync_dir, tmp_owner
from kiosk.models import BlobRecord, Seal

log = logging.getLogger(__name__)

QUARANTINE_DIR = "quarantine"
WRITER_LOCK = writers.LEGACY_WRITER_LOCK
ORPHAN_GRACE_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class RecoveryAction:
    action: str  # completed | removed | quarantined | tmp_removed | orphan_removed | orphans_skipped
    path: str
    detail: str


def owner_dead(owner: str, mtime: float, grace_seconds: float) -> bool:
    """Whether the writer `<host>~<pid>` of a file last changed at `mtime` can no longer finish it.

    On this host the process is asked directly (`writers.process_alive`: a zombie, a reused pid, or this pid in
    an earlier life all count as dead); a writer on another host is dead only once its work is older than
    `grace_seconds`."""
    if time.time() - mtime > grace_seconds:
        return True
    if owner == tmp_owner():
        started = writers.process_start_time(os.getpid())
        return started is not None and mtime < started - 1.0  # left by an earlier process with this pid
    return writers.process_alive(owner, written=mtime) is False


def writer_alive(root: Path) -> str | None:
    """The owner of another archive writer still alive (`writers/`, or the older `writer.pid`), else None.
    Dead writers' files are removed."""
    alive = writers.live_writers(root)
    return alive[0] if alive else None


def remove_orphans(db: Database, store: BlobStore, grace_seconds: float) -> list[RecoveryAction]:
    """Remove blob files that no BlobRecord names and that are older than `grace_seconds`."""
    owner = writer_alive(store.root)
    if owner is not None:
        return [RecoveryAction("orphans_skipped", str(store.root / WRITER_LOCK), f"writer {owner} is still running")]
    with db.session() as session:
        known = set(session.scalars(select(BlobRecord.sha256)))
    actions = []
    now = time.time()
    for path in store.iter_blob_files():
        if path.name.removesuffix(".enc") in known or now - path.stat().st_mtime <= grace_seconds:
            continue
        path.unlink(missing_ok=True)
        actions.append(RecoveryAction("orphan_removed", str(path), "blob no database row references"))
    return actions


def recover(db: Database, store: BlobStore, *, grace_seconds: float = 600.0,
            orphan_grace_seconds: float = ORPHAN_GRACE_SECONDS) -> list[RecoveryAction]:
    """Complete or remove half-written archive work under `store.root`; returns (and logs) what was done."""
    actions: list[RecoveryAction] = []
    root = store.root
    # Order matters: journals, then manifests, then the database (a sealing commits before dropping its journal).
    journals = sorted((root / PENDING_DIR).glob("*.json")) if (root / PENDING_DIR).is_dir() else []
    manifests = sorted((root / MANIFEST_DIR).glob("*.json")) if (root / MANIFEST_DIR).is_dir() else []
    with db.session() as session:
        sealed = set(session.scalars(select(Seal.manifest_sha256)))
        protected: set[str] = set()
        for jpath in journals:
            try:
                journal = json.loads(jpath.read_text())
                owner = str(journal["owner"])
                mname = str(journal["manifest"])
            except (OSError, ValueError, KeyError, TypeError):
                if time.time() - jpath.stat().st_mtime > grace_seconds:
                    jpath.unlink(missing_ok=True)
                    actions.append(RecoveryAction("removed", str(jpath), "unreadable sealing journal"))
                continue
            protected.add(mname)
            if not owner_dead(owner, jpath.stat().st_mtime, grace_seconds):
                continue
            parsed = parse_name(mname)
            mpath = root / MANIFEST_DIR / mname
            if parsed and parsed[1] in sealed:
                jpath.unlink(missing_ok=True)
                actions.append(RecoveryAction("completed", str(mpath), "sealing was committed; journal removed"))
                continue
            mpath.unlink(missing_ok=True)
            signature_path(mpath).unlink(missing_ok=True)
            snap = journal.get("snapshot_sha256")
            if snap and journal.get("snapshot_new") and session.get(BlobRecord, snap) is None:
                store.delete(snap)
            jpath.unlink(missing_ok=True)
            actions.append(
                RecoveryAction("removed", str(mpath), "sealing was never committed; manifest, signature and snapshot removed")
            )
        for mpath in manifests:
            parsed = parse_name(mpath.name)
            if parsed is None or parsed[1] in sealed or mpath.name in protected or not mpath.exists():
                continue
            qdir = root / QUARANTINE_DIR
            qdir.mkdir(parents=True, exist_ok=True)
            for path in (mpath, signature_path(mpath)):
                if path.exists():
                    os.replace(path, qdir / path.name)
            fsync_dir(qdir)
            actions.append(
                RecoveryAction("quarantined", str(mpath), f"no Seal row in the database; moved to {QUARANTINE_DIR}/")
            )
    tmp_dir = store.tmp_dir
    if tmp_dir.is_dir():
        for tmp in sorted(tmp_dir.iterdir()):
            parts = tmp.name.split(".")
            owner = parts[-3] if len(parts) >= 4 and parts[-1] == "tmp" else ""
            if owner_dead(owner, tmp.stat().st_mtime, grace_seconds):
                tmp.unlink(missing_ok=True)
                actions.append(RecoveryAction("tmp_removed", str(tmp), "temporary file of a dead writer"))
    actions += remove_orphans(db, store, orphan_grace_seconds)
    for a in actions:
        log.warning("archive recovery: %s %s (%s)", a.action, a.path, a.detail)
    return actions


def pending_paths(root: Path) -> list[Path]:
    """Journals of sealings not yet committed (for tests and diagnostics)."""
    folder = Path(root) / PENDING_DIR
    return sorted(folder.glob("*.json")) if folder.is_dir() else []
