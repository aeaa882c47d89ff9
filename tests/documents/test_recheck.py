"""Stale verification (issue #10): a document's checks record what they compared with; editing one of those typed
fields afterwards marks the document "需重新核验", refuses the next move that depends on it, and a re-check runs
the comparison again on the stored normalised copy (a new attachment row; the old one stays). OCR is the canned
engine (the principal's portrait side of tests/documents/specimens.py, 张三 / 11010519491231002X)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from kiosk import cases
from kiosk.documents import basis, desk
from kiosk.documents import specimens as S
from kiosk.models import Attachment, AttachmentStatus, AuditEvent, Case, CheckResultRow, User
from kiosk.text import KioskError
from kiosk.words import word
from tests.conftest import ENTERPRISE_FORM, build_app, csrf_token, login, post
from tests.documents.canned_ocr import CannedOcr
from web.db import get_database

PRINCIPAL = S.Person("张三", "11010519491231002X")  # ENTERPRISE_FORM's principal


@pytest.fixture(scope="module")
def front_card() -> S.Image.Image:
    return S.id_card_front(PRINCIPAL)


@pytest.fixture(scope="module")
def front_scan(front_card) -> bytes:
    return S.jpeg_bytes(S.flatbed(front_card))


def _form(**changes: str) -> dict:
    form = {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}
    form.update(changes)
    return form


@pytest.fixture
def accepted_front(core, front_card, front_scan):
    """An on-site case whose principal's portrait side was read, matched (case_match passed) and accepted."""
    checker = desk.DocumentChecker.from_settings(core.settings, engine=CannedOcr(S.printed_lines(front_card)))
    with core.db.session() as s:
        staff = s.get(User, core.users["staff"])
        case = cases.create_case(s, cases.validate_case_input(_form()), staff)
        cases.move_case(s, case, "start_verification", staff)
        att = desk.take_in(s, core.archive.store, checker, case, "principal_id_front", front_scan, "front.jpg",
                           staff).attachment
        assert att.passed and {c["code"]: c["status"] for c in att.checks}["case_match"] == "pass"
        desk.decide(s, case, att, desk.Decision.ACCEPT, None, staff)
        return checker, case.id, att.id


def _edit(core, case_id: int, **changes: str) -> list[str]:
    with core.db.session() as s:
        return cases.update_case(s, s.get(Case, case_id), cases.validate_case_input(_form(**changes)),
                                 s.get(User, core.users["staff"]))


def test_editing_the_principals_name_makes_the_accepted_card_stale(core, accepted_front) -> None:
    checker, case_id, att_id = accepted_front
    assert _edit(core, case_id, principal_name="张四") == ["principal_name"]
    with core.db.session() as s:
        case, staff = s.get(Case, case_id), s.get(User, core.users["staff"])
        [stale] = basis.stale_documents(case)
        assert stale.attachment.id == att_id and stale.fields == ["name"]
        assert stale.label.zh == "主体负责人身份证（人像面）（姓名）"
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, "finish_verification", staff, archive=core.archive)
        assert err.value.code == "checks_stale" and err.value.status == 409
        assert "需重新核验" in err.value.text.zh and "姓名" in err.value.text.zh and "name" in err.value.text.en
        assert case.state == "onsite_verification"
        with pytest.raises(KioskError) as err:  # a stale file cannot be accepted again as it stands
            desk.decide(s, case, s.get(Attachment, att_id), desk.Decision.ACCEPT, "原件一致", staff)
        assert err.value.code == "checks_stale"


def test_a_recheck_compares_again_and_keeps_the_earlier_row(core, accepted_front) -> None:
    checker, case_id, att_id = accepted_front
    _edit(core, case_id, principal_name="张四")
    with core.db.session() as s:
        case, staff = s.get(Case, case_id), s.get(User, core.users["staff"])
        old = s.get(Attachment, att_id)
        before = {c["code"]: c for c in old.checks}
        new = desk.recheck(s, core.archive.store, checker, case, old, staff, "10.0.0.9")
        s.commit()
        new_id = new.id
    with core.db.session() as s:
        case, old, new = s.get(Case, case_id), s.get(Attachment, att_id), s.get(Attachment, new_id)
        assert old.status == AttachmentStatus.SUPERSEDED and old.passed  # kept as it was decided
        assert new.status == AttachmentStatus.CHECKED and not new.passed
        assert (new.original_sha256, new.normalised_sha256) == (old.original_sha256, old.normalised_sha256)
        results = {c["code"]: c for c in new.checks}
        assert results["case_match"]["status"] == "fail" and "姓名" in results["case_match"]["message"]["zh"]
        assert new.readings["mismatches"] == [{"field": "name", "typed": "张四", "read": "张三"}]
        for code in ("colour", "sharpness", "id_number"):  # judged the scan, which did not change
            assert results[code] == before[code]
        assert [c["code"] for c in new.checks] == [c["code"] for c in old.checks]
        rows = s.scalars(select(CheckResultRow).where(CheckResultRow.attachment_id == new_id)).all()
        assert [r.code for r in rows] == [c["code"] for c in new.checks]
        assert basis.stale_documents(case) == []
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "attachment_rechecked")).all()
        assert event.target == f"attachment:{new_id}" and event.remote_addr == "10.0.0.9"
        assert event.detail["changed"] == ["name"] and event.detail["previous"] == att_id
        assert event.detail["passed_before"] is True and event.detail["passed"] is False
        assert word("action", event.action).zh != event.action


