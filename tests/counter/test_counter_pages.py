"""The counter's web pages: the day view (arrive / no-show buttons) and the dashboard."""

from __future__ import annotations

import datetime as dt

from kiosk.appointments import booking
from kiosk.models import Appointment, AppointmentSlot
from tests.conftest import post

from .conftest import new_case, staff


def _book_soon(app, hours_ahead: int = 1):
    """A case booked into a slot starting `hours_ahead` hours from now at the app's kiosk (ids)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with app.extensions["kiosk.db"].session() as s:
        case = new_case(s)
        slot = AppointmentSlot(kiosk_name=app.config["KIOSK_SETTINGS"].kiosk_name, starts_at=now + dt.timedelta(hours=hours_ahead),
                               ends_at=now + dt.timedelta(hours=hours_ahead, minutes=30), capacity=1, location="柜台1", published_by_id=staff(s).id)
        s.add(slot)
        s.flush()
        appt = booking.book(s, case, slot.id, staff(s), now=now)
        return case.id, case.number, appt.id


def test_day_view_lists_arrival_and_arrive_opens_the_case(app, staff_client):
    case_id, number, appt_id = _book_soon(app)
    page = staff_client.get("/day")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert number in html and "今天" in html and "需携带" in html and "已预约" in html and "单位公章" in html
    english = staff_client.get("/day?lang=en").get_data(as_text=True)
    assert "Today" in english and "To bring" in english and "Booked" in english
    assert "booked" not in html.replace('"booked"', "")  # the status is shown as words
    done = post(staff_client, f"/appointments/{appt_id}/attendance", {"outcome": "arrived"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/cases/{case_id}")
    with app.extensions["kiosk.db"].session() as s:
        assert s.get(Appointment, appt_id).status == "arrived"


def test_no_show_refused_before_the_slot_and_unknown_outcome(app, staff_client):
    _, _, appt_id = _book_soon(app, hours_ahead=3)
    early = post(staff_client, f"/appointments/{appt_id}/attendance", {"outcome": "no_show"}, follow_redirects=True)
    assert "时段尚未开始" in early.get_data(as_text=True)
    post(staff_client, f"/appointments/{appt_id}/attendance", {"outcome": "x"})
    assert post(staff_client, "/appointments/999999/attendance", {"outcome": "arrived"}).status_code == 303
    with app.extensions["kiosk.db"].session() as s:
        assert s.get(Appointment, appt_id).status == "booked"


def test_attendance_needs_csrf_and_login(app, client):
    _, _, appt_id = _book_soon(app)
    assert client.get("/day").status_code in (302, 401, 403)
    assert client.post(f"/appointments/{appt_id}/attendance", data={"outcome": "arrived"}).status_code in (302, 400, 401, 403)


def test_dashboard_page_shows_figures_in_words(app, staff_client):
    _book_soon(app)
    html = staff_client.get("/dashboard").get_data(as_text=True)
    assert "工作台概况" in html and "各状态案件" in html and "已超期" in html
    assert "今日预约" in html and "柜台平均用时" in html and "节假日日历已知至" in html and "草稿" in html
    assert "Cases by state" in staff_client.get("/dashboard?lang=en").get_data(as_text=True)


def _answer(html: str) -> str:
    start = html.index('id="progress-answer"')
    return html[start:html.index("</", start)]


def test_public_progress_page_state_and_next_step_only(app, client):
    from tests.conftest import ENTERPRISE_FORM

    with app.extensions["kiosk.db"].session() as s:
        number = new_case(s).number
    last4 = ENTERPRISE_FORM["website_leader_id_number"][-4:]
    page = post(client, "/progress", {"case_number": number, "id_last4": last4})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "草稿" in html and "下一步" in html
    for personal in ("南京示例科技有限公司", "李四", ENTERPRISE_FORM["website_leader_id_number"], "example.cn", "139"):
        assert personal not in html
    wrong = post(client, "/progress", {"case_number": number, "id_last4": "0000"})
    unknown = post(client, "/progress", {"case_number": "BK-20990101-0001", "id_last4": last4})
    assert wrong.status_code == unknown.status_code == 200
    assert _answer(wrong.get_data(as_text=True)) == _answer(unknown.get_data(as_text=True))
    assert "未找到匹配的案件" in _answer(wrong.get_data(as_text=True))


def test_public_progress_page_is_rate_limited(app, client):
    limiter = app.extensions["kiosk.progress_limiter"]
    statuses = [post(client, "/progress", {"case_number": "BK-1", "id_last4": "1234"}).status_code
                for _ in range(limiter.limit + 1)]
    assert statuses[:-1] == [200] * limiter.limit and statuses[-1] == 429
    assert "查询次数过多" in post(client, "/progress", {"case_number": "x", "id_last4": "1"}).get_data(as_text=True)


def test_notices_page_shows_delivery_state_in_words_and_masks_recipients(app, staff_client):
    _, number, _ = _book_soon(app)
    with app.extensions["kiosk.db"].session() as s:
        from kiosk.models import Notice

        assert s.query(Notice).count() >= 1
    html = staff_client.get("/notices").get_data(as_text=True)
    assert number in html and "待发送" in html and "短信" in html
    assert "13900139000" not in html and "13800138000" not in html
    assert "Waiting to be sent" in staff_client.get("/notices?lang=en").get_data(as_text=True)
    assert number not in staff_client.get("/notices?status=sent").get_data(as_text=True)


def test_working_day_due_dates_on_list_and_case_page_across_national_day(app, staff_client):
    import re

    from .conftest import beijing, put_in_state

    with app.extensions["kiosk.db"].session() as s:
        late = new_case(s, domain="late.cn")
        put_in_state(s, late, "at_administration", beijing(2026, 9, 29, 10, 0))  # 20 working days across 国庆
        approved = new_case(s, domain="fresh.cn")
        put_in_state(s, approved, "approved", dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        late_id, approved_id = late.id, approved.id
    listing = staff_client.get("/cases").get_data(as_text=True)
    assert 'class="overdue"' in listing and "通信管理局审核" in listing and "公安机关互联网站备案" in listing
    page = staff_client.get(f"/cases/{late_id}").get_data(as_text=True)
    due = re.search(r'id="case-deadline"><span class="deadline overdue" data-due="([0-9-]+)"', page)
    # 20 working days from 29 September: 27 October without holidays; the National Day week 1-8 October (and the
    # make-up working day) moves it to 2 November
    assert due and dt.date.fromisoformat(due.group(1)) == dt.date(2026, 11, 2)
    assert "已超期" in page
    ps = staff_client.get(f"/cases/{approved_id}").get_data(as_text=True)
    expected = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1) + dt.timedelta(days=30)).astimezone(
        dt.timezone(dt.timedelta(hours=8))).date()
    assert "公安机关互联网站备案" in ps and "备案通过后30日内" in ps and abs((dt.date.fromisoformat(
        re.search(r'data-due="([0-9-]+)"', ps).group(1)) - expected).days) <= 1
