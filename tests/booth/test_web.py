"""The booth pages with a fake camera and judge: binding by token, live state, capture, staff decisions."""

from __future__ import annotations

import dataclasses
import io
import time

from PIL import Image
from sqlalchemy import select

from kiosk.models import AuditEvent, CheckResultRow, PhotoAttempt
from tests.booth.conftest import new_onsite_case, open_booth, read_events
from tests.conftest import ENTERPRISE_FORM, post
from web.booth import booth_session
from web.db import get_database


def form(**changes) -> dict:
    data = {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}
    data.update(changes)
    return data


def attempts(app, case_id: int) -> list[PhotoAttempt]:
    with get_database(app).session() as db:
        rows = db.scalars(select(PhotoAttempt).where(PhotoAttempt.case_id == case_id).order_by(PhotoAttempt.id)).all()
        for row in rows:
            _ = row.results
        return list(rows)


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_booth_without_token_only_waits(booth_app) -> None:
    client = booth_app.test_client()
    page = client.get("/booth")
    assert page.status_code == 200 and "请稍候".encode() in page.data
    assert client.get("/booth/events").status_code == 403
    assert client.get("/booth/stream.mjpg").status_code == 403
    assert client.get("/booth/open/not-a-token").status_code == 404
    assert "kiosk.booth" not in booth_app.extensions  # nothing heavy started for an anonymous visitor


def test_counter_view_needs_staff(booth_app, staff) -> None:
    case_id = new_onsite_case(staff, form())
    anonymous = booth_app.test_client()
    assert anonymous.get(f"/booth/counter/{case_id}").status_code == 302
    response = post(anonymous, f"/booth/counter/{case_id}/open")
    assert response.status_code == 302  # to the login page
    # CSRF on every form
    assert staff.post(f"/booth/counter/{case_id}/open", data={}).status_code == 400


def test_guided_capture_stores_the_photo_with_its_results(booth_app, staff, signal_camera) -> None:
    case_id = new_onsite_case(staff, form())
    booth = booth_app.test_client()
    open_booth(staff, booth, case_id)
    page = booth.get("/booth")
    assert page.status_code == 200 and b'id="instruction-zh"' in page.data

    signal_camera.value = 120  # wearing glasses
    events = read_events(booth.get("/booth/events"), 1, lambda e: e.get("first_failure") == "glasses")
    event = events[0]
    assert event["instruction"] == {"zh": "请摘下眼镜", "en": "Please take off your glasses"}
    assert [light["code"] for light in event["lights"]] == ["person_present", "glasses"]
    assert event["lights"][1]["passed"] is False
    text = str(event)
    for private in ("南京示例科技", "张三", "11010519491231002X", "case_id", "BK-"):
        assert private not in text  # no personal data, no case identity on the booth screen

    signal_camera.value = 250  # glasses off
    events = read_events(booth.get("/booth/events"), 1, lambda e: e.get("phase") == "captured", limit=2000)
    captured = events[0]["captured"]
    assert captured["photo_url"].endswith(f"/booth/photo/{captured['attempt_id']}.jpg")

    rows = attempts(booth_app, case_id)
    assert len(rows) == 1
    attempt = rows[0]
    assert attempt.passed and attempt.trigger == "auto" and attempt.status == "taken"
    assert [r.code for r in attempt.results] == ["person_present", "glasses"]
    assert attempt.verdict["results"][1]["value"] == 250.0
    assert attempt.kiosk_name == "test-kiosk"
    photo = booth.get(captured["photo_url"])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(photo.data))
    assert image.size == (1280, 720) and image.mode == "RGB"
    assert image.getpixel((20, 300))[0] > 200  # the red stripe is still on the left: not mirrored
    assert image.getexif()[0x0132]  # capture time in the metadata
    assert "test-kiosk" in image.info["comment"].decode()

    # taken once only, until staff ask for a retake
    time.sleep(1.5)
    assert len(attempts(booth_app, case_id)) == 1
    assert post(staff, f"/booth/counter/{case_id}/retake").status_code == 303
    assert wait_for(lambda: len(attempts(booth_app, case_id)) == 2)
    first, second = attempts(booth_app, case_id)
    assert first.status == "discarded" and second.status == "taken"  # every attempt is kept

    # staff accept it; the counter page shows both
    response = post(staff, f"/booth/counter/{case_id}/attempts/{second.id}/accept")
    assert response.status_code == 303
    assert attempts(booth_app, case_id)[1].status == "accepted"
    page = staff.get(f"/booth/counter/{case_id}").data.decode()
    assert f'id="attempt-{first.id}"' in page and f'id="attempt-{second.id}"' in page
    case_page = staff.get(f"/cases/{case_id}").data.decode()
    assert 'data-kind="verification_photo" class="item-accepted"' in case_page  # the checklist item is done


