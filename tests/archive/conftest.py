"""Fixtures for archive tests: a migrated SQLite database, a blob store, a signer, users."""

from __future__ import annotations

import pytest

from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.db import init_db
from tests.archive.factory import make_user


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
