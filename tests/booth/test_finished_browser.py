"""Playwright on Debian's headless Chromium: the booth's finished screen and the booth link fit a laptop
(1366×768) and a phone (375×667).

The booth runs on the fakes (tests/booth/fakes.py: a camera whose signal pixel the test sets, a judge that reads
it). The applicant stands well (signal 255), the booth takes the photo; then the person steps away (signal 0,
every live check fails) and staff accept the photo: the finished screen must still read as a plain success: a
large check mark, "拍照完成，请回到柜台", and no red or grey light anywhere on it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.models import PhotoAttempt
from tests.booth.conftest import new_onsite_case
from tests.conftest import ENTERPRISE_FORM, LiveServer, browser_login, post
from web.db import get_database

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 375, "height": 667}}

# the widest element's overflow: its scroll width beyond its client width, in px (0 when it fits)
OVERFLOW = "sel => { const el = document.querySelector(sel); return el.scrollWidth - el.clientWidth; }"
# lights the applicant could see that are not green
UNHAPPY_LIGHTS = """() => [...document.querySelectorAll('#lights li')]
    .filter(li => li.getClientRects().length && !li.classList.contains('pass')).map(li => li.dataset.code)"""


def _attempt_id(app, case_id: int) -> int:
    with get_database(app).session() as db:
        return db.scalars(select(PhotoAttempt.id).where(PhotoAttempt.case_id == case_id)).one()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_finished_screen_is_calm_and_the_booth_link_fits(booth_app, staff, signal_camera, browser, size, tmp_path) -> None:
    viewport = VIEWPORTS[size]
    case_id = new_onsite_case(staff, {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()})
    with LiveServer(booth_app) as server:
        counter = browser.new_context(locale="zh-CN", viewport=viewport)
        booth = browser.new_context(locale="zh-CN", viewport=viewport)
        try:
            desk = counter.new_page()
            desk.set_default_timeout(15000)
            browser_login(desk, server.url, "staff")
            desk.goto(server.url + f"/booth/counter/{case_id}")
            desk.click("#open-booth")
            desk.wait_for_selector("#booth-link")
            # the counter card with the booth link: nothing runs off the page or the card
            assert desk.evaluate(OVERFLOW, "body") <= 0
            assert desk.evaluate(OVERFLOW, ".card.controls") <= 0
            link_right, card_right = desk.evaluate("""() => [document.querySelector('#booth-link').getBoundingClientRect().right,
                document.querySelector('.card.controls').getBoundingClientRect().right]""")
            assert link_right <= card_right
            link = desk.get_attribute("#booth-link", "href")

            screen = booth.new_page()
            screen.set_default_timeout(15000)
            signal_camera.value = 255  # the applicant stands well: the booth counts down and takes the photo
            screen.goto(link)
            screen.wait_for_function("document.body.classList.contains('phase-captured')")
            signal_camera.value = 0  # ... then steps away: every live check now fails
            seq = int(screen.evaluate("document.body.dataset.seq || 0"))
            screen.wait_for_function(f"Number(document.body.dataset.seq || 0) > {seq + 3}")
            accepted = post(staff, f"/booth/counter/{case_id}/attempts/{_attempt_id(booth_app, case_id)}/accept")
            assert accepted.status_code in (302, 303)

            screen.wait_for_function("document.body.classList.contains('phase-accepted')")
            assert screen.inner_text("#instruction-zh") == "拍照完成，请回到柜台"
            assert screen.inner_text("#instruction-en") == "Photo taken — please return to the counter"
            assert screen.locator("#done .mark").is_visible() and screen.inner_text("#done .mark") == "✓"
            assert screen.evaluate(UNHAPPY_LIGHTS) == []
            assert screen.locator("#liveness").is_hidden() and screen.locator("#camera-alert").is_hidden()
            assert screen.locator("#video").is_hidden()  # no live picture behind the check mark
            assert screen.evaluate(OVERFLOW, "body") <= 0
            mark = screen.locator("#done .mark").bounding_box()
            assert mark is not None and mark["x"] >= 0 and mark["x"] + mark["width"] <= viewport["width"]
            screen.screenshot(path=str(tmp_path / f"booth-finished-{size}.png"))  # to look at: pytest's tmp folder
        finally:
            booth.close()
            counter.close()
