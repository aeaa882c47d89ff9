"""Archive writers register themselves (writers/<host~pid>.json) and start-up recovery tells a dead writer from a
live one at the first restart: a SIGKILLed process not yet reaped (zombie), a reused pid, this pid in an earlier
life. Real subprocesses, no sleeps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from kiosk.archive import writers
from kiosk.archive.recovery import owner_dead, recover
from kiosk.archive.sealing import PENDING_DIR
from kiosk.files import tmp_owner
from tests.conftest import blob_store
from web.db import get_database

HOUR = 3600.0


def _host() -> str:
    return tmp_owner().rpartition("~")[0]


def _killed_unreaped_child() -> subprocess.Popen:
    """A child process that is SIGKILLed and not yet waited for: a zombie, which kill(pid, 0) still finds."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(child.pid, signal.SIGKILL)
    for _ in range(200):  # until the kernel marks it a zombie
        if writers.process_start_time(child.pid) is None:
            break
        time.sleep(0.01)
    return child


def test_the_app_registers_its_writer_file(app):
    root = blob_store(app).root
    path = writers.writer_file(root)
    body = json.loads(path.read_text())
    assert body["owner"] == tmp_owner() and body["pid"] == os.getpid()
    assert writers.live_writers(root) == []  # this process is not "another" writer


def test_a_zombie_writer_is_dead_and_its_journal_goes_at_the_first_recovery(app):
    db, store = get_database(app), blob_store(app)
    child = _killed_unreaped_child()
    try:
        os.kill(child.pid, 0)  # what the old check asked: the zombie still answers
        owner = f"{_host()}~{child.pid}"
        pending = store.root / PENDING_DIR
        pending.mkdir(parents=True, exist_ok=True)
        journal = pending / f"manifest-x.{owner}.json"
        journal.write_text(json.dumps({"owner": owner, "manifest": "0000001-" + "a" * 64 + ".json"}))
        writers.writer_file(store.root, owner).write_text(json.dumps({"owner": owner, "started": None}))
        actions = recover(db, store, orphan_grace_seconds=HOUR)
        assert not journal.exists()
        assert not writers.writer_file(store.root, owner).exists()
        assert "removed" in [a.action for a in actions]
    finally:
        child.wait()


def test_a_live_writer_keeps_its_journal_and_skips_the_orphan_sweep(app):
    db, store = get_database(app), blob_store(app)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = f"{_host()}~{child.pid}"
        started = writers.process_start_time(child.pid)
        writers.writer_file(store.root, owner).write_text(json.dumps({"owner": owner, "started": started}))
        pending = store.root / PENDING_DIR
        pending.mkdir(parents=True, exist_ok=True)
        journal = pending / f"manifest-x.{owner}.json"
        journal.write_text(json.dumps({"owner": owner, "manifest": "0000001-" + "b" * 64 + ".json"}))
        actions = recover(db, store, orphan_grace_seconds=HOUR)
        assert journal.exists()
        assert [a.action for a in actions] == ["orphans_skipped"]
    finally:
        child.kill()
        child.wait()


def test_a_reused_pid_is_not_the_writer_that_wrote_the_file(app):
    store = blob_store(app)
    owner = f"{_host()}~{os.getppid()}"  # alive, but started at another time than the file says
    writers.writer_file(store.root, owner).write_text(json.dumps({"owner": owner, "started": 12345.0}))
    assert writers.live_writers(store.root) == []
    assert not writers.writer_file(store.root, owner).exists()


def test_this_pid_in_an_earlier_life_is_dead():
    """In a fresh container the kiosk may get the pid its crashed predecessor had: a journal older than this
    process was not written by it."""
    started = writers.process_start_time(os.getpid())
    assert started is not None
    assert owner_dead(tmp_owner(), started - 600, HOUR)
    assert not owner_dead(tmp_owner(), time.time(), HOUR)


def test_a_clean_exit_removes_the_writer_file(tmp_path):
    code = ("import sys; from pathlib import Path; from kiosk.archive import writers; "
            "print(writers.register_writer(Path(sys.argv[1])))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith(".json")
    assert list((tmp_path / writers.WRITERS_DIR).iterdir()) == []


def test_a_killed_writer_leaves_its_file_and_the_next_start_removes_it(tmp_path):
    code = ("import sys, os, signal; from pathlib import Path; from kiosk.archive import writers; "
            "writers.register_writer(Path(sys.argv[1])); os.kill(os.getpid(), signal.SIGKILL)")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)])
    left = list((tmp_path / writers.WRITERS_DIR).iterdir())
    assert len(left) == 1
    assert writers.live_writers(tmp_path) == []
    assert list((tmp_path / writers.WRITERS_DIR).iterdir()) == []
