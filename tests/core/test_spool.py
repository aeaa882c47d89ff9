"""Outage spool on a real PostgreSQL server: the server is stopped (immediate) as the counter accepts the photo
and finishes; the photo and the job are kept on the kiosk, the counter is told so, and once the server is back
the drain accepts, finishes and seals the case once, however often it runs; verify-archive is clean."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.archive import Archive
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.archive.verify import verify_archive
from kiosk.db import init_db
from kiosk.models import Case, Seal, User
from kiosk.spool import SPOOLED, Spool, SpoolJob, accept_or_spool, drain
from tests.archive.factory import jpeg, make_case, make_user

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_server():
    """A PostgreSQL server of this test's own (it is stopped and started again), under /tmp."""
    from tests.pgserver import TemporaryPostgres

    base = Path(tempfile.mkdtemp(prefix="kiosk-pg-spool-"))
    try:
        with TemporaryPostgres(base) as server:
            yield server
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_photo_accepted_while_the_database_is_down_is_sealed_once_when_it_is_back(own_server, tmp_path):
    db = init_db(own_server.url("kiosk_test"))
    store = BlobStore(tmp_path / "archive", key=bytes(range(32)))
    archive = Archive(store=store, signer=load_or_create_signer(tmp_path / "key.pem", store.root),
                      kiosk_name="kiosk-1", retention_days=3650)
    with db.session() as s:
        staff = make_user(s, "wang", "staff")
        case = make_case(s, store, staff, number="BK-SPOOL-1", seed=1, attempts=0)
        number = case.number
    spool = Spool(tmp_path / "var" / "spool")
    job = SpoolJob(case_number=number, actor_username="wang", kiosk_name="kiosk-1",
                   taken_at=dt.datetime.now(dt.UTC).isoformat(), width=800, height=600, stamp="kiosk-1",
                   quality=92, verdict={"passed": True, "results": []}, trigger="auto")
    photo = jpeg(7)

    own_server.stop("immediate")
    assert accept_or_spool(db, archive, spool, job, photo) == SPOOLED
    assert "数据库暂时不可用，照片已保存在本机" in SPOOLED.zh and "sealed when the database is back" in SPOOLED.en
    assert [j.attempt_id for j in spool.jobs()] == [job.attempt_id] and spool.photo(job) == photo
    assert drain(db, archive, spool) == 0 and len(spool.jobs()) == 1  # still down: the job waits

    own_server.start()
    kept = (spool.folder / f"{job.attempt_id}.json").read_bytes()
    assert drain(db, archive, spool) == 1
    assert spool.jobs() == [] and drain(db, archive, spool) == 0
    # a crash after the commit but before the job file went away: the next drain does nothing twice
    spool.put(job, photo)
    assert (spool.folder / f"{job.attempt_id}.json").read_bytes() == kept
    assert drain(db, archive, spool) == 0 and spool.jobs() == []
    with db.session() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        assert case.state == "awaiting_internal_audit" and case.sealed_at is not None
        assert s.scalar(select(func.count()).select_from(Seal).where(Seal.case_id == case.id)) == 1
        accepted = [a for a in case.photo_attempts if a.status == "accepted"]
        assert len(accepted) == 1 and accepted[0].decided_by_id == s.scalar(
            select(User.id).where(User.username == "wang"))
        report = verify_archive(store, s)
    assert report.ok, [p.line() for p in report.problems]
    db.dispose()
