"""In Debian's headless Chromium: staff log in, open a case for an enterprise in Jiangsu, and see the domain
certificate in its checklist (and the form's live preview before saving)."""

import pytest

from tests.conftest import ENTERPRISE_FORM, browser_login

pytestmark = pytest.mark.browser


def test_staff_opens_jiangsu_enterprise_case(live_server, page):
    browser_login(page, live_server.url, "staff")
    page.goto(live_server.url + "/cases/new")
    page.select_option("#subject_type", "enterprise")
    page.select_option("#province", "jiangsu")
    page.wait_for_selector('#checklist-preview li[data-kind="domain_certificate"]')
    for name in ("subject_name", "subject_cert_number", "principal_name", "principal_id_number", "principal_mobile",
                 "website_leader_name", "website_leader_id_number", "website_leader_mobile"):
        page.fill(f"input[name={name}]", ENTERPRISE_FORM[name])
    page.fill("input[name=website_domain]", "example.cn")
    page.fill("input[name=website_name]", "示例网")
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#checklist")
    assert page.locator('#checklist tr[data-kind="domain_certificate"]').count() == 1
    assert "域名证书" in page.locator("#checklist").inner_text()
    assert "草稿" in page.locator("#case-state").inner_text()
    page.screenshot(path=str(live_server.app.config["KIOSK_SETTINGS"].var_dir / "case.png"), full_page=True)


def test_beijing_preview_has_no_domain_certificate(live_server, page):
    browser_login(page, live_server.url, "staff")
    page.goto(live_server.url + "/cases/new")
    page.select_option("#province", "beijing")
    page.wait_for_selector('#checklist-preview li[data-kind="verification_sheet"]')
    assert page.locator('#checklist-preview li[data-kind="domain_certificate"]').count() == 0


def test_individual_hides_website_leader(live_server, page):
    browser_login(page, live_server.url, "staff")
    page.goto(live_server.url + "/cases/new")
    page.select_option("#subject_type", "individual")
    assert page.locator('fieldset[data-role="website_leader"]').is_hidden()
