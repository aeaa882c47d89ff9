"""In Debian's headless Chromium, on real photos: finishing a case whose booth photo shows someone else than the
ID card is blocked, staff see both faces side by side with the scores, a supervisor approves at the same screen
with their own name and password, and the case then finishes."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORDS, browser_login
from tests.identity.test_case_match import BIDEN, OBAMA_A, app, matcher, onsite_case, state_of  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_mismatch_is_approved_at_the_counter_then_finished(live_server, page, enterprise_form):
    case_id = onsite_case(live_server.app, enterprise_form, live=BIDEN, card_of=OBAMA_A)
    browser_login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/cases/{case_id}")
    page.click('#moves button[value="finish_verification"]')
    page.wait_for_selector('#identity[data-verdict="different"]')
    card = page.locator('#identity .face-match[data-card="0"]')
    assert float(card.get_attribute("data-distance")) > float(card.get_attribute("data-threshold")) == 0.5
    assert "不是同一人" in card.inner_text() and "≤ 0.50 为同一人" in card.inner_text()
    widths = page.eval_on_selector_all("#identity .faces img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 2 and all(w > 0 for w in widths)  # both crops loaded through the logged route
    page.fill("#face-approval-form input[name=approver]", "supervisor")
    page.fill("#face-approval-form input[name=approver_password]", PASSWORDS["supervisor"])
    page.fill("#face-approval-form input[name=reason]", "已与申请人当面核对，证件照片为多年前所拍")
    page.click("#face-approval-form button[type=submit]")
    page.wait_for_selector("#face-approval[data-approved-by=supervisor]")
    page.click('#moves button[value="finish_verification"]')
    page.wait_for_selector("#case-state")
    assert "待内部审核" in page.locator("#case-state").inner_text()
    assert state_of(live_server.app, case_id) == "awaiting_internal_audit"
