"""Document pages for counter staff: role rules, uploads stored (encrypted originals for ID scans), checks and
readings shown, accept with an override reason, and bad uploads leaving the case unchanged.

Uploads are generated specimens (kiosk/documents/specimens.py) for the principal typed in the shared
ENTERPRISE_FORM (张三, 11010519491231002X: the example number of GB 11643 itself)."""

from __future__ import annotations

import io
import re

import cv2
import numpy as np
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from kiosk import cases
from kiosk.documents import specimens as S
from kiosk.models import Approval, Attachment, AuditEvent, BlobRecord, Case, CheckResultRow, User
from tests.conftest import PASSWORDS, blob_store, csrf_token, login, post
from web.db import get_database

PRINCIPAL = S.Person("张三", "11010519491231002X")


@pytest.fixture(scope="module")
def front_scan() -> bytes:
    """The principal's portrait side drawn at 14 px/mm and scanned on the flatbed (JPEG q90)."""
    return S.jpeg_bytes(S.flatbed(S.id_card_front(PRINCIPAL)))


@pytest.fixture
def case_id(app, enterprise_form) -> int:
    with get_database(app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        case = cases.create_case(s, cases.validate_case_input(enterprise_form), staff)
        case.state = "onsite_verification"
        s.commit()
        return case.id


def _upload(client, case_id: int, kind: str, data: bytes, filename: str):
    """POST the file as multipart, encoded in memory (werkzeug's test client would spool a large body to a
    temporary file that it never closes, which pytest reports as an unraisable ResourceWarning)."""
    fields = {"csrf_token": csrf_token(client), "file": FileStorage(io.BytesIO(data), filename)}
    stream, length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(f"/cases/{case_id}/documents/{kind}", data=stream.read(),
                       content_type=f"multipart/form-data; boundary={boundary}")


def _attachments(app, case_id: int) -> list[Attachment]:
    with get_database(app).session() as s:
        rows = s.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)).all()
        s.expunge_all()
        return list(rows)


def test_anonymous_is_sent_to_login(client, case_id):
    r = client.get(f"/cases/{case_id}/documents/principal_id_front")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_auditor_is_refused(client, app, case_id, front_scan):
    login(client, "auditor")
    assert client.get(f"/cases/{case_id}/documents/principal_id_front").status_code == 403
    assert _upload(client, case_id, "principal_id_front", front_scan, "front.jpg").status_code == 403
    assert _attachments(app, case_id) == []