def test_failing_frames_never_capture(booth_app, staff, signal_camera) -> None:
    case_id = new_onsite_case(staff, form())
    booth = booth_app.test_client()
    open_booth(staff, booth, case_id)
    signal_camera.value = 0  # nobody there
    events = read_events(booth.get("/booth/events"), 20)
    assert all(e["phase"] in ("idle", "waiting", "paused", "no_camera") for e in events)
    assert any(e.get("first_failure") == "person_present" for e in events)
    time.sleep(1.5)
    assert attempts(booth_app, case_id) == []


def test_manual_capture_then_override_with_reason_then_accept(booth_app, staff, signal_camera) -> None:
    case_id = new_onsite_case(staff, form())
    booth = booth_app.test_client()
    open_booth(staff, booth, case_id)
    signal_camera.value = 120  # the judge insists on glasses (say, a false alarm staff can see is wrong)
    assert post(staff, f"/booth/counter/{case_id}/capture").status_code == 303
    assert wait_for(lambda: len(attempts(booth_app, case_id)) == 1)
    attempt = attempts(booth_app, case_id)[0]
    assert attempt.trigger == "manual" and not attempt.passed

    url = f"/booth/counter/{case_id}/attempts/{attempt.id}"
    response = post(staff, url + "/accept")
    assert response.status_code == 303
    assert attempts(booth_app, case_id)[0].status == "taken"  # refused: glasses not overridden
    response = post(staff, url + "/override", {"check": "glasses", "reason": "   "})
    assert attempts(booth_app, case_id)[0].overridden_checks == []  # a reason is mandatory
    response = post(staff, url + "/override", {"check": "person_present", "reason": "x"})
    assert attempts(booth_app, case_id)[0].overridden_checks == []  # only failed checks
    response = post(staff, url + "/override", {"check": "glasses", "reason": "镜框反光误判\n本人未戴眼镜"})
    assert response.status_code == 303
    attempt = attempts(booth_app, case_id)[0]
    assert attempt.overridden_checks == ["glasses"]
    assert attempt.override_reason == "镜框反光误判 本人未戴眼镜"
    assert post(staff, url + "/accept").status_code == 303
    assert attempts(booth_app, case_id)[0].status == "accepted"
    with get_database(booth_app).session() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "photo_override")).all()
        assert len(audit) == 1 and audit[0].detail["reason"] == "镜框反光误判 本人未戴眼镜"
        assert db.scalars(select(CheckResultRow).where(CheckResultRow.photo_attempt_id == attempt.id)).all()
    page = staff.get(f"/booth/counter/{case_id}").data.decode()
    assert "镜框反光误判" in page


