"""In Debian's headless Chromium (issue #14's "Done when"): staff publish a slot, book a case into it from the case
page, open the case from the day view, print the verification sheet (the downloaded PDF is read for the case
number and the subject) and match its signed scan; the case list and a case page show working-day due dates
across the National Day week."""

from __future__ import annotations

import cv2
import pytest

from tests.conftest import browser_login

from .conftest import beijing, new_case, put_in_state
from .test_appointment_pages import next_workday
from .test_sheet import render_pages, scanned, text_of

pytestmark = pytest.mark.browser


def test_publish_book_open_from_day_view_and_print_the_sheet(live_server, page, tmp_path):
    app = live_server.app
    with app.extensions["kiosk.db"].session() as s:
        case = new_case(s)
        case_id, number = case.id, case.number
    day = next_workday()
    browser_login(page, live_server.url, "staff")

    page.click("header nav >> text=预约时段")
    page.fill("input[name=first_day]", day.isoformat())
    page.fill("input[name=last_day]", day.isoformat())
    page.fill("input[name=opens]", "09:00")
    page.fill("input[name=closes]", "09:30")
    page.fill("input[name=breaks]", "")
    page.fill("input[name=location]", "柜台1")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector("#slots tr.slot")
    assert "已发布1个时段" in page.locator(".flash").inner_text()
    assert f"{day.isoformat()} 09:00–09:30" in page.locator("#slots").inner_text()
    slot_id = page.locator("#slots tr.slot").get_attribute("data-slot-id")

    page.goto(f"{live_server.url}/cases/{case_id}")
    page.select_option("#book-form select[name=slot_id]", slot_id)
    page.click("#book-form button[type=submit]")
    page.wait_for_selector("#current-appointment")
    assert page.locator("#current-appointment").get_attribute("data-status") == "booked"
    assert "已预约" in page.locator("#current-appointment").inner_text()

    page.click("header nav >> text=今日到场")
    plan = page.locator("section.day-plan", has_text=day.isoformat())
    assert number in plan.inner_text() and "已预约" in plan.inner_text() and "单位公章" in plan.inner_text()
    plan.locator(f"a:text('{number}')").click()
    page.wait_for_selector("#sheet-form")
    assert number in page.locator("h1").inner_text()

    with page.expect_download() as info:
        page.click("#sheet-form button[type=submit]")
    pdf_path = tmp_path / "downloaded.pdf"
    info.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and info.value.suggested_filename.endswith(".pdf")
    text = text_of(pdf)
    assert number in text and "南京示例科技有限公司" in text and "网站备案信息真实性核验单" in text

    scan = tmp_path / "signed.jpg"
    cv2.imwrite(str(scan), scanned(render_pages(pdf, tmp_path)[0]))
    page.set_input_files("#match-form input[name=scan]", str(scan))
    page.click("#match-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert "与本案件一致，有效" in page.locator(".flash").inner_text()
    with app.extensions["kiosk.db"].session() as s:
        from sqlalchemy import select

        from kiosk.models import AuditEvent

        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.target == f"case:{case_id}"))]
    assert "sheet_printed" in actions and "sheet_matched" in actions


def test_case_list_and_case_page_count_working_days_across_national_day(live_server, page):
    with live_server.app.extensions["kiosk.db"].session() as s:
        late = new_case(s, domain="late.cn")
        put_in_state(s, late, "at_administration", beijing(2026, 9, 29, 10, 0))  # 20 working days across 国庆
        late_id, number = late.id, late.number
    browser_login(page, live_server.url, "staff")
    page.click("header nav >> text=案件")
    row = page.locator("tr", has_text=number)
    deadline = row.locator(".deadline")
    # 20 calendar-style weekdays from 29 September end on 27 October; the National Day holidays move it to 2 November
    assert deadline.get_attribute("data-due") == "2026-11-02"
    assert "通信管理局审核" in deadline.inner_text() and "2026-11-02" in deadline.inner_text()
    row.locator(f"a:text('{number}')").click()
    page.wait_for_selector("#case-deadline")
    assert page.locator("#case-deadline .deadline").get_attribute("data-due") == "2026-11-02"
    assert "已超期" in page.locator("#case-deadline").inner_text()
    assert f"/cases/{late_id}" in page.url
