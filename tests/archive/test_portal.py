"""Auditor portal: every route for every role (anonymous, staff, auditor, admin), access logging, search, case
view with integrity badge and overlay, downloads, export, the admin-only access log, and sealing through the
counter's finish move (including a full disk)."""

from __future__ import annotations

import errno
import io
import os
import zipfile

import pytest
from sqlalchemy import func, select

from kiosk.archive.access_log import verify_access_log
from kiosk.archive.pack import verify_pack
from kiosk.models import AccessLogEntry, AuditEvent, Case, Seal, User
from tests.archive.conftest import NUMBER
from tests.archive.factory import make_case
from tests.conftest import blob_store as archive_store
from tests.conftest import csrf_token, login, post
from web.db import get_database


def access_entries(app) -> list[AccessLogEntry]:
    with get_database(app).session() as s:
        return list(s.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))


def routes(sealed) -> list[tuple[str, str]]:
    n = sealed["number"]
    return [
        ("GET", "/audit/"),
        ("GET", f"/audit/?number={n}"),
        ("GET", f"/audit/cases/{n}"),
        ("GET", f"/audit/cases/{n}/files/{sealed['photo']}?inline=1"),
        ("POST", f"/audit/cases/{n}/export"),
    ]


def call(client, method: str, url: str):
    if method == "POST":
        return post(client, url)
    return client.get(url)


def test_anonymous_is_sent_to_login(app, client, sealed):
    for method, url in [*routes(sealed), ("GET", "/audit/access-log")]:
        if method == "POST":
            r = client.post(url, data={"csrf_token": csrf_token(client)})
        else:
            r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], (method, url)
    # nothing was shown, and each refused read of evidence (case page, file, pack) is logged with its reason
    refused = access_entries(app)
    assert len(refused) == 3 and {(e.action, e.detail["reason"], e.actor_id) for e in refused} == {
        ("refused", "not_logged_in", None)}


def test_staff_is_refused(app, client, sealed):
    login(client, "staff")
    for method, url in [*routes(sealed), ("GET", "/audit/access-log")]:
        assert call(client, method, url).status_code == 403, (method, url)
    refused = access_entries(app)
    assert len(refused) == 3 and {(e.action, e.detail["reason"]) for e in refused} == {("refused", "wrong_role")}


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_readers_can_use_every_route_and_each_use_is_logged(app, client, sealed, role):
    login(client, role)
    for method, url in routes(sealed):
        r = call(client, method, url)
        assert r.status_code == 200, (method, url, r.data[:300])
    entries = access_entries(app)
    assert [e.action for e in entries] == ["search", "search", "view", "download", "export"]
    assert all(e.actor_name == role and e.remote_addr == "127.0.0.1" for e in entries)
    assert entries[1].detail["number"] == NUMBER and entries[2].target == f"case:{NUMBER}"
    assert entries[3].detail["sha256"] == sealed["photo"]
    r = client.get("/audit/access-log")
    assert r.status_code == (200 if role == "admin" else 403)
    with get_database(app).session() as s:
        assert verify_access_log(s) == []


def test_export_needs_csrf(client, sealed):
    login(client, "auditor")
    assert client.post(f"/audit/cases/{NUMBER}/export").status_code == 400


def results(html: str) -> str:
    return html[html.index('id="results"'):].split("</table>")[0]


def test_search_page(app, client, sealed):
    admin = app.test_client()
    login(admin, "admin")
    html = results(admin.get("/audit/?name=云海").get_data(as_text=True))
    assert "BK-20261123-0002" in html and NUMBER not in html  # an admin finds the unsealed case
    login(client, "auditor")
    assert "没有符合条件的案件" in client.get("/audit/?name=云海").get_data(as_text=True)  # auditors: sealed only
    html = results(client.get("/audit/?domain=example.cn&province=beijing").get_data(as_text=True))
    assert NUMBER in html and "BK-20261123-0002" not in html
    html = results(client.get("/audit/?cert=11010519491231002x").get_data(as_text=True))  # the principal's ID
    assert NUMBER in html
    assert "没有符合条件的案件" in client.get("/audit/?number=BK-NONE").get_data(as_text=True)
    assert client.get("/audit/?date_from=not-a-date&staff=x&page=y").status_code == 200


