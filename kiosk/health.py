"""The health of a running process (`GET /healthz`): the database answers, the archive folder takes a write, and
(kiosk role) whether the camera loop runs. Read by systemd watchdogs, load balancers and the deployment tests."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from kiosk.db import Database


@dataclass(frozen=True, slots=True)
class Health:
    role: str
    kiosk_name: str
    database_ok: bool
    archive_ok: bool
    camera: str | None  # kiosk role: "running" or "not_started" (opened on first use); portal: None
    problems: tuple[str, ...]  # reason codes

    @property
    def ok(self) -> bool:
        return self.database_ok and self.archive_ok

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "role": self.role, "kiosk": self.kiosk_name, "database": self.database_ok,
                "archive": self.archive_ok, "camera": self.camera, "problems": list(self.problems)}


def check_health(database: Database, archive_root: Path, role: str, kiosk_name: str,
                 camera_running: bool | None) -> Health:
    problems: list[str] = []
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database_ok = True
    except Exception:  # noqa: BLE001 - any driver error means "unreachable" here
        database_ok = False
        problems.append("database_unreachable")
    try:
        tmp = Path(archive_root) / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp, prefix="healthz-")
        os.close(fd)
        os.unlink(name)
        archive_ok = True
    except OSError:
        archive_ok = False
        problems.append("archive_not_writable")
    camera = None if camera_running is None else ("running" if camera_running else "not_started")
    return Health(role, kiosk_name, database_ok, archive_ok, camera, tuple(problems))