def test_unrelated_edits_mark_nothing_stale(core, accepted_front) -> None:
    _checker, case_id, _att_id = accepted_front
    changed = _edit(core, case_id, principal_mobile="13700137000", website_name=["示例网二"])
    assert changed == ["principal_mobile", "website_name"]
    with core.db.session() as s:
        case, staff = s.get(Case, case_id), s.get(User, core.users["staff"])
        assert basis.stale_documents(case) == []
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, "finish_verification", staff, archive=core.archive)
        assert err.value.code == "attachments_incomplete"  # the other documents, not the accepted card


@pytest.mark.parametrize("changes, fields", [
    ({"principal_id_number": S.SPECIMEN_PEOPLE[0].number}, ["id_number"]),
    ({"principal_id_type": "passport", "principal_id_number": "E12345678"}, ["id_number", "id_type", "name"]),
])
def test_id_number_and_type_edits_make_the_card_stale(core, accepted_front, changes, fields) -> None:
    _checker, case_id, _att_id = accepted_front
    _edit(core, case_id, **changes)
    with core.db.session() as s:
        assert [d.fields for d in basis.stale_documents(s.get(Case, case_id))] == [fields]


def test_subject_and_domain_edits_reach_the_documents_that_compared_them(core, front_card) -> None:
    """The certificate compared the subject name, the sheet the subject name and the domains: each goes stale on
    the fields it compared."""
    with core.db.session() as s:
        staff = s.get(User, core.users["staff"])
        case = cases.create_case(s, cases.validate_case_input(_form()), staff)
        for kind in ("subject_certificate", "verification_sheet"):
            s.add(Attachment(case=case, kind=kind, status=AttachmentStatus.ACCEPTED, original_sha256="0" * 64,
                             original_size=1, uploaded_by_id=staff.id,
                             checked_against=basis.snapshot(basis.expected_values(case, kind))))
        case_id = case.id
    _edit(core, case_id, subject_name="南京示例网络有限公司", website_domain=["example.com.cn"])
    with core.db.session() as s:
        stale = {d.attachment.kind: d.fields for d in basis.stale_documents(s.get(Case, case_id))}
        assert stale == {"subject_certificate": ["subject_name"], "verification_sheet": ["domain", "subject_name"]}


# ------------------------------------------------------------------ the pages


@pytest.fixture
def web_app(tmp_path, front_card):
    app = build_app(tmp_path, OCR_ENGINE=CannedOcr(S.printed_lines(front_card)))
    yield app
    app.extensions["kiosk.db"].dispose()


def _upload(client, case_id: int, data: bytes):
    fields = {"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(data), "front.jpg")}
    stream, _length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(f"/cases/{case_id}/documents/principal_id_front", data=stream.read(),
                       content_type=f"multipart/form-data; boundary={boundary}")


def _current(app, case_id: int) -> Attachment:
    with get_database(app).session() as s:
        att = cases.current_attachment(s.get(Case, case_id), "principal_id_front")
        assert att is not None
        s.expunge(att)
        return att


def test_the_pages_show_stale_refuse_the_finish_and_recheck(web_app, front_scan) -> None:
    client = web_app.test_client()
    login(client, "staff")
    with get_database(web_app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        case = cases.create_case(s, cases.validate_case_input(_form()), staff)
        case.state = "onsite_verification"
        s.commit()
        case_id = case.id
    page = f"/cases/{case_id}/documents/principal_id_front"
    assert _upload(client, case_id, front_scan).status_code == 303
    att = _current(web_app, case_id)
    assert post(client, f"{page}/{att.id}/decide", {"decision": "accept"}).status_code == 303
    assert 'id="stale"' not in client.get(page).data.decode()

    assert post(client, f"/cases/{case_id}/edit", _form(principal_name="张四")).status_code == 302
    html = client.get(page).data.decode()
    assert 'id="stale"' in html and 'data-fields="name"' in html and "需重新核验" in html
    assert f'action="{page}/{att.id}/recheck"' in html and 'id="decide"' not in html
    case_html = client.get(f"/cases/{case_id}").data.decode()
    assert 'class="stale" data-fields="name"' in case_html

    r = post(client, f"/cases/{case_id}/move", {"move": "finish_verification"}, follow_redirects=True)
    assert "录入信息已修改，以下材料需重新核验：主体负责人身份证（人像面）（姓名）" in r.data.decode()
    with get_database(web_app).session() as s:
        assert s.get(Case, case_id).state == "onsite_verification"

    assert client.post(f"{page}/{att.id}/recheck").status_code == 400  # no CSRF token: refused, nothing done
    assert _current(web_app, case_id).id == att.id
    assert post(client, f"{page}/{att.id}/recheck").status_code == 303
    new = _current(web_app, case_id)
    assert new.id != att.id and not new.passed
    html = client.get(page).data.decode()
    assert 'id="stale"' not in html and 'data-code="case_match" data-status="fail"' in html
    assert "识别结果与录入信息不一致：姓名" in html and 'id="decide"' in html
