"""End to end in Debian's headless Chromium: the real server, the real photo judge, and clips made from a
real photograph (see capture/demo/README.md) played as the camera."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from capture.demo.make_demo import LEAVING_SCRIPT, PASSING_SCRIPT, Scene, load_photo, write_clip
from capture.video_file import VideoFileCamera
from kiosk.models import PhotoAttempt
from tests.booth.conftest import new_onsite_case
from tests.conftest import ENTERPRISE_FORM, LiveServer, browser_login, build_app, login, post
from web.booth import stop_booth
from web.db import get_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIP_FPS = 15.0


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        "passing": write_clip(folder / "passing.avi", PASSING_SCRIPT, fps=CLIP_FPS),
        "leaving": write_clip(folder / "leaving.avi", LEAVING_SCRIPT, fps=CLIP_FPS),
    }


@pytest.fixture(scope="module")
def empty_frame_instruction() -> dict:
    """What the judge itself says about the empty backdrop (no person): the booth must show exactly this."""
    from kiosk.photo import PhotoJudge

    scene = Scene(load_photo())
    with PhotoJudge() as judge:
        verdict = judge.judge(scene.frame("empty", 0.0, 0.0))
    assert not verdict.passed
    return {"code": verdict.first_failure.code, **verdict.first_failure.message.as_dict()}


def serve_clip(tmp_path: Path, clip: Path):
    def camera() -> VideoFileCamera:
        cam = VideoFileCamera(str(clip))
        cam.open()
        return cam

    return build_app(tmp_path, CAMERA_FACTORY=camera)  # JUDGE_FACTORY unset: the real PhotoJudge


def open_case_for_booth(app) -> tuple[int, str]:
    staff = app.test_client()
    login(staff, "staff")
    case_id = new_onsite_case(staff, {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()})
    assert post(staff, f"/booth/counter/{case_id}/open").status_code == 303
    page = staff.get(f"/booth/counter/{case_id}").data.decode()
    link = re.search(r'id="booth-link">http://[^/]+(/booth/open/[^<]+)<', page).group(1)
    return case_id, link


def attempts(app, case_id: int) -> list[PhotoAttempt]:
    with get_database(app).session() as db:
        rows = list(db.scalars(select(PhotoAttempt).where(PhotoAttempt.case_id == case_id)))
        for row in rows:
            _ = row.results
        return rows


def test_passing_sequence_ends_in_a_stored_photo_with_its_results(tmp_path, clips, page) -> None:
    app = serve_clip(tmp_path, clips["passing"])
    try:
        with LiveServer(app) as server:
            case_id, link = open_case_for_booth(app)
            page.goto(server.url + link)
            assert page.url.endswith("/booth")
            page.wait_for_selector("#lights li", timeout=30000)
            seen: set[str] = set()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                phase = page.evaluate("document.body.className")
                seen.add(phase)
                if "phase-captured" in phase:
                    break
                time.sleep(0.1)
            assert any("phase-countdown" in p for p in seen), seen
            assert "phase-captured" in page.evaluate("document.body.className"), seen
            page.wait_for_selector("#taken:not([hidden])")
            assert page.evaluate("document.body.className.match(/phase-/g).length") == 1
            assert page.locator("svg.guide").is_hidden()  # the guide goes once the photo is shown
            assert page.inner_text("#instruction-zh") == "照片已拍好，请等待工作人员确认"
            assert page.evaluate("window.boothStats.painted") > 10  # the preview is live

            rows = attempts(app, case_id)
            assert len(rows) == 1
            attempt = rows[0]
            assert attempt.passed and attempt.trigger == "auto"
            assert len(attempt.results) == len(attempt.verdict["results"]) >= 10
            assert all(r.status in ("pass", "skipped") for r in attempt.results)
            photo = page.request.get(server.url + f"/booth/photo/{attempt.id}.jpg")
            image = Image.open(io.BytesIO(photo.body()))
            assert image.size == (1280, 720) and len(photo.body()) <= 2_000_000
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()


def test_person_leaving_never_captures_and_instruction_matches_the_judge(
    tmp_path, clips, page, empty_frame_instruction
) -> None:
    app = serve_clip(tmp_path, clips["leaving"])
    try:
        with LiveServer(app) as server:
            case_id, link = open_case_for_booth(app)
            page.goto(server.url + link)
            page.wait_for_selector("#lights li", timeout=30000)
            code = empty_frame_instruction["code"]
            page.wait_for_function(f"document.body.dataset.firstFailure === {code!r}", timeout=30000)
            assert page.inner_text("#instruction-zh") == empty_frame_instruction["zh"]
            assert page.inner_text("#instruction-en") == empty_frame_instruction["en"]
            assert page.locator("svg.guide").is_visible()  # the body-outline guide
            light = page.locator(f'#lights li[data-code="{code}"]')
            assert light.get_attribute("class") == "fail"
            # Two full loops of the clip: the person stands well for 2.4 s each time, then leaves.
            phases: set[str] = set()
            deadline = time.monotonic() + 13
            while time.monotonic() < deadline:
                phases.add(page.evaluate("document.body.className"))
                time.sleep(0.1)
            assert not any("captured" in p for p in phases), phases
            assert attempts(app, case_id) == []
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()


def test_counter_view_shows_live_check_values(tmp_path, clips, page) -> None:
    app = serve_clip(tmp_path, clips["leaving"])
    try:
        with LiveServer(app) as server:
            case_id, _link = open_case_for_booth(app)
            browser_login(page, server.url, "staff")
            page.goto(server.url + f"/booth/counter/{case_id}")
            page.wait_for_selector("#live-checks tbody tr", timeout=30000)
            rows = page.locator("#live-checks tbody tr")
            assert rows.count() >= 10
            # each measured value in words with its unit and limit (kiosk.checkresult.describe), never "0.4312 / 0.3"
            readings = page.locator('#live-checks tbody tr:not([data-value=""]) td:nth-child(3)').all_inner_texts()
            assert any(re.search(r"\d（(上限|下限|范围|应为) [\d.]+", r) for r in readings), readings
            assert not any(re.search(r"\d+\.\d+\s*/\s*\d", r) for r in readings), readings
            camera = page.inner_text("#camera-status")
            assert ("正常" in camera or "正在启动" in camera) and " ok " not in camera  # words, not the health code
            assert page.get_attribute("#booth-phase", "data-phase") in ("idle", "steady", "countdown", "waiting")
            assert page.inner_text("#booth-phase").split()[0] in ("调整中", "保持不动", "倒计时", "等待工作人员")
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()


def test_liveness_on_the_booth_page_shows_the_challenge_and_a_still_never_passes(tmp_path, clips, page) -> None:
    """Liveness on, the clip made from one photograph: the booth shows the challenge (中文 first) and its light;
    the still never turns its head, so no photo until staff skip the test with a reason."""
    from kiosk.liveness import INSTRUCTIONS

    clip = clips["passing"]

    def camera() -> VideoFileCamera:
        cam = VideoFileCamera(str(clip))
        cam.open()
        return cam

    app = build_app(tmp_path, settings={"liveness": True}, CAMERA_FACTORY=camera)
    try:
        with LiveServer(app) as server:
            case_id, link = open_case_for_booth(app)
            page.goto(server.url + link)
            page.wait_for_selector("#liveness:not([hidden])", timeout=30000)
            asked = {t.zh: t.en for t in INSTRUCTIONS.values()}
            zh = page.inner_text("#instruction-zh")
            assert zh in asked and page.inner_text("#instruction-en") == asked[zh]
            assert re.fullmatch(r"[12] / 2", page.inner_text("#liveness-step"))
            assert page.get_attribute("#liveness-light", "role") == "progressbar"
            time.sleep(4)
            assert attempts(app, case_id) == []  # a still does not pass
            staff = app.test_client()
            login(staff, "staff")
            assert post(staff, f"/booth/counter/{case_id}/skip-liveness", {"reason": "demo clip"}).status_code == 303
            page.wait_for_function("document.body.className.includes('phase-captured')", timeout=60000)
            rows = attempts(app, case_id)
            assert len(rows) == 1 and rows[0].liveness["outcome"] == "skipped"
            assert rows[0].liveness["skip_reason"] == "demo clip"
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()