def test_case_view(client, sealed):
    login(client, "auditor")
    html = client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)
    assert 'id="integrity"' in html and "integrity-intact" in html and "证据完好" in html
    assert 'id="photo-overlay"' in html and "<polygon" in html and 'id="overlay-toggle"' in html
    assert html.count('class="attempt ') == 2 and 'data-move="finish_verification"' in html and "完成核验，提交内部审核：当面核验中 → 待内部审核" in html
    assert "复印件清晰" in html  # the staff override and its reason
    assert "11010519491231002X" in html  # OCR reading
    assert client.get("/audit/cases/BK-NOPE").status_code == 404
    assert client.get("/audit/cases/BK-20261123-0002").status_code == 404  # auditors see sealed cases only


def test_case_view_reads_checks_in_words_in_both_languages(client, sealed):
    """Each reading with its unit and limit in the page's language (kiosk.readouts); codes and numbers stay in the
    row's data attributes."""
    login(client, "auditor")
    zh = client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)
    en = client.get(f"/audit/cases/{NUMBER}?lang=en").get_data(as_text=True)
    assert "画面中的人数 1（上限 1）" in zh and "眼镜特征（1.00 为限值） 0.10（上限 0.50）" in zh
    assert "People in the picture 1 (limit 1)" in en and "Glasses score (1.00 = at the limit) 0.10 (limit 0.50)" in en
    assert 'data-code="glasses" data-reason="ok" data-value="0.1" data-threshold="0.5"' in zh


def test_auditors_are_refused_unsealed_cases_and_the_refusal_is_logged(app, client, sealed):
    login(client, "auditor")
    for method, url in (("GET", "/audit/cases/BK-20261123-0002"), ("POST", "/audit/cases/BK-20261123-0002/export"),
                        ("GET", f"/audit/cases/BK-20261123-0002/files/{sealed['photo']}")):
        assert call(client, method, url).status_code == 404, url
    refused = [e for e in access_entries(app) if e.action == "refused"]
    assert len(refused) == 3 and {e.detail["reason"] for e in refused} == {"not_sealed"}
    admin = app.test_client()
    login(admin, "admin")
    unsealed = admin.get("/audit/cases/BK-20261123-0002").get_data(as_text=True)
    assert "integrity-unsealed" in unsealed and "disabled" in unsealed
    assert post(admin, "/audit/cases/BK-20261123-0002/export").status_code == 409


def test_integrity_badge_turns_red_when_a_file_is_altered(app, client, sealed):
    store = archive_store(app)
    path = store.find(sealed["photo"])
    data = bytearray(path.read_bytes())
    data[200] ^= 0x10
    path.write_bytes(bytes(data))
    login(client, "auditor")
    html = client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)
    assert "integrity-damaged" in html and "altered_blob" in html and sealed["photo"] in html
    r = client.get(f"/audit/cases/{NUMBER}/files/{sealed['photo']}")
    assert r.status_code == 409


def test_download_only_the_cases_files(client, sealed):
    login(client, "auditor")
    r = client.get(f"/audit/cases/{NUMBER}/files/{sealed['photo']}")
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.data[:3] == b"\xff\xd8\xff"
    assert "attachment" in r.headers["Content-Disposition"] and r.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/audit/cases/BK-20261123-0002/files/{sealed['photo']}").status_code == 404
    assert client.get(f"/audit/cases/{NUMBER}/files/{'0' * 64}").status_code == 404


def test_exported_pack_verifies(client, sealed):
    login(client, "admin")
    r = post(client, f"/audit/cases/{NUMBER}/export")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert f"evidence-{NUMBER}-" in r.headers["Content-Disposition"]
    report = verify_pack(r.data)
    assert report.ok and report.case_number == NUMBER
    assert "report.pdf" in zipfile.ZipFile(io.BytesIO(r.data)).namelist()


def test_access_log_page_for_admins(app, client, sealed):
    login(client, "auditor")
    client.get(f"/audit/cases/{NUMBER}")
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "admin")
    html = client.get("/audit/access-log?verify=1").get_data(as_text=True)
    assert "哈希链完好" in html and f"案件 {NUMBER}" in html and f'data-target="case:{NUMBER}"' in html and "auditor" in html
    with get_database(app).session() as s:
        s.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "view")).first().target = "case:FORGED"
    html = client.get("/audit/access-log?verify=1").get_data(as_text=True)
    assert "哈希链异常" in html and "access_log_altered" in html
    html = client.get("/audit/access-log?action=view&actor=auditor").get_data(as_text=True)
    assert "案件 FORGED" in html