def test_a_booth_sees_only_its_own_case(booth_app, staff, signal_camera) -> None:
    case_a = new_onsite_case(staff, form())
    case_b = new_onsite_case(staff, form(subject_name="另一家示例公司", subject_cert_number="91110000600037341L",
                                         website_domain=["other.cn"]))
    booth_a = booth_app.test_client()
    link_a = open_booth(staff, booth_a, case_a)
    signal_camera.value = 250
    events = read_events(booth_a.get("/booth/events"), 1, lambda e: e.get("phase") == "captured", limit=2000)
    photo_a = events[0]["captured"]["photo_url"]

    booth_b = booth_app.test_client()
    link_b = open_booth(staff, booth_b, case_b)  # staff move the booth to case B
    assert booth_b.get(photo_a).status_code == 403  # B's screen cannot fetch A's photo
    events = read_events(booth_a.get("/booth/events"), 1)
    assert events[0]["phase"] == "waiting" and events[0]["lights"] == []  # A's screen learns nothing of B
    assert booth_a.get("/booth/stream.mjpg").status_code == 403  # ... and does not see B's applicant
    # opening the booth anew rotates the token: the old link is dead
    post(staff, f"/booth/counter/{case_b}/open")
    assert booth_app.test_client().get(link_b).status_code == 404
    assert link_a != link_b


def test_preview_stream_serves_jpeg_parts(booth_app, staff, signal_camera) -> None:
    case_id = new_onsite_case(staff, form())
    booth = booth_app.test_client()
    open_booth(staff, booth, case_id)
    response = booth.get("/booth/stream.mjpg")
    assert response.mimetype == "multipart/x-mixed-replace"
    data = b""
    for chunk in response.response:
        data += chunk
        if data.count(b"--kioskframe") >= 3:
            break
    response.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    assert b"Content-Type: image/jpeg" in head and b"X-Frame-Seq:" in head
    assert rest[:2] == b"\xff\xd8"


def test_booth_session_is_lazy(booth_app, staff) -> None:
    assert "kiosk.booth" not in booth_app.extensions
    case_id = new_onsite_case(staff, form())
    staff.get(f"/booth/counter/{case_id}")
    with booth_app.app_context():
        assert booth_session(booth_app).case_id is None


def test_a_stalled_camera_shows_on_the_booth_within_2_seconds(booth_app, staff, signal_camera) -> None:
    case_id = new_onsite_case(staff, form())
    booth = booth_app.test_client()
    open_booth(staff, booth, case_id)
    signal_camera.value = 250
    read_events(booth.get("/booth/events"), 1, lambda e: e["camera"]["health"] == "ok")
    signal_camera.frozen.set()  # the camera stops delivering
    stopped_at = time.monotonic()
    events = read_events(booth.get("/booth/events"), 1,
                         lambda e: e["camera"]["health"] in ("stalled", "reopening"), limit=2000)
    assert events and time.monotonic() - stopped_at < 2.0
    assert events[0]["phase"] == "no_camera"
    assert events[0]["instruction"]["zh"] == "摄像头暂时不可用，请联系工作人员"
    time.sleep(2.5)  # long enough for the grabber to close and reopen the camera
    signal_camera.frozen.clear()  # frames again: the booth carries on
    events = read_events(booth.get("/booth/events"), 1, lambda e: e["camera"]["health"] == "ok", limit=2000)
    assert events
    assert booth_session(booth_app).grabber.reopens >= 1


def test_frame_upload_needs_the_booth_and_browser_mode(booth_app, staff) -> None:
    case_id = new_onsite_case(staff, form())
    booth = booth_app.test_client()
    open_booth(staff, booth, case_id)
    token = booth.get("/api/csrf").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token, "Content-Type": "image/jpeg", "Accept": "application/json"}
    response = booth.post("/booth/frame", data=b"\xff\xd8junk", headers=headers)
    assert response.status_code == 409  # this kiosk has a real camera
    assert booth_app.test_client().post("/booth/frame", data=b"x", headers=headers).status_code in (400, 403)
    booth_app.config["KIOSK_SETTINGS"] = dataclasses.replace(booth_app.config["KIOSK_SETTINGS"], camera="browser")
    response = booth.post("/booth/frame", data=b"\xff\xd8junk", headers=headers)
    assert response.status_code == 400 and response.get_json()["error"] == "frame_invalid"
    assert booth.post("/booth/frame", data=b"\xff\xd8junk").status_code == 400  # no CSRF token