def test_upload_without_csrf_is_refused(staff_client, app, case_id, front_scan):
    r = staff_client.post(f"/cases/{case_id}/documents/principal_id_front",
                          data={"file": (io.BytesIO(front_scan), "front.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 400 and _attachments(app, case_id) == []


def test_unknown_kind_is_404(staff_client, case_id):
    assert staff_client.get(f"/cases/{case_id}/documents/verification_photo").status_code == 404
    assert staff_client.get("/cases/999999/documents/principal_id_front").status_code == 404


@pytest.mark.slow  # reads the upload with the real OCR engine
def test_staff_upload_is_checked_read_and_stored_encrypted(staff_client, app, case_id, front_scan):
    page = staff_client.get(f"/cases/{case_id}/documents/principal_id_front")
    assert page.status_code == 200 and "尚未上传" in page.data.decode()
    r = _upload(staff_client, case_id, "principal_id_front", front_scan, "front.jpg")
    assert r.status_code == 303
    [att] = _attachments(app, case_id)
    assert att.passed and att.status == "checked" and att.encrypted
    assert att.readings["values"]["id_number"] == PRINCIPAL.number
    assert att.readings["values"]["name"] == "张三"
    store = blob_store(app)
    assert store.get(att.original_sha256) == front_scan  # byte for byte
    normalised = store.get(att.normalised_sha256)
    assert normalised[:3] == b"\xff\xd8\xff" and len(normalised) <= 4 * 2**20
    # encrypted at rest: the plaintext is nowhere under the archive folder
    root = app.config["KIOSK_SETTINGS"].archive_dir
    for path in root.rglob("*"):
        if path.is_file():
            assert front_scan[:4096] not in path.read_bytes()
    with get_database(app).session() as s:
        assert s.scalar(select(func.count()).select_from(CheckResultRow).where(CheckResultRow.attachment_id == att.id)) == len(att.checks)
        assert s.get(BlobRecord, att.original_sha256).encrypted
    html = staff_client.get(f"/cases/{case_id}/documents/principal_id_front").data.decode()
    assert PRINCIPAL.number in html and 'data-code="id_number" data-status="pass"' in html
    # readings in words with unit and limit (kiosk.readouts), never the bare "0.8312 / 0.4"
    assert re.search(r"清晰度 \d\.\d\d（下限 0\.40）", html) and re.search(r"证件宽度 \d+ px（下限 1000 px）", html), html
    assert not re.search(r"\d\.\d+ / \d", html)
    img = staff_client.get(f"/cases/{case_id}/documents/principal_id_front/{att.id}/normalised")
    assert img.status_code == 200 and img.data == normalised and img.headers["Cache-Control"] == "no-store"
    orig = staff_client.get(f"/cases/{case_id}/documents/principal_id_front/{att.id}/original")
    assert orig.data == front_scan
    # accept: a passed document needs no reason; the checklist item is then complete
    r = post(staff_client, f"/cases/{case_id}/documents/principal_id_front/{att.id}/decide", {"decision": "accept"})
    assert r.status_code == 303
    with get_database(app).session() as s:
        case = s.get(Case, case_id)
        item = next(i for i in cases.checklist(case) if i.requirement.kind.value == "principal_id_front")
        assert item.complete


@pytest.mark.parametrize(
    "data,filename,code",
    [
        (b"", "front.jpg", "upload_empty"),
        (S.png_bytes(S.id_card_front(PRINCIPAL)), "front.jpg", "upload_type_mismatch"),
        (S.jpeg_bytes(S.id_card_front(PRINCIPAL))[:5000], "front.jpg", "upload_corrupt"),
    ],
    ids=["empty", "png-named-jpg", "truncated"],
)
def test_bad_upload_leaves_case_unchanged(staff_client, app, case_id, data, filename, code):
    with get_database(app).session() as s:
        before = s.get(Case, case_id).updated_at
        blobs = s.scalar(select(func.count()).select_from(BlobRecord))
    r = _upload(staff_client, case_id, "principal_id_front", data, filename)
    assert r.status_code == 400
    html = r.data.decode()
    assert f'data-code="{code}"' in html
    assert _attachments(app, case_id) == []
    with get_database(app).session() as s:
        assert s.get(Case, case_id).updated_at == before
        assert s.scalar(select(func.count()).select_from(BlobRecord)) == blobs


@pytest.mark.slow  # reads the upload with the real OCR engine
def test_failed_document_needs_override_reason(staff_client, app, case_id):
    """The principal's front scanned in greyscale: colour fails; accepting needs a written reason."""
    data = S.jpeg_bytes(S.greyscale(S.flatbed(S.id_card_front(PRINCIPAL))))
    _upload(staff_client, case_id, "principal_id_front", data, "grey.jpg")
    [att] = _attachments(app, case_id)
    assert not att.passed
    url = f"/cases/{case_id}/documents/principal_id_front/{att.id}/decide"
    r = post(staff_client, url, {"decision": "accept", "reason": "  "})
    assert r.status_code == 400 and 'data-code="override_reason_required"' in r.data.decode()
    assert _attachments(app, case_id)[0].status == "checked"
    r = post(staff_client, url, {"decision": "accept", "reason": "原件为彩色，已当面核对"})
    assert r.status_code == 303
    [att] = _attachments(app, case_id)
    assert att.status == "accepted" and att.override_reason == "原件为彩色，已当面核对" and att.override_by_id
    with get_database(app).session() as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "attachment_override")).one().detail["failed"] == ["colour"]


@pytest.mark.slow  # reads the upload with the real OCR engine
def test_mismatch_is_shown(staff_client, app, case_id):
    """A card of someone else (李试例): both name and number differ from what was typed."""
    other = S.SPECIMEN_PEOPLE[1]
    _upload(staff_client, case_id, "principal_id_front", S.jpeg_bytes(S.flatbed(S.id_card_front(other))), "x.jpg")
    [att] = _attachments(app, case_id)
    assert {m["field"] for m in att.readings["mismatches"]} == {"name", "id_number"}
    html = staff_client.get(f"/cases/{case_id}/documents/principal_id_front").data.decode()
    assert 'class="mismatch" data-field="id_number"' in html and 'data-code="case_match" data-status="fail"' in html


@pytest.mark.slow  # reads the upload with the real OCR engine
def test_new_upload_supersedes_and_both_sides_from_one_sheet(staff_client, app, case_id, front_scan):
    """First the front alone, then one A4 sheet (320 dpi) holding both sides: the sheet fills both slots."""
    _upload(staff_client, case_id, "principal_id_front", front_scan, "front.jpg")
    sheet = S.jpeg_bytes(S.two_sides_on_a4(S.id_card_front(PRINCIPAL), S.id_card_back(PRINCIPAL), dpi=320))
    assert _upload(staff_client, case_id, "principal_id_front", sheet, "both.jpg").status_code == 303
    rows = _attachments(app, case_id)
    assert [(a.kind, a.status) for a in rows] == [
        ("principal_id_front", "superseded"), ("principal_id_front", "checked"), ("principal_id_back", "checked")]
    assert rows[1].original_sha256 == rows[2].original_sha256
    assert rows[2].readings["values"]["expiry"]["date"] == "2036-05-01"


@pytest.mark.slow  # reads the upload with the real OCR engine
def test_document_camera(app, client, case_id):
    """A fake document camera whose frames are the table photo of the principal's front."""
    frame = cv2.cvtColor(np.asarray(S.photograph(S.id_card_front(PRINCIPAL))), cv2.COLOR_RGB2BGR)

    class FakeCamera:
        def open(self) -> None: ...
        def read(self):
            return frame
        def close(self) -> None: ...

    app.config["DOCUMENT_CAMERA_FACTORY"] = FakeCamera
    login(client, "staff")
    assert "文档摄像头" in client.get(f"/cases/{case_id}/documents/principal_id_front").data.decode()
    r = post(client, f"/cases/{case_id}/documents/principal_id_front/capture")
    assert r.status_code == 303
    [att] = _attachments(app, case_id)
    assert att.filename == "document-camera.jpg" and att.readings["values"]["id_number"] == PRINCIPAL.number


def test_documents_locked_after_the_case_moved_on(staff_client, app, case_id, front_scan):
    with get_database(app).session() as s:
        s.get(Case, case_id).state = "awaiting_internal_audit"
        s.commit()
    r = _upload(staff_client, case_id, "principal_id_front", front_scan, "front.jpg")
    assert r.status_code == 409 and _attachments(app, case_id) == []


@pytest.mark.slow
def test_checklist_fills_with_checked_read_documents(staff_client, app, case_id, enterprise_form):
    """Every document of the Jiangsu enterprise case, generated to match what was typed (licence with its name
    and credit code, both people's cards as flatbed scans, the sealed and signed sheet and the domain
    certificate for example.cn): each passes every check, is accepted without an override, and the checklist
    then lacks only the booth's verification photo."""
    leader = S.Person(enterprise_form["website_leader_name"], enterprise_form["website_leader_id_number"])
    docs = {
        "subject_certificate": S.flatbed(S.business_licence(enterprise_form["subject_name"],
                                                           enterprise_form["subject_cert_number"]), margin=0.02),
        "principal_id_front": S.flatbed(S.id_card_front(PRINCIPAL)),
        "principal_id_back": S.photograph(S.id_card_back(PRINCIPAL)),
        "leader_id_front": S.photograph(S.id_card_front(leader), seed=2),
        "leader_id_back": S.flatbed(S.id_card_back(leader)),
        "verification_sheet": S.flatbed(S.verification_sheet(domain="example.cn", subject=enterprise_form["subject_name"]),
                                        margin=0.02),
        "domain_certificate": S.flatbed(S.domain_certificate(domain="example.cn"), margin=0.02),
    }
    for kind, img in docs.items():
        assert _upload(staff_client, case_id, kind, S.jpeg_bytes(img), f"{kind}.jpg").status_code == 303
        att = [a for a in _attachments(app, case_id) if a.kind == kind][-1]
        assert att.passed, (kind, [c for c in att.checks if not c["passed"]])
        post(staff_client, f"/cases/{case_id}/documents/{kind}/{att.id}/decide", {"decision": "accept"})
    with get_database(app).session() as s:
        items = cases.checklist(s.get(Case, case_id))
        assert [i.requirement.kind.value for i in items if not i.complete] == ["verification_photo"]
    r = post(staff_client, f"/cases/{case_id}/move", {"move": "finish_verification"}, follow_redirects=True)
    html = r.data.decode()
    assert "真实性核验照片" in html and "主体证件" not in html.split("尚未完成核验")[1].split("<")[0]


@pytest.mark.slow  # reads the upload with the real OCR engine
def test_failed_identity_check_is_accepted_only_with_a_second_user(staff_client, app, case_id):
    """A wrong check digit in the ID number: the page asks for a supervisor; a wrong password or none is refused."""
    wrong = S.Person("张三", "110105194912310021")
    _upload(staff_client, case_id, "principal_id_front", S.jpeg_bytes(S.flatbed(S.id_card_front(wrong))), "front.jpg")
    [att] = _attachments(app, case_id)
    url = f"/cases/{case_id}/documents/principal_id_front/{att.id}/decide"
    assert 'id="second-approval"' in staff_client.get(f"/cases/{case_id}/documents/principal_id_front").data.decode()
    form = {"decision": "accept", "reason": "已核对原件"}
    r = post(staff_client, url, form)
    assert r.status_code == 403 and 'data-code="approval_required"' in r.data.decode()
    r = post(staff_client, url, {**form, "approver": "supervisor", "approver_password": "wrong"})
    assert r.status_code >= 400 and _attachments(app, case_id)[0].status == "checked"
    r = post(staff_client, url, {**form, "approver": "supervisor", "approver_password": PASSWORDS["supervisor"]})
    assert r.status_code == 303 and _attachments(app, case_id)[0].status == "accepted"
    with get_database(app).session() as s:
        [approval] = [a for a in s.scalars(select(Approval)) if a.action == "override_identity_check"]
        assert approval.target == f"attachment:{att.id}" and s.get(User, approval.approved_by_id).username == "supervisor"


ZIP_TAIL = b"PK\x03\x04" + b"hidden archive appended after the image " * 40


def test_appended_data_is_flagged_and_left_out_of_the_normalised_copy(staff_client, app, case_id, front_scan):
    """The principal's specimen scan with a ZIP header and 1.6 KB appended after the JPEG's EOI (how a file is
    smuggled inside a picture): the upload is kept byte for byte as evidence, the normalised copy has none of
    it, and the `appended_data` check is uncertain with the byte count, so accepting it needs a written reason."""
    data = front_scan + ZIP_TAIL
    r = _upload(staff_client, case_id, "principal_id_front", data, "front.jpg")
    assert r.status_code == 303
    [att] = _attachments(app, case_id)
    check = next(c for c in att.checks if c["code"] == "appended_data")
    assert check["status"] == "uncertain" and check["value"] == len(ZIP_TAIL)
    assert not att.passed and att.readings["appended_bytes"] == len(ZIP_TAIL)
    store = blob_store(app)
    assert store.get(att.original_sha256) == data
    assert b"hidden archive" not in store.get(att.normalised_sha256)
    page = staff_client.get(f"/cases/{case_id}/documents/principal_id_front").data.decode()
    assert "图像后附加数据" in page and f"{len(ZIP_TAIL)} 字节" in page


def test_clean_upload_passes_the_appended_data_check(staff_client, app, case_id, front_scan):
    _upload(staff_client, case_id, "principal_id_front", front_scan, "front.jpg")
    [att] = _attachments(app, case_id)
    check = next(c for c in att.checks if c["code"] == "appended_data")
    assert check["status"] == "pass" and att.passed


def test_the_page_shows_the_file_size_and_the_upload_pixel_size(staff_client, app, case_id, front_scan):
    _upload(staff_client, case_id, "principal_id_front", front_scan, "front.jpg")
    [att] = _attachments(app, case_id)
    height, width = cv2.imdecode(np.frombuffer(front_scan, np.uint8), cv2.IMREAD_COLOR).shape[:2]
    assert att.readings["original_px"] == [width, height]
    page = staff_client.get(f"/cases/{case_id}/documents/principal_id_front").data.decode()
    from kiosk.text import human_bytes
    assert f"原件 {human_bytes(len(front_scan))}，{width}×{height} 像素" in page
