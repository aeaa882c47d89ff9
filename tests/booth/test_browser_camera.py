"""Browser-camera mode (tablets): Chromium's fake camera plays a Y4M clip made from a real photo; the
booth page uploads its frames and the real judge on the server takes the photo."""

from __future__ import annotations

import io
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from capture.demo.make_demo import Scene, load_photo
from tests.booth.test_browser import attempts, open_case_for_booth
from tests.conftest import LiveServer, build_app, fake_camera_browser_for
from web.booth import stop_booth

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FPS = 5


def write_y4m(path: Path, script: list[tuple[str, float]], fps: int = FPS) -> Path:
    """A raw YUV4MPEG2 (4:2:0) clip, the format Chromium's fake capture device reads."""
    scene = Scene(load_photo())
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{scene.width} H{scene.height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in scene.frames(script, fps):
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path


@pytest.fixture(scope="module")
def fake_camera_browser(playwright_instance, tmp_path_factory):
    clip = write_y4m(tmp_path_factory.mktemp("y4m") / "passing.y4m", [("empty", 1.0), ("good", 7.0)])
    browser = fake_camera_browser_for(playwright_instance, clip)
    yield browser
    browser.close()


def test_tablet_camera_frames_are_judged_and_photographed_unmirrored(tmp_path, fake_camera_browser) -> None:
    app = build_app(tmp_path, settings={"camera": "browser"})
    try:
        with LiveServer(app) as server:
            case_id, link = open_case_for_booth(app)
            context = fake_camera_browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(server.url + link)
            assert page.locator("video#local").count() == 1
            page.wait_for_function("window.boothStats.uploaded > 3", timeout=30000)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "phase-captured" not in page.evaluate("document.body.className"):
                time.sleep(0.2)
            assert "phase-captured" in page.evaluate("document.body.className")
            context.close()
        rows = attempts(app, case_id)
        assert len(rows) == 1 and rows[0].passed
        with app.app_context():
            from tests.conftest import blob_store as _store

            data = _store(app).get(rows[0].image_sha256)
        photo = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))[:, :, ::-1].astype(np.float32)
        assert photo.shape == (720, 1280, 3)  # the camera's own resolution, not enlarged
        top = slice(0, 600)  # leave out the printed stamp
        scene = Scene(load_photo())
        frames = [f.astype(np.float32)[top] for f in scene.frames([("empty", 1.0), ("good", 7.0)], FPS)][FPS:]
        same = min(np.abs(photo[top] - f).mean() for f in frames)  # the clip frame it was taken from
        flipped = min(np.abs(photo[top, ::-1] - f).mean() for f in frames)
        assert same < 0.6 * flipped  # the stored photo is the unmirrored camera frame
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()
