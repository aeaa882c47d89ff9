"""Playwright on headless Chromium: an auditor finds a case, opens it, toggles the overlay, exports the pack; an
admin then sees each of those accesses in the access log."""

from __future__ import annotations

import pytest

from kiosk.archive.pack import verify_pack
from tests.archive.conftest import NUMBER
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_auditor_finds_opens_exports_and_admin_sees_it(live_server, browser, sealed, tmp_path):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        browser_login(page, live_server.url, "auditor")
        page.goto(live_server.url + "/audit/")
        page.fill("input[name=number]", NUMBER)
        page.click("#search-button")
        page.wait_for_selector("#results")
        assert page.locator("#results tbody tr").count() == 1
        page.click(f"#results a:has-text('{NUMBER}')")
        page.wait_for_selector("#integrity")
        assert "证据完好" in page.inner_text("#integrity")
        photo = page.locator("#accepted-photo")
        page.wait_for_function("document.getElementById('accepted-photo').naturalWidth > 0")
        assert photo.evaluate("img => img.naturalWidth") == 480
        overlay = page.locator("#photo-overlay")
        assert overlay.is_visible()
        page.uncheck("#overlay-toggle")
        assert not overlay.is_visible()
        page.check("#overlay-toggle")
        assert overlay.is_visible()
        with page.expect_download() as info:
            page.click("#export-button")
        download = info.value
        assert download.suggested_filename.startswith(f"evidence-{NUMBER}-")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        report = verify_pack(path)
        assert report.ok and report.case_number == NUMBER
        page.click("header button.link")  # log out
        page.wait_for_load_state()

        browser_login(page, live_server.url, "admin")
        page.goto(live_server.url + "/audit/access-log?verify=1")
        assert "哈希链完好" in page.inner_text("#chain-status")
        rows = page.locator("#access-log tbody tr")
        text = page.inner_text("#access-log")
        codes = [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]
        assert {"search", "view", "download", "export"} <= set(codes)
        # People read words: the action column shows Chinese, never the code.
        shown = {rows.nth(i).locator("td").nth(3).inner_text() for i in range(rows.count())}
        assert {"检索", "查看", "下载", "导出"} <= shown and not shown & {"search", "view", "download", "export"}
        targets = {rows.nth(i).get_attribute("data-target") for i in range(rows.count())}
        assert f"case:{NUMBER}" in targets and NUMBER in text
        assert "auditor" in text and download.suggested_filename in text
    finally:
        context.close()
