"""PostgreSQL: two kiosks (own signing keys, own connection pools) seal into one database and one shared archive
folder at the same time; the chain stays one unbroken line, verify-archive is clean, tampering is named; the
access log stays one chain under concurrent appends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from kiosk.archive import sealing
from kiosk.archive.access_log import record_access, verify_access_log
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.archive.verify import verify_archive
from kiosk.db import init_db
from kiosk.models import AccessLogEntry, Case, Seal, User
from tests.archive.factory import finish, make_case, make_user
from tests.pgserver import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_url, tmp_path):
    """A fresh database of its own on the throwaway server, two kiosks on it, one shared archive folder."""
    with fresh_database(postgres_url, "archive") as url:
        yield from _two_kiosks(url, tmp_path)


def _two_kiosks(url: str, tmp_path):
    class Kiosk:
        def __init__(self, label: str) -> None:
            self.db = init_db(url)
            self.store = BlobStore(tmp_path / "shared-archive", key=bytes(range(32)))
            self.signer = load_or_create_signer(tmp_path / f"{label}.pem", tmp_path / "shared-archive")
            self.name = label

    a, b = Kiosk("kiosk-a"), Kiosk("kiosk-b")
    with a.db.session() as s:
        staff_id = make_user(s, "wang", "staff").id
        auditor_id = make_user(s, "zhao", "auditor").id
    yield a, b, staff_id, auditor_id
    a.db.dispose()
    b.db.dispose()


def test_two_kiosks_seal_concurrently_into_one_chain(pg):
    a, b, staff_id, _ = pg
    ids = []
    with a.db.session() as s:
        staff = s.get(User, staff_id)
        for i in range(6):
            ids.append(make_case(s, a.store, staff, number=f"BK-PG-{i}", seed=i + 1).id)
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker(kiosk, cid: int) -> None:
        try:
            barrier.wait()
            with kiosk.db.session() as s:
                case = s.get(Case, cid)
                staff = s.get(User, staff_id)
                finish(s, case, staff)
                sealing.seal_case(s, kiosk.store, kiosk.signer, case, staff, kiosk.name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(a if i % 2 else b, cid)) for i, cid in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with a.db.session() as s:
        seals = s.scalars(select(Seal).order_by(Seal.sequence)).all()
        assert [x.sequence for x in seals] == [1, 2, 3, 4, 5, 6]
        assert {x.kiosk_name for x in seals} == {"kiosk-a", "kiosk-b"}
        report = verify_archive(a.store, s)
    assert report.ok, [p.line() for p in report.problems]
    # tampering is named on PostgreSQL too
    manifest = sorted((a.store.root / "manifests").glob("00000003-*.json"))[0]
    manifest.unlink()
    with b.db.session() as s:
        codes = {p.code for p in verify_archive(b.store, s).problems}
    assert {"missing_manifest", "broken_link"} <= codes


def test_access_log_chain_under_concurrency(pg):
    a, b, _, auditor_id = pg

    def worker(kiosk, i: int) -> None:
        for j in range(8):
            with kiosk.db.session() as s:
                record_access(s, s.get(User, auditor_id), "view", f"case:K{i}", {"j": j}, "10.0.0.2")

    threads = [threading.Thread(target=worker, args=(a if i % 2 else b, i)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    with a.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AccessLogEntry)) == 48
        assert verify_access_log(s) == []
