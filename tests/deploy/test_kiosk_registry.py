"""Every kiosk sharing a database registers its name and public signing key at start (kiosk.kiosks)."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.db import Database
from kiosk.kiosks import register_kiosk, registered_kiosks
from kiosk.text import KioskError
from tests.conftest import build_app, make_settings
from web import create_app
from web.db import get_database
from web.services import get_archive


def check_two_kiosks(tmp_path, database_url=None):
    first = build_app(tmp_path / "a", database_url, settings={"kiosk_name": "counter-1"})
    database_url = database_url or get_database(first).url
    second = create_app({"SETTINGS": dataclasses.replace(make_settings(tmp_path / "b", database_url),
                                                         kiosk_name="counter-2"), "TESTING": True})
    signers = {name: get_archive(app).signer for name, app in (("counter-1", first), ("counter-2", second))}
    database = Database(database_url)
    try:
        with database.session() as session:
            rows = [(k.kiosk_name, k.fingerprint) for k in registered_kiosks(session)]
        assert rows == [(name, signer.fingerprint) for name, signer in signers.items()]
        assert signers["counter-1"].fingerprint != signers["counter-2"].fingerprint
        register_kiosk(database, "counter-1", signers["counter-1"])  # a restart refreshes, adds nothing
        with database.session() as session:
            assert len(registered_kiosks(session)) == 2
        with pytest.raises(KioskError) as refused:  # a copied key under another name
            register_kiosk(database, "counter-3", signers["counter-1"])
        assert refused.value.code == "signing_key_of_another_kiosk"
    finally:
        for db in (database, get_database(first), get_database(second)):
            db.dispose()


def test_two_kiosks_register_on_sqlite(tmp_path):
    check_two_kiosks(tmp_path)


@pytest.mark.postgres
def test_two_kiosks_register_on_postgres(tmp_path, postgres_url):
    from tests.pgserver import fresh_database

    with fresh_database(postgres_url, "kiosk_registry") as url:  # its own database: no other test's accounts
        check_two_kiosks(tmp_path, url)