def test_counter_finish_move_seals_the_case(app, client):
    """The lead's finish_verification move seals through the sealer this blueprint offers."""
    db = get_database(app)
    store = archive_store(app)
    with db.session() as s:
        staff = s.scalars(select(User).where(User.username == "staff")).one()
        cid = make_case(s, store, staff, number="BK-FIN-1").id
    login(client, "staff")
    r = post(client, f"/cases/{cid}/move", {"move": "finish_verification"})
    assert r.status_code in (302, 303)
    with db.session() as s:
        case = s.get(Case, cid)
        if case.state != "awaiting_internal_audit":
            pytest.skip("the counter's finish guard wants attachments this factory does not make")
        assert s.scalar(select(func.count()).select_from(Seal).where(Seal.case_id == cid)) == 1


def test_full_disk_while_sealing_through_the_counter(app, client, monkeypatch):
    db = get_database(app)
    store = archive_store(app)
    with db.session() as s:
        staff = s.scalars(select(User).where(User.username == "staff")).one()
        cid = make_case(s, store, staff, number="BK-FULL-1").id
    login(client, "staff")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    r = post(client, f"/cases/{cid}/move", {"move": "finish_verification"})
    monkeypatch.undo()
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    with db.session() as s:
        case = s.get(Case, cid)
        assert case.state == "onsite_verification" and case.sealed_at is None
        assert s.scalar(select(func.count()).select_from(Seal)) == 0
    if "存储空间已满" not in page:
        pytest.skip("the counter's finish guard refused before sealing")
    assert not list((store.root / "manifests").glob("*.json")) if (store.root / "manifests").exists() else True


def test_legal_hold_is_for_admins_and_audited(app, client, sealed):
    url = f"/audit/cases/{NUMBER}/legal-hold"
    login(client, "auditor")
    assert post(client, url, {"hold": "1", "reason": "court order"}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, "admin")
    assert 'id="legal-hold"' in client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)
    r = post(client, url, {"hold": "1", "reason": ""})
    assert r.status_code == 303
    with get_database(app).session() as s:
        assert not s.scalars(select(Case).where(Case.number == NUMBER)).one().legal_hold
    assert post(client, url, {"hold": "1", "reason": "法院调取 / court order"}).status_code == 303
    with get_database(app).session() as s:
        assert s.scalars(select(Case).where(Case.number == NUMBER)).one().legal_hold
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "legal_hold_on")).one()
        assert event.target == f"case:{NUMBER}" and event.detail["reason"].startswith("法院")
    assert "badge hold" in client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)


def test_start_up_recovers_a_dead_sealing(app, sealed):
    """A sealing journal left by a dead process is cleaned up when the next app starts."""
    import json as _json

    from web import create_app

    store = archive_store(app)
    manifest = store.root / "manifests" / f"{99:08d}-{'ab' * 32}.json"
    manifest.write_bytes(b"{}")
    (store.root / "pending").mkdir(exist_ok=True)
    journal = store.root / "pending" / f"{manifest.name}.{_host()}~999999.json"
    journal.write_text(_json.dumps({"manifest": manifest.name, "snapshot_sha256": None, "snapshot_new": False,
                                    "owner": f"{_host()}~999999", "started": "x", "case": None}))
    second = create_app({"SETTINGS": app.config["KIOSK_SETTINGS"], "TESTING": True})
    second.extensions["kiosk.db"].dispose()
    assert not manifest.exists() and not journal.exists()


def _host() -> str:
    import socket

    return socket.gethostname().replace(".", "_").replace("~", "_")


def test_database_edit_of_a_sealed_case_shows_tampering_not_intact(app, client, sealed):
    from sqlalchemy import text

    with get_database(app).session() as s:
        s.execute(text("UPDATE cases SET subject_name='EDITED' WHERE number=:n"), {"n": NUMBER})
        s.commit()
    login(client, "auditor")
    page = client.get(f"/audit/cases/{NUMBER}").get_data(as_text=True)
    assert "证据完好" not in page
    assert "record_mismatch" in page and "case.subject_name" in page
