"""Fixtures for archive tests: a migrated SQLite database, a blob store, a signer, users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.archive import sealing
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.db import init_db
from kiosk.models import User
from tests.archive.factory import finish, make_case, make_user


@pytest.fixture
def arch(tmp_path):
    """Everything a sealing needs, on a fresh database and archive under tmp_path."""

    class Arch:
        pass

    a = Arch()
    a.root = tmp_path / "archive"
    a.db = init_db(f"sqlite:///{tmp_path / 'kiosk.db'}")
    a.store = BlobStore(a.root, key=bytes(range(32)))
    a.signer = load_or_create_signer(tmp_path / "signing_key.pem", a.root)
    with a.db.session() as s:
        a.staff_id = make_user(s, "wang", "staff").id
        a.auditor_id = make_user(s, "zhao", "auditor").id
    yield a
    a.db.dispose()


NUMBER = "BK-20261123-0001"


@pytest.fixture
def sealed(app):
    """One sealed case and one unsealed case in the app's database and archive."""
    from web.db import get_database
    from web.services import get_archive

    db = get_database(app)
    store, signer = get_archive(app).store, get_archive(app).signer
    with db.session() as s:
        staff = s.scalars(select(User).where(User.username == "staff")).one()
        case = make_case(s, store, staff, number=NUMBER, seed=1, attempts=2)
        finish(s, case, staff)
        sealing.seal_case(s, store, signer, case, staff, "test-kiosk")
        make_case(s, store, staff, number="BK-20261123-0002", seed=2, subject_name="上海云海网络有限公司",
                  domain="yunhai.cn", province="shanghai")
        photo = case.photo_attempts[-1].image_sha256
    return {"number": NUMBER, "photo": photo}


