"""A full disk (ENOSPC or EDQUOT) anywhere in a request: a clear bilingual 507 page (JSON under /api), logged,
nothing half-written left behind (no temporary file, no blob, no row)."""

from __future__ import annotations

import errno
import logging
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from kiosk import cases
from kiosk.archive import store as store_module
from kiosk.models import Attachment, BlobRecord, Case, Seal, User
from tests.archive.factory import make_case
from tests.conftest import blob_store, login, post
from web import documents as web_documents
from web.db import get_database


def _full(errnum: int):
    def write(*args, **kwargs):
        raise OSError(errnum, "No space left on device")

    return write


def _leftovers(store) -> list:
    folders = [store.tmp_dir, store.blob_dir]
    return [p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("errnum", [errno.ENOSPC, errno.EDQUOT])
def test_full_disk_on_upload_gives_507_and_keeps_nothing(app, client, monkeypatch, caplog, errnum, enterprise_form):
    db = get_database(app)
    with db.session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        case = cases.create_case(s, cases.validate_case_input(enterprise_form), staff)
        case.state = "onsite_verification"
        s.commit()
        cid = case.id
    login(client, "staff")
    report = SimpleNamespace(normalised_jpeg=b"normalised", other_side=None)
    monkeypatch.setattr(web_documents, "checker", lambda: SimpleNamespace(inspect=lambda *a, **k: report))
    monkeypatch.setattr(store_module, "atomic_write", _full(errnum))
    store = blob_store(app)
    with caplog.at_level(logging.ERROR, logger="web"):
        r = post(client, f"/cases/{cid}/documents/principal_id_front",
                 {"file": (__import__("io").BytesIO(b"\xff\xd8scan"), "front.jpg")},
                 content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 507
    assert "存储空间已满" in page and "The storage is full" in page
    assert any("disk full" in rec.getMessage() for rec in caplog.records)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0
        assert s.scalar(select(func.count()).select_from(BlobRecord)) == 0
    assert _leftovers(store) == []


def test_full_disk_answers_json_under_api(app, client):
    def full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    app.add_url_rule("/api/test-full-disk", "test_full_disk", full)
    r = client.get("/api/test-full-disk")
    assert r.status_code == 507
    body = r.get_json()
    assert body["error"] == "disk_full" and "存储空间已满" in body["message"]["zh"]


def test_full_disk_on_seal_gives_507_and_leaves_case_unsealed(app, client, monkeypatch, caplog):
    db = get_database(app)
    store = blob_store(app)
    with db.session() as s:
        staff = s.scalars(select(User).where(User.username == "staff")).one()
        cid = make_case(s, store, staff, number="BK-FULL-507").id
    before = set(_leftovers(store))
    login(client, "staff")
    monkeypatch.setattr(store_module, "atomic_write", _full(errno.ENOSPC))
    with caplog.at_level(logging.ERROR):
        r = post(client, f"/cases/{cid}/move", {"move": "finish_verification"})
    monkeypatch.undo()
    page = r.get_data(as_text=True) if r.status_code != 303 else client.get(r.headers["Location"]).get_data(as_text=True)
    assert r.status_code in (303, 507)
    assert "存储空间已满" in page
    with db.session() as s:
        assert s.get(Case, cid).sealed_at is None
        assert s.scalar(select(func.count()).select_from(Seal)) == 0
    assert set(_leftovers(store)) == before
    manifests = store.root / "manifests"
    assert not manifests.exists() or not list(manifests.glob("*.json"))
