"""The admin's calibration page (web/calibrate.py over calibration.capture_session): from the live camera to a
saved profile version with the wordmark; bad input loses nothing; export and import between counters.

Camera: a folder camera showing one generated curtain (tests/calibration/curtain_app.py): blue, folds 0.08,
light fall-off 0.18, noise σ 2.5, the wordmark "BEIAN" at WORDMARK_REGION, filling the frame."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from sqlalchemy import select

from kiosk.models import AuditEvent, BackdropProfile
from tests.booth.fakes import SignalJudge
from tests.calibration.curtain_app import curtain_app
from tests.calibration.curtains import WORDMARK_REGION, curtain
from tests.conftest import login, post
from web.booth import stop_booth
from web.db import get_database

WORDMARK = dict(zip(("x0", "y0", "x1", "y1"), (str(v) for v in WORDMARK_REGION), strict=True))


@pytest.fixture(scope="module")
def blue_curtain():
    return curtain("blue", wordmark=True)


@pytest.fixture
def cal_app(tmp_path, blue_curtain):
    app = curtain_app(tmp_path, blue_curtain)
    yield app
    stop_booth(app)
    app.extensions["kiosk.db"].dispose()


@pytest.fixture
def admin(cal_app):
    client = cal_app.test_client()
    login(client, "admin")
    return client


def start(admin) -> str:
    response = post(admin, "/admin/calibration/start")
    assert response.status_code == 303, response.data[:300]
    return re.search(r"draft=([0-9a-f]+)", response.headers["Location"]).group(1)


def versions(app) -> list[BackdropProfile]:
    with get_database(app).session() as s:
        return list(s.scalars(select(BackdropProfile).order_by(BackdropProfile.version)))


def actions(app) -> list[str]:
    with get_database(app).session() as s:
        return [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_admin_calibrates_from_the_live_camera_marks_the_wordmark_and_saves_version_1(cal_app, admin) -> None:
    page = admin.get("/admin/calibration").data.decode()
    assert "未校准" in page and 'id="start"' in page and "csrf_token" in page
    draft = start(admin)
    page = admin.get(f"/admin/calibration?draft={draft}").data.decode()
    assert 'id="curtain-box" data-region="0.0,0.0,1.0,1.0"' in page  # the curtain fills the frame
    assert re.findall(r'data-code="(\w+)" data-status="(\w+)"', page) == [
        ("resolution", "pass"), ("exposure", "pass"), ("white_balance", "pass"), ("focus", "pass")]
    still = admin.get(f"/admin/calibration/drafts/{draft}/still.jpg")
    assert still.status_code == 200 and still.data[:2] == b"\xff\xd8"
    response = post(admin, f"/admin/calibration/drafts/{draft}/save", WORDMARK)
    assert response.status_code == 303
    [v1] = versions(cal_app)
    assert v1.version == 1 and v1.source == "calibrate"
    assert v1.data["backdrop"]["wordmark"]["region"] == list(WORDMARK_REGION)
    assert v1.data["guide"]["calibrated"] is True
    assert [c["code"] for c in v1.data["camera"]["check"]] == ["resolution", "exposure", "white_balance", "focus"]
    assert next(c for c in v1.data["camera"]["check"] if c["code"] == "focus")["on"] == "wordmark"
    assert actions(cal_app)[-2:] == ["profile_version", "backdrop_calibrated"]
    page = admin.get("/admin/calibration").data.decode()
    assert "已校准（第 1 版）" in page and 'data-version="1"' in page
    assert admin.get(f"/admin/calibration/drafts/{draft}/still.jpg").status_code == 404  # the draft is used up


def test_recalibration_adds_version_2_and_leaves_version_1_as_it_was(cal_app, admin) -> None:
    post(admin, f"/admin/calibration/drafts/{start(admin)}/save", WORDMARK)
    first = versions(cal_app)[0].data
    post(admin, f"/admin/calibration/drafts/{start(admin)}/save")  # no wordmark this time
    v1, v2 = versions(cal_app)
    assert (v1.version, v2.version) == (1, 2)
    assert v1.data == first and "wordmark" in v1.data["backdrop"] and "wordmark" not in v2.data["backdrop"]
    focus = next(c for c in v2.data["camera"]["check"] if c["code"] == "focus")
    assert focus["on"] == "curtain"
    white_balance = next(c for c in v2.data["camera"]["check"] if c["code"] == "white_balance")
    assert white_balance["reference_lab"] == v1.data["backdrop"]["lab"]  # compared with the previous calibration


@pytest.mark.parametrize("box", [{"x0": "abc", "y0": "0.1", "x1": "0.5", "y1": "0.5"},
                                 {"x0": "0.2", "y0": "0.2", "x1": "0.2", "y1": "0.6"},
                                 {"x0": "0.2", "y0": "0.2", "x1": "1.5", "y1": "0.6"},
                                 {"x0": "0.2", "y0": "", "x1": "0.5", "y1": "0.6"}])
def test_a_bad_wordmark_box_is_refused_and_the_draft_is_kept(cal_app, admin, box) -> None:
    draft = start(admin)
    response = post(admin, f"/admin/calibration/drafts/{draft}/save", box)
    assert response.status_code == 303 and f"draft={draft}" in response.headers["Location"]
    page = admin.get(response.headers["Location"]).data.decode()
    assert "标志区域无效" in page and f'data-draft="{draft}"' in page
    assert versions(cal_app) == []
    assert post(admin, f"/admin/calibration/drafts/{draft}/save", WORDMARK).status_code == 303
    assert [v.version for v in versions(cal_app)] == [1]


def test_an_unknown_draft_says_so_and_saves_nothing(cal_app, admin) -> None:
    response = post(admin, "/admin/calibration/drafts/0123456789abcdef/save", WORDMARK)
    assert response.status_code == 303
    assert "这次校准已过期" in admin.get(response.headers["Location"]).data.decode()
    assert versions(cal_app) == []


def test_export_then_import_adds_a_version_and_bad_files_are_refused(cal_app, admin) -> None:
    post(admin, f"/admin/calibration/drafts/{start(admin)}/save", WORDMARK)
    exported = admin.get("/admin/calibration/versions/1/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.data)
    assert data["version"] == 1 and data["profile"]["backdrop"]["wordmark"]
    assert "profile_exported" in actions(cal_app)
    assert admin.get("/admin/calibration/versions/9/export").status_code == 404
    for bad in (b"not json", json.dumps({"format": "other"}).encode(), b""):
        response = post(admin, "/admin/calibration/import", {"profile": (io.BytesIO(bad), "p.json")},
                        content_type="multipart/form-data")
        assert response.status_code == 303
        assert 'class="flash error"' in admin.get("/admin/calibration").data.decode()
    assert len(versions(cal_app)) == 1
    response = post(admin, "/admin/calibration/import", {"profile": (io.BytesIO(exported.data), "p.json")},
                    content_type="multipart/form-data")
    assert response.status_code == 303
    v1, v2 = versions(cal_app)
    assert v2.source == "import" and v2.data == v1.data


def test_the_counter_view_is_calibrated_once_a_version_is_saved(cal_app, admin) -> None:
    from tests.booth.conftest import new_onsite_case
    from tests.conftest import ENTERPRISE_FORM

    staff = cal_app.test_client()
    login(staff, "staff")
    case_id = new_onsite_case(staff, {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()})
    assert "未校准" in staff.get(f"/booth/counter/{case_id}").data.decode()
    post(admin, f"/admin/calibration/drafts/{start(admin)}/save", WORDMARK)
    assert "已校准（第 1 版）" in staff.get(f"/booth/counter/{case_id}").data.decode()


def _wait_for(condition, seconds: float = 20.0) -> bool:
    """Poll `condition` until true or `seconds` have passed (waiting for the booth's worker, not timing it)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_saving_a_version_makes_the_running_booth_judge_with_it(tmp_path, blue_curtain) -> None:
    """The booth's worker made its judge before the calibration; after the save it makes a new one (which loads
    the new version in production: kiosk.booth.station.judge_factory)."""
    made: list[SignalJudge] = []

    def judge() -> SignalJudge:
        made.append(SignalJudge())
        return made[-1]

    app = curtain_app(tmp_path, blue_curtain, JUDGE_FACTORY=judge)
    try:
        client = app.test_client()
        login(client, "admin")
        draft = start(client)
        assert _wait_for(lambda: len(made) == 1 and made[0].calls > 0)
        post(client, f"/admin/calibration/drafts/{draft}/save", WORDMARK)
        app.extensions["kiosk.booth"].touch()
        assert _wait_for(lambda: len(made) == 2)
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()
