"""The access log's checkpoint is refreshed between sealings (every N entries, or once old), by the app after
each logged read and by `python -m kiosk checkpoint`, so a tail logged after the last sealing and then cut off
in the database is named by verify-archive."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sqlalchemy import delete, func, select

from kiosk.archive.access_anchor import checkpoint_due, read_checkpoint, refresh_checkpoint
from kiosk.archive.verify import verify_archive
from kiosk.models import AccessLogEntry
from tests.archive.test_access_anchor import _log, _seal
from tests.archive.test_verify import PROJECT

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


def _cp(entry_id: int, minutes_ago: float) -> dict:
    return {"entry_id": entry_id, "signed_at": (NOW - dt.timedelta(minutes=minutes_ago)).isoformat()}


def test_when_a_checkpoint_is_due():
    head = {"entry_id": 10, "entry_hash": "h"}
    due = {"every_entries": 5, "max_age_seconds": 300, "now": NOW}
    assert checkpoint_due(head, None, **due)                       # none yet
    assert not checkpoint_due(head, _cp(10, 60), **due)            # up to date, however old
    assert not checkpoint_due(head, _cp(8, 1), **due)              # 2 behind, fresh
    assert checkpoint_due(head, _cp(8, 6), **due)                  # 2 behind, 6 minutes old
    assert checkpoint_due(head, _cp(5, 0), **due)                  # 5 behind
    assert not checkpoint_due(None, None, **due)                   # an empty log has nothing to sign


def _truncate_after(arch, entry_id: int) -> None:
    with arch.db.session() as s:
        s.execute(delete(AccessLogEntry).where(AccessLogEntry.id > entry_id))
        s.commit()


def _codes(arch) -> list[str]:
    with arch.db.session() as s:
        return [p.code for p in verify_archive(arch.store, s).problems]


def test_a_tail_after_the_last_sealing_is_anchored_by_the_refreshed_checkpoint(arch):
    _log(arch, 0, 3)
    _seal(arch, "BK-2026-1", 1)
    _log(arch, 3, 9)  # six reads after the sealing
    with arch.db.session() as s:
        head = refresh_checkpoint(s, arch.root, arch.signer, every_entries=5, max_age_seconds=300)
        sealed_at = s.scalar(select(func.min(AccessLogEntry.id))) + 2
    assert head is not None and read_checkpoint(arch.root)["entry_id"] == head["entry_id"]
    assert _codes(arch) == []
    _truncate_after(arch, sealed_at)  # cut the reads logged after the sealing
    assert "access_log_truncated" in _codes(arch)


def test_without_a_refresh_the_same_cut_goes_unseen(arch):
    """What the refresh adds: the sealing's own anchor does not cover reads after it."""
    _log(arch, 0, 3)
    _seal(arch, "BK-2026-1", 1)
    _log(arch, 3, 9)
    with arch.db.session() as s:
        sealed_at = s.scalar(select(func.min(AccessLogEntry.id))) + 2
    _truncate_after(arch, sealed_at)
    assert "access_log_truncated" not in _codes(arch)


def test_not_due_writes_nothing(arch):
    _log(arch, 0, 3)
    _seal(arch, "BK-2026-1", 1)
    before = read_checkpoint(arch.root)
    _log(arch, 3, 5)
    with arch.db.session() as s:
        assert refresh_checkpoint(s, arch.root, arch.signer, every_entries=5, max_age_seconds=300) is None
    assert read_checkpoint(arch.root) == before


def test_the_cli_signs_a_checkpoint_now(arch):
    _log(arch, 0, 3)
    _seal(arch, "BK-2026-1", 1)
    _log(arch, 3, 5)
    env = {"KIOSK_VAR_DIR": str(arch.root.parent), "KIOSK_ARCHIVE_DIR": str(arch.root),
           "KIOSK_DATABASE_URL": arch.db.url, "KIOSK_ARCHIVE_KEY": bytes(range(32)).hex(), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "kiosk", "checkpoint"], cwd=PROJECT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    with arch.db.session() as s:
        top = s.scalar(select(func.max(AccessLogEntry.id)))
    assert read_checkpoint(arch.root)["entry_id"] == top
    assert "entry" in out.stdout
    again = subprocess.run([sys.executable, "-m", "kiosk", "checkpoint", "--if-due"], cwd=PROJECT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "no new checkpoint" in again.stdout


def test_the_app_refreshes_the_checkpoint_after_logged_reads(app, sealed):
    """An auditor reading a sealed case five times with a refresh every 3 entries: the checkpoint follows the
    log (it would stay at the sealing's head without the refresh)."""
    from tests.conftest import login
    from web.db import get_database
    from web.services import get_archive

    archive = get_archive(app)
    object.__setattr__(archive, "checkpoint_every_entries", 3)  # the frozen service, as KIOSK_CHECKPOINT_ENTRIES=3
    sealed_cp = read_checkpoint(archive.root)
    client = app.test_client()
    login(client, "auditor")
    for _ in range(5):
        assert client.get(f"/audit/cases/{sealed['number']}").status_code == 200
    with get_database(app).session() as s:
        top = s.scalar(select(func.max(AccessLogEntry.id)))
    now_cp = read_checkpoint(archive.root)
    assert now_cp["entry_id"] > (sealed_cp or {}).get("entry_id", 0)
    assert top - now_cp["entry_id"] < 3
