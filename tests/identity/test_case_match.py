"""The face match at the counter, on real photos and specimen ID cards: finishing the on-site verification
matches the accepted photo with the website leader's ID portrait once, seals the score with the case, blocks a
mismatch until a second user approves, and the internal audit needs a second person (four eyes)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from sqlalchemy import select

from kiosk.archive.manifest import manifest_path
from kiosk.archive.pack import verify_pack
from kiosk.archive.verify import verify_archive
from kiosk.documents import specimen_cards as C
from kiosk.documents import specimens as S
from kiosk.identity import FaceMatcher
from kiosk.identity.case_match import cards_to_match
from kiosk.models import AccessLogEntry, Approval, AuditEvent, Case, Seal, User
from tests.conftest import PASSWORDS, blob_store, build_app, login, post
from tests.core.test_finish_seals import onsite_case_with_evidence
from tests.identity.dataset import DATA, photo
from web.db import get_database
from web.services import get_archive, get_face_gate

pytestmark = pytest.mark.slow

OBAMA_A, OBAMA_B, BIDEN = "obama__obama.jpg", "obama__obama2.jpg", "biden__biden.jpg"


@pytest.fixture(scope="module")
def matcher() -> FaceMatcher:
    m = FaceMatcher()
    yield m
    m.close()


@pytest.fixture
def app(tmp_path, matcher):
    app = build_app(tmp_path, settings={"face_match": True})
    gate = get_face_gate(app)
    assert gate is not None
    gate._make_matcher = lambda: matcher  # one matcher (models loaded once) for the module
    yield app
    app.extensions["kiosk.db"].dispose()


def card_jpeg(name: str) -> bytes:
    card = C.to_bgr(S.flatbed(C.card_front(S.SPECIMEN_PEOPLE[0], C.portrait_from_photo(photo(name).load()))))
    ok, data = cv2.imencode(".jpg", card, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return data.tobytes()


def onsite_case(app, form, *, live: str | bytes, card_of: str) -> int:
    """An on-site case with every item accepted: the real photo `live` (a file name, or the JPEG itself) as the
    booth photo, a specimen ID card front printed with the real photo `card_of` as the website leader's card,
    stand-in scans for the rest."""
    live_jpeg = live if isinstance(live, bytes) else (DATA / live).read_bytes()
    contents = {"verification_photo": live_jpeg, "leader_id_front": card_jpeg(card_of)}
    return onsite_case_with_evidence(app, form, contents=contents)


def finish(client, case_id: int):
    return post(client, f"/cases/{case_id}/move", {"move": "finish_verification"}, follow_redirects=True)


def sealed_snapshot(app, case_id: int) -> dict:
    store = blob_store(app)
    with get_database(app).session() as s:
        seal = s.scalars(select(Seal).where(Seal.case_id == case_id).order_by(Seal.sequence.desc())).first()
        manifest = json.loads(manifest_path(store.root, seal.sequence, seal.manifest_sha256).read_bytes())
    snapshot = next(f for f in manifest["files"] if f["role"] == "evidence_snapshot")
    assert any(f["role"] == "face_crop" for f in manifest["files"])
    return json.loads(store.get(snapshot["sha256"]))


def state_of(app, case_id: int) -> str:
    with get_database(app).session() as s:
        return s.get(Case, case_id).state


def test_same_person_finishes_and_the_score_is_sealed(app, client, enterprise_form):
    case_id = onsite_case(app, enterprise_form, live=OBAMA_B, card_of=OBAMA_A)
    login(client, "staff")
    page = finish(client, case_id).data.decode()
    assert state_of(app, case_id) == "awaiting_internal_audit"
    assert 'data-verdict="same"' in page and "同一人" in page and "特征距离" in page and "≤ 0.50 为同一人" in page
    attempt = sealed_snapshot(app, case_id)["photo_attempts"][0]
    card = attempt["identity"]["cards"][0]
    assert attempt["identity"]["verdict"] == card["verdict"] == "same" and card["kind"] == "leader_id_front"
    assert card["distance"] <= card["threshold"] == 0.5 and card["similarity"] == pytest.approx(1 - card["distance"], abs=1e-3)
    assert card["model"]["name"] == "dlib_face_recognition_resnet_model_v1" and card["model"]["version"]
    with get_database(app).session() as s:
        assert [e.detail["verdict"] for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "face_match"))] == ["same"]
        assert verify_archive(blob_store(app), s).ok
        auditor = s.scalars(select(User).where(User.role == "auditor")).one()
        pack = get_archive(app).build_pack(s, s.get(Case, case_id), auditor)
    assert verify_pack(pack.data).ok  # the face crops travel with the evidence pack


def test_different_person_is_blocked_until_a_supervisor_approves(app, client, enterprise_form):
    case_id = onsite_case(app, enterprise_form, live=BIDEN, card_of=OBAMA_A)
    login(client, "staff")
    page = finish(client, case_id).data.decode()
    assert state_of(app, case_id) == "onsite_verification"
    assert "须由另一位主管或管理员核准" in page and 'id="face-approval-form"' in page and 'data-verdict="different"' in page
    finish(client, case_id)  # a second try reuses the stored match
    with get_database(app).session() as s:
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "face_match")).all()) == 1
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "face_match_blocked")).all()) == 2

    # both faces, staff only, every view logged
    crop = client.get(f"/cases/{case_id}/faces/0/live")
    assert crop.status_code == 200 and crop.data[:2] == b"\xff\xd8" and crop.headers["Cache-Control"] == "no-store"
    assert client.get(f"/cases/{case_id}/faces/0/card").data[:2] == b"\xff\xd8"
    assert client.get(f"/cases/{case_id}/faces/1/card").status_code == 404
    with get_database(app).session() as s:
        logged = [e.detail.get("face_crop") for e in s.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "view"))]
        assert logged == ["0:live", "0:card"]

    approve = {"approver": "staff", "approver_password": PASSWORDS["staff"], "reason": "本人持证，照片为十年前所拍"}
    page = post(client, f"/cases/{case_id}/face-approval", approve, follow_redirects=True).data.decode()
    assert "不能由本人确认" in page
    wrong = post(client, f"/cases/{case_id}/face-approval", {**approve, "approver": "supervisor", "approver_password": "x"},
                 follow_redirects=True).data.decode()
    assert 'id="face-approval"' not in wrong
    post(client, f"/cases/{case_id}/face-approval", {**approve, "approver": "supervisor",
                                                    "approver_password": PASSWORDS["supervisor"]})
    finish(client, case_id)
    assert state_of(app, case_id) == "awaiting_internal_audit"
    snapshot = sealed_snapshot(app, case_id)
    assert snapshot["photo_attempts"][0]["identity"]["verdict"] == "different"
    [approval] = snapshot["approvals"]
    assert approval["action"] == "accept_face_mismatch" and approval["approved_by"]["username"] == "supervisor"
    assert approval["requested_by"]["username"] == "staff" and approval["reason"] == approve["reason"]
    with get_database(app).session() as s:
        assert len(s.scalars(select(Approval)).all()) == 1
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "approval")).one().detail["action"] == "accept_face_mismatch"


def test_no_face_in_the_photo_blocks_finishing(app, client, enterprise_form):
    ok, empty_room = cv2.imencode(".jpg", np.full((960, 1280, 3), 150, np.uint8))
    case_id = onsite_case(app, enterprise_form, live=empty_room.tobytes(), card_of=OBAMA_A)
    login(client, "staff")
    page = finish(client, case_id).data.decode()
    assert state_of(app, case_id) == "onsite_verification"
    assert 'data-verdict="no_face"' in page and "现场照片中未找到人脸" in page and "须由另一位主管或管理员核准" in page
    with get_database(app).session() as s:
        [blocked] = s.scalars(select(AuditEvent).where(AuditEvent.action == "face_match_blocked")).all()
        assert blocked.detail["verdict"] == "no_face"


def test_internal_audit_needs_another_user_than_the_verifier(app, client, enterprise_form):
    case_id = onsite_case(app, enterprise_form, live=OBAMA_B, card_of=OBAMA_A)
    login(client, "staff")
    finish(client, case_id)
    page = post(client, f"/cases/{case_id}/move", {"move": "pass_audit"}, follow_redirects=True).data.decode()
    assert state_of(app, case_id) == "awaiting_internal_audit" and "内部审核须由另一位工作人员完成" in page
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    post(supervisor, f"/cases/{case_id}/move", {"move": "pass_audit"})
    assert state_of(app, case_id) == "internal_audit_passed"


def test_principal_card_is_matched_when_the_principal_leads_the_website(app, enterprise_form):
    form = {**enterprise_form, "website_leader_name": enterprise_form["principal_name"],
            "website_leader_id_number": enterprise_form["principal_id_number"]}
    case_id = onsite_case(app, form, live=OBAMA_B, card_of=OBAMA_A)
    with get_database(app).session() as s:
        assert [a.kind for a in cards_to_match(s.get(Case, case_id))] == ["leader_id_front", "principal_id_front"]
    other_id = onsite_case(app, {**enterprise_form, "website_domain": ["example.com.cn"]}, live=OBAMA_B, card_of=OBAMA_A)
    with get_database(app).session() as s:
        assert [a.kind for a in cards_to_match(s.get(Case, other_id))] == ["leader_id_front"]


def accept_at_the_counter(app, client, case_id: int):
    """The booth photo of `case_id` waiting for staff (taken), then accepted at the counter."""
    with get_database(app).session() as s:
        attempt = s.get(Case, case_id).photo_attempts[0]
        attempt.status, attempt_id = "taken", attempt.id
        s.commit()
    login(client, "staff")
    return post(client, f"/booth/counter/{case_id}/attempts/{attempt_id}/accept", {}, follow_redirects=True)


def face_match_events(app) -> list[str]:
    with get_database(app).session() as s:
        return [e.detail["verdict"] for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "face_match"))]


@pytest.mark.parametrize(("live", "verdict", "words", "state_after_finish"), [
    (OBAMA_B, "same", "人脸比对：同一人", "awaiting_internal_audit"),
    (BIDEN, "different", "人脸比对：不是同一人", "onsite_verification"),  # a mismatch still blocks the finish
])
def test_accepting_the_photo_matches_at_once_and_finishing_reuses_it(app, client, enterprise_form, live, verdict,
                                                                     words, state_after_finish):
    case_id = onsite_case(app, enterprise_form, live=live, card_of=OBAMA_A)
    assert words in accept_at_the_counter(app, client, case_id).data.decode()
    assert f'data-verdict="{verdict}"' in client.get(f"/cases/{case_id}").data.decode()
    assert face_match_events(app) == [verdict]
    finish(client, case_id)
    assert state_of(app, case_id) == state_after_finish
    assert face_match_events(app) == [verdict]  # the stored match was reused: same photo, same card


def test_a_new_card_after_acceptance_is_matched_again_at_finish(app, client, enterprise_form):
    case_id = onsite_case(app, enterprise_form, live=OBAMA_B, card_of=OBAMA_A)
    accept_at_the_counter(app, client, case_id)
    assert face_match_events(app) == ["same"]
    store = blob_store(app)
    with get_database(app).session() as s:
        card = cards_to_match(s.get(Case, case_id))[0]
        ref = store.put(card_jpeg(OBAMA_B), encrypt=True)  # a rescan: another photo of the same man
        card.original_sha256, card.original_size = ref.sha256, ref.size
        s.commit()
    page = finish(client, case_id).data.decode()
    assert face_match_events(app) == ["same", "same"], page[page.find('class="flash'):][:400]  # the rescan was matched
    assert state_of(app, case_id) == "awaiting_internal_audit"


def test_the_audit_page_and_the_pdf_state_the_face_match_and_the_liveness(app, client, enterprise_form):
    """Without kiosk.archive.booth_summary neither says whether the faces matched or whether liveness ran."""
    import io
    import zipfile

    from pypdf import PdfReader

    case_id = onsite_case(app, enterprise_form, live=OBAMA_B, card_of=OBAMA_A)
    login(client, "staff")
    finish(client, case_id)
    with get_database(app).session() as s:
        number = s.get(Case, case_id).number
    client.post("/logout")
    login(client, "auditor")
    page = client.get(f"/audit/cases/{number}").data.decode()
    lines = page[page.find('id="booth-results"'):][:1500]
    assert "人脸比对：同一人" in lines and "上限 0.50" in lines and "活体检测：未进行" in lines
    with get_database(app).session() as s:
        auditor = s.scalars(select(User).where(User.role == "auditor")).one()
        pack = get_archive(app).build_pack(s, s.get(Case, case_id), auditor)
    pdf = zipfile.ZipFile(io.BytesIO(pack.data)).read("report.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert "人脸比对：同一人" in text and "活体检测：未进行" in text
