"""Outage spool: when the database is unreachable as the counter accepts the applicant's photo and finishes the
on-site verification, the photo and the job (accept it, then finish and seal) are kept in the kiosk's own var
folder, one durable file pair per job (atomic writes), and done when the database is back: by a background retry
and at start-up. Each job has an attempt id recorded in the database (`settings` row `spool:<id>`) in the same
transaction as the attempt and the sealing, so a job is done once however often the drain runs or crashes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from kiosk.archive import Archive
from kiosk.booth.attempts import accept_attempt, store_attempt
from kiosk.booth.finish import FinishedPhoto
from kiosk.cases import move_case
from kiosk.db import Database
from kiosk.files import atomic_write
from kiosk.models import Case, Setting, User
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

SPOOL_DIR = "spool"
DONE_PREFIX = "spool:"
FINISH_MOVE = "finish_verification"
DATABASE_UNAVAILABLE = Text("数据库暂时不可用，请稍后重试；本机已保存的照片会在恢复后自动封存",
                            "Database unavailable: try again shortly; photos kept on this kiosk are sealed when it is back")
SPOOLED = Text("数据库暂时不可用，照片已保存在本机，恢复后自动封存",
               "Database unavailable: photo kept on this kiosk, it will be sealed when the database is back")


@dataclass(frozen=True, slots=True)
class SpoolJob:
    """An accepted photo waiting for the database: accept it on `case_number` as `actor`, then finish and seal."""

    case_number: str
    actor_username: str
    kiosk_name: str
    taken_at: str  # ISO 8601 with its zone
    width: int
    height: int
    stamp: str
    quality: int
    verdict: dict[str, Any]
    trigger: str
    attempt_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached (connection refused, lost, server shut down)."""
    return isinstance(exc, DBAPIError) and (exc.connection_invalidated or type(exc.orig).__name__ in (
        "OperationalError", "InterfaceError"))


class Spool:
    """The job files under `folder` (`<attempt id>.json` and `<attempt id>.jpg`, the JSON written last)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def of_kiosk(cls, var_dir: Path) -> Spool:
        """The kiosk's spool, under its var folder."""
        return cls(Path(var_dir) / SPOOL_DIR)

    def waiting(self) -> int:
        """How many jobs wait for the database (a folder listing: no database needed)."""
        return sum(1 for _ in self.folder.glob("*.json")) if self.folder.is_dir() else 0

    def put(self, job: SpoolJob, jpeg: bytes) -> None:
        """Keep `job` and its photo durably (the photo first: a job file always has its photo)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / f"{job.attempt_id}.jpg", jpeg, secret=True)
        atomic_write(self.folder / f"{job.attempt_id}.json", json.dumps(asdict(job)).encode(), secret=True)

    def jobs(self) -> list[SpoolJob]:
        """The waiting jobs, oldest first."""
        if not self.folder.is_dir():
            return []
        paths = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        return [SpoolJob(**json.loads(p.read_bytes())) for p in paths]

    def photo(self, job: SpoolJob) -> bytes:
        return (self.folder / f"{job.attempt_id}.jpg").read_bytes()

    def remove(self, job: SpoolJob) -> None:
        """Forget a done job (the JSON first, so a crash in between leaves only a stray photo file)."""
        (self.folder / f"{job.attempt_id}.json").unlink(missing_ok=True)
        (self.folder / f"{job.attempt_id}.jpg").unlink(missing_ok=True)


def do_job(database: Database, archive: Archive, spool: Spool, job: SpoolJob) -> bool:
    """Store and accept the photo, finish and seal the case, and record the attempt id, in one transaction.
    True when done now, False when it was done before. Raises the database's error when it is unreachable, and
    KioskError when the case refuses the job (the job stays for staff to see)."""
    with database.session() as session:
        if session.get(Setting, DONE_PREFIX + job.attempt_id) is not None:
            return False
        case = session.scalar(select(Case).where(Case.number == job.case_number))
        actor = session.scalar(select(User).where(User.username == job.actor_username))
        if case is None or actor is None:
            raise KioskError("spool_job_unknown_case", Text(f"暂存的照片找不到案件 {job.case_number} 或用户",
                                                            f"Spooled photo: no case {job.case_number} or user"))
        photo = FinishedPhoto(spool.photo(job), job.width, job.height, dt.datetime.fromisoformat(job.taken_at),
                              job.kiosk_name, job.stamp, job.quality)
        attempt = store_attempt(session, archive.store, case, photo, job.verdict, trigger=job.trigger)
        accept_attempt(session, attempt, actor)
        move_case(session, case, FINISH_MOVE, actor, archive=archive)
        session.add(Setting(key=DONE_PREFIX + job.attempt_id, value=dt.datetime.now(dt.UTC).isoformat().encode()))
    return True


def accept_or_spool(database: Database, archive: Archive, spool: Spool, job: SpoolJob, jpeg: bytes) -> Text | None:
    """Do `job` now; when the database is unreachable keep it in the spool and return the counter's message
    (SPOOLED), else None."""
    try:
        spool.put(job, jpeg)  # kept first: a crash or outage halfway loses nothing
        do_job(database, archive, spool, job)
    except DBAPIError as exc:
        if not unreachable(exc):
            spool.remove(job)
            raise
        log.warning("database unreachable: photo for %s kept in the spool as %s", job.case_number, job.attempt_id)
        return SPOOLED
    except BaseException:
        spool.remove(job)
        raise
    spool.remove(job)
    return None


def drain(database: Database, archive: Archive, spool: Spool) -> int:
    """Do every waiting job, oldest first; stop at the first unreachable database. The number done now."""
    done = 0
    for job in spool.jobs():
        try:
            done += do_job(database, archive, spool, job)
        except DBAPIError as exc:
            if unreachable(exc):
                log.info("database still unreachable: %d spooled job(s) wait", len(spool.jobs()))
                return done
            raise
        except KioskError as exc:
            log.error("spooled job %s for %s refused: %s (%s)", job.attempt_id, job.case_number, exc.text.en, exc.code)
            continue
        spool.remove(job)
        log.info("spooled photo for %s accepted and sealed (%s)", job.case_number, job.attempt_id)
    return done


class SpoolDrainer:
    """A background thread that drains the spool at start and every `interval` seconds until stopped."""

    def __init__(self, database: Database, archive: Archive, spool: Spool, interval: float = 10.0) -> None:
        self.database, self.archive, self.spool, self.interval = database, archive, spool, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spool-drainer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            try:
                drain(self.database, self.archive, self.spool)
            except Exception:  # a bug must not end the retries: logged, tried again next round
                log.exception("draining the spool failed")
            if self._stop.wait(self.interval):
                return
