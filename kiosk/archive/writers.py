"""Who is writing to the archive: one small file per live writer process under `writers/`, and whether the
writer named by a journal, a temporary file or a writer file is still alive.

A process that serves the kiosk or portal registers itself at start (`register_writer`) and removes its file at a
clean exit. After a crash the file stays; start-up recovery then asks `process_alive` and removes dead writers'
files at once, without waiting for a second restart. Three cases look alive to a bare `kill(pid, 0)` and are not:
a killed process its parent has not reaped yet (a zombie, state Z), a pid reused by another program (its start time
differs from the one written in the file), and this very pid in a fresh container or after a reboot (the file is
older than this process).
"""

from __future__ import annotations

import atexit
import json
import os
import time
from pathlib import Path

from kiosk.files import atomic_write, tmp_owner

WRITERS_DIR = "writers"
LEGACY_WRITER_LOCK = "writer.pid"  # one-writer lock of earlier versions, still honoured when present

_registered: set[Path] = set()


def _boot_time() -> float:
    with open("/proc/stat") as stat:
        for line in stat:
            if line.startswith("btime "):
                return float(line.split()[1])
    return 0.0


def process_start_time(pid: int) -> float | None:
    """Wall-clock start time of process `pid` (from /proc), or None when it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rpartition(")")[2].split()  # after "pid (comm)": state is field 3, starttime field 22
    if not fields or fields[0] in ("Z", "X", "x"):
        return None
    try:
        ticks = int(fields[19])
    except (IndexError, ValueError):
        return None
    return _boot_time() + ticks / os.sysconf("SC_CLK_TCK")


def this_host() -> str:
    return tmp_owner().rpartition("~")[0]


def process_alive(owner: str, *, started: float | None = None, written: float | None = None) -> bool | None:
    """Whether writer `<host>~<pid>` is alive: True, False, or None when it ran on another host (unknown here).

    `started` is the writer's own start time (recorded in its writer file): a different start time means the pid
    was reused. `written` is when the writer's file was last changed: a file older than the process now holding
    that pid was left by an earlier process.
    """
    host, _, pid_text = owner.rpartition("~")
    if host != this_host() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    start = process_start_time(pid)
    if start is None:
        return False
    if started is not None and abs(start - started) > 1.0:
        return False
    if written is not None and written < start - 1.0:
        return False
    return True


def writer_file(root: Path, owner: str | None = None) -> Path:
    return Path(root) / WRITERS_DIR / f"{owner or tmp_owner()}.json"


def register_writer(root: Path) -> Path:
    """Record this process as a live writer of the archive at `root` (removed again at a clean exit)."""
    path = writer_file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"owner": tmp_owner(), "pid": os.getpid(), "started": process_start_time(os.getpid()), "since": time.time()}
    tmp = Path(root) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(body).encode(), tmp)
    if path not in _registered:
        _registered.add(path)
        atexit.register(unregister_writer, path)
    return path


def unregister_writer(path: Path) -> None:
    """Remove this process's writer file (at a clean exit)."""
    path.unlink(missing_ok=True)
    _registered.discard(path)


def live_writers(root: Path) -> list[str]:
    """Owners of the other writers still alive on this archive; dead writers' files are removed.

    A writer on another host (a shared archive folder) counts as alive: this host cannot tell.
    """
    root = Path(root)
    alive: list[str] = []
    folder = root / WRITERS_DIR
    candidates: list[tuple[Path, str, float | None]] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                body = json.loads(path.read_text())
                owner, started = str(body["owner"]), body.get("started")
            except (OSError, ValueError, KeyError, TypeError):
                owner, started = path.name.removesuffix(".json"), None
            candidates.append((path, owner, float(started) if started is not None else None))
    legacy = root / LEGACY_WRITER_LOCK
    if legacy.exists():
        try:
            candidates.append((legacy, legacy.read_text().strip(), None))
        except OSError:
            pass
    for path, owner, started in candidates:
        if owner == tmp_owner():
            if path.parent.name != WRITERS_DIR:
                path.unlink(missing_ok=True)  # a legacy lock naming this very process is stale
            continue
        try:
            written = path.stat().st_mtime
        except OSError:
            continue
        state = process_alive(owner, started=started, written=written)
        if state is False:
            path.unlink(missing_ok=True)
        else:
            alive.append(owner)
    return alive
