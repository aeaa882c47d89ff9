"""Start-up recovery removes orphan blobs (no BlobRecord row) older than the grace period, keeps younger ones and
referenced ones, and skips the sweep while the writer named in writer.pid is alive."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from kiosk.archive.recovery import WRITER_LOCK, recover
from kiosk.archive.store import record_blob
from kiosk.files import tmp_owner
from tests.conftest import blob_store
from web.db import get_database

HOUR = 3600.0


def _age(path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _setup(app):
    db, store = get_database(app), blob_store(app)
    kept = store.put(b"referenced evidence", encrypt=False)
    with db.session() as s:
        record_blob(s, kept)
        s.commit()
    old = store.put(b"old orphan", encrypt=False)
    young = store.put(b"young orphan", encrypt=False)
    for ref in (kept, old):
        _age(store.find(ref.sha256), 2 * HOUR)
    return db, store, kept, old, young


def test_old_orphans_go_young_and_referenced_stay(app):
    db, store, kept, old, young = _setup(app)
    actions = recover(db, store, orphan_grace_seconds=HOUR)
    assert not store.exists(old.sha256)
    assert store.exists(kept.sha256) and store.exists(young.sha256)
    assert [a.action for a in actions if a.action.startswith("orphan")] == ["orphan_removed"]


def test_live_writer_lock_skips_the_sweep(app):
    db, store, _kept, old, _young = _setup(app)
    host = tmp_owner().rpartition("~")[0]
    (store.root / WRITER_LOCK).write_text(f"{host}~{os.getppid()}")  # alive, and not this process
    actions = recover(db, store, orphan_grace_seconds=HOUR)
    assert store.exists(old.sha256)
    assert [a.action for a in actions] == ["orphans_skipped"]


def test_dead_writer_lock_is_removed_and_the_sweep_runs(app):
    db, store, _kept, old, _young = _setup(app)
    host = tmp_owner().rpartition("~")[0]
    lock = store.root / WRITER_LOCK
    lock.write_text(f"{host}~{_dead_pid()}")
    recover(db, store, orphan_grace_seconds=HOUR)
    assert not store.exists(old.sha256) and not lock.exists()


def test_own_pid_in_lock_does_not_block(app):
    db, store, _kept, old, _young = _setup(app)
    (store.root / WRITER_LOCK).write_text(tmp_owner())
    recover(db, store, orphan_grace_seconds=HOUR)
    assert not store.exists(old.sha256)
