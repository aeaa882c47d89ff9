"""Benchmark: the booth end to end in headless Chromium, fed by the bundled demo video (1280x720, 30 fps).

Glass-to-verdict latency: from the moment the grabber took a frame off the camera to the moment that
frame's verdict has been rendered on the booth page (the page records Date.now() minus the frame's
grab time once its SSE update is drawn; server and browser share the clock). Preview fps: frames of the
MJPEG preview decoded and painted on the page's canvas per second, at the camera's 1280x720.
Also prints the judge's own time per frame, grab-to-verdict on the server alone (without the browser), verdicts per second and the machine's load average (the 2 cores
are shared by the judge, the JPEG encoder and Chromium).
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from pathlib import Path

WARM_UP_S = 6.0
MEASURE_S = 20.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    import logging

    from playwright.sync_api import sync_playwright

    from capture import demo_video
    from capture.video_file import VideoFileCamera
    from kiosk import accounts
    from kiosk.settings import load_settings
    from tests.booth.conftest import new_onsite_case
    from tests.conftest import ENTERPRISE_FORM, PASSWORDS, LiveServer, login, post
    from web import create_app
    from web.booth import booth_session, stop_booth
    from web.db import get_database

    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="bench_booth_"))
    settings = load_settings({"KIOSK_VAR_DIR": str(tmp), "KIOSK_SECRET_KEY": "bench", "KIOSK_NAME": "bench"})

    def camera() -> VideoFileCamera:
        cam = VideoFileCamera(str(demo_video()))
        cam.open()
        return cam

    app = create_app({"SETTINGS": settings, "TESTING": True, "CAMERA_FACTORY": camera})
    with app.app_context(), get_database(app).session() as db:
        accounts.create_user(db, "staff", "staff", PASSWORDS["staff"])
    try:
        with LiveServer(app) as server, sync_playwright() as pw:
            staff = app.test_client()
            login(staff, "staff")
            case_id = new_onsite_case(staff, {k: (list(v) if isinstance(v, list) else v)
                                              for k, v in ENTERPRISE_FORM.items()})
            post(staff, f"/booth/counter/{case_id}/open")
            page_html = staff.get(f"/booth/counter/{case_id}").data.decode()
            link = re.search(r'id="booth-link">http://[^/]+(/booth/open/[^<]+)<', page_html).group(1)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(server.url + link)
            page.wait_for_selector("#lights li", timeout=60000)
            time.sleep(WARM_UP_S)
            booth = booth_session(app)
            judged0 = booth.judged
            page.evaluate("window.boothStats.latencies = []; window.boothStats.paintTimes = [];"
                          "window.boothStats.painted = 0;")
            judge_ms: list[float] = []
            server_ms: list[float] = []
            started = time.monotonic()
            last_seq = 0
            load0 = os.getloadavg()[0]
            while time.monotonic() - started < MEASURE_S:
                frame = booth.state().frame
                if frame is not None and frame.seq != last_seq and frame.judge_ms is not None:
                    last_seq = frame.seq
                    judge_ms.append(round(frame.judge_ms, 1))
                    server_ms.append((round(frame.judged_at, 4) - round(frame.grabbed_at, 4)) * 1000)
                time.sleep(0.01)
            elapsed = time.monotonic() - started
            stats = page.evaluate("({lat: window.boothStats.latencies, painted: window.boothStats.painted,"
                                  " size: [document.getElementById('video').width,"
                                  " document.getElementById('video').height]})")
            judged = booth.judged - judged0
            browser.close()
    finally:
        stop_booth(app)
        app.extensions["kiosk.db"].dispose()

    latencies = [x * 1000 for x in stats["lat"]]
    print(f"booth_glass_to_verdict_ms_median: {statistics.median(latencies):.1f}")
    print(f"booth_glass_to_verdict_ms_p95: {percentile(latencies, 95):.1f}")
    print(f"booth_verdicts_shown: {len(latencies)}")
    print(f"booth_preview_fps: {stats['painted'] / elapsed:.1f}")
    print(f"booth_preview_size: {stats['size'][0]}x{stats['size'][1]}")
    print(f"booth_judge_ms_median: {statistics.median(judge_ms):.1f}")
    print(f"booth_grab_to_verdict_server_ms_median: {statistics.median(server_ms):.1f}")
    print(f"booth_verdicts_per_s: {judged / elapsed:.1f}")
    print(f"booth_measured_s: {elapsed:.1f}")
    print(f"booth_loadavg_1min: {max(load0, os.getloadavg()[0]):.2f}")


if __name__ == "__main__":
    main()
