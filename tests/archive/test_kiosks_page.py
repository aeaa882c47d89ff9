"""The portal's "which kiosk" page: every registered kiosk with its key fingerprints, last seen, cases sealed and
its chain checked now; the audit case page names the kiosk that sealed the case."""

from __future__ import annotations

from sqlalchemy import select

from kiosk.archive.manifest import manifest_path
from kiosk.models import AccessLogEntry, Seal
from tests.archive.conftest import NUMBER
from tests.conftest import blob_store, login
from web.db import get_database
from web.services import get_archive


def test_kiosks_page_lists_each_kiosk_with_its_key_cases_and_chain(app, client, sealed):
    login(client, "auditor")
    html = client.get("/audit/kiosks").get_data(as_text=True)
    fingerprint = get_archive(app).signer.fingerprint
    assert 'data-kiosk="test-kiosk" data-chain="intact"' in html and fingerprint in html
    assert "哈希链完好" in html and "<td>1</td>" in html  # one case sealed
    with get_database(app).session() as s:
        last = s.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
    assert (last.action, last.target) == ("view", "kiosks")


def test_kiosks_page_names_a_damaged_chain(app, client, sealed):
    with get_database(app).session() as s:
        seal = s.scalars(select(Seal)).one()
    manifest_path(blob_store(app).root, seal.sequence, seal.manifest_sha256).unlink()
    login(client, "admin")
    html = client.get("/audit/kiosks?lang=en").get_data(as_text=True)
    assert 'data-kiosk="test-kiosk" data-chain="damaged"' in html
    assert 'data-code="missing_manifest"' in html and "kiosk test-kiosk: " in html


def test_audit_case_page_says_which_kiosk_sealed_it(app, client, sealed):
    login(client, "auditor")
    html = client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)
    assert 'id="sealed-by-kiosk" data-kiosk="test-kiosk"' in html and "封存终端" in html
    assert get_archive(app).signer.fingerprint in html


def test_staff_cannot_see_the_kiosks_page(client):
    login(client, "staff")
    assert client.get("/audit/kiosks").status_code == 403
