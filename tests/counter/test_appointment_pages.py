"""The appointment pages: publish and close slots, book a case from its page (full, past, already booked refused in
words), reschedule, the .ics download, the verification sheet printed as a PDF (logged) and its signed scan
uploaded and matched back; and no double booking over HTTP when requests for a slot's last place race."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import io
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import cv2
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from kiosk.appointments import booking
from kiosk.deadlines import WorkCalendar, beijing_date
from kiosk.models import Appointment, AppointmentSlot, AuditEvent
from tests.conftest import PASSWORDS, LiveServer, build_app, csrf_token, post
from tests.pgserver import fresh_database

from .conftest import new_case, staff
from .test_sheet import render_pages, scanned, text_of


def next_workday(after: dt.date | None = None) -> dt.date:
    """The first working day after `after` (default: today in Beijing)."""
    day = (after or beijing_date(dt.datetime.now(dt.UTC))) + dt.timedelta(days=1)
    calendar = WorkCalendar()
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def publish_form(day: dt.date, **changes: str) -> dict[str, str]:
    form = {"first_day": day.isoformat(), "last_day": day.isoformat(), "opens": "09:00", "closes": "10:00",
            "slot_minutes": "30", "capacity": "1", "breaks": "", "location": "柜台1"}
    form.update(changes)
    return form


def slot_ids(app) -> list[int]:
    with app.extensions["kiosk.db"].session() as s:
        return list(s.scalars(select(AppointmentSlot.id).where(AppointmentSlot.closed_at.is_(None))
                              .order_by(AppointmentSlot.starts_at)))


def make_case(app, **form) -> tuple[int, str]:
    with app.extensions["kiosk.db"].session() as s:
        case = new_case(s, **form)
        return case.id, case.number


def test_publish_slots_from_the_form_and_close_one(app, staff_client):
    day = next_workday()
    done = post(staff_client, "/slots", publish_form(day, breaks="09:30-10:00", capacity="2"))
    assert done.status_code == 303
    page = staff_client.get("/slots").get_data(as_text=True)
    assert "已发布1个时段，0个已存在" in page and f"{day.isoformat()} 09:00–09:30" in page and "0/2" in page
    assert "发布时段" in page and "Publish slots" in staff_client.get("/slots?lang=en").get_data(as_text=True)
    (slot_id,) = slot_ids(app)
    assert post(staff_client, f"/slots/{slot_id}/close").status_code == 303
    assert slot_ids(app) == []
    with app.extensions["kiosk.db"].session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"slots_published", "slot_closed"} <= actions


@pytest.mark.parametrize("changes, message", [
    (dict(first_day="2020-01-06", last_day="2020-01-06"), "不能发布已过去的日期"),
    (dict(first_day="明天"), "请填写开始日期"),
    (dict(opens="17:00", closes="09:00"), "开门时间须早于关门时间"),
    (dict(capacity="many"), "每个时段人数应为整数"),
    (dict(breaks="noon"), "时间段格式应如 12:00-13:30"),
])
def test_publish_form_errors_are_words_and_keep_the_values(app, staff_client, changes, message):
    form = publish_form(next_workday(), **changes)
    response = post(staff_client, "/slots", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and 'id="slot-error"' in html
    assert f'value="{form["location"]}"' in html  # nothing typed is lost
    assert slot_ids(app) == []


def test_book_from_the_case_page_and_the_refusals(app, staff_client):
    day = next_workday()
    post(staff_client, "/slots", publish_form(day))
    first, second = slot_ids(app)
    case_id, _ = make_case(app)
    other_id, _ = make_case(app, domain="other.cn")
    page = staff_client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="book-form"' in page and f'<option value="{first}"' in page and "当面核验预约" in page
    assert post(staff_client, f"/cases/{case_id}/appointment", {"slot_id": str(first)}).status_code == 303
    page = staff_client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-status="booked"' in page and "已预约" in page and 'id="ics-link"' in page
    with app.extensions["kiosk.db"].session() as s:
        appointment_id = booking.active_appointment(s, case_id).id
    assert f'action="/appointments/{appointment_id}/attendance"' in page and "未到场" in page  # the day view's buttons

    again = post(staff_client, f"/cases/{case_id}/appointment", {"slot_id": str(second)})
    assert again.status_code == 409 and "该案件已有预约" in again.get_data(as_text=True)
    full = post(staff_client, f"/cases/{other_id}/appointment", {"slot_id": str(first)})
    assert full.status_code == 409 and "该时段已约满" in full.get_data(as_text=True)
    assert f'<option value="{first}"' not in full.get_data(as_text=True)  # a full slot is not offered
    none = post(staff_client, f"/cases/{other_id}/appointment", {"slot_id": ""})
    assert none.status_code == 400 and "请选择一个时段" in none.get_data(as_text=True)
    with app.extensions["kiosk.db"].session() as s:
        past = AppointmentSlot(kiosk_name="test-kiosk", starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
                               ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), capacity=3, location="",
                               published_by_id=staff(s).id)
        s.add(past)
        s.flush()
        past_id = past.id
    late = post(staff_client, f"/cases/{other_id}/appointment", {"slot_id": str(past_id)})
    assert late.status_code == 409 and "该时段已开始或已过去" in late.get_data(as_text=True)
    assert "This slot has begun or is past" in post(staff_client, f"/cases/{other_id}/appointment?lang=en",
                                                    {"slot_id": str(past_id)}).get_data(as_text=True)
    with app.extensions["kiosk.db"].session() as s:
        assert s.scalar(select(func.count()).select_from(Appointment)) == 1
        assert [s.get(AppointmentSlot, i).booked for i in (first, second, past_id)] == [1, 0, 0]


def test_reschedule_and_download_the_ics(app, staff_client):
    post(staff_client, "/slots", publish_form(next_workday()))
    first, second = slot_ids(app)
    case_id, number = make_case(app)
    assert "该案件没有有效预约" in staff_client.get(f"/cases/{case_id}/appointment.ics").get_data(as_text=True)
    post(staff_client, f"/cases/{case_id}/appointment", {"slot_id": str(first)})
    moved = post(staff_client, f"/cases/{case_id}/appointment/reschedule", {"slot_id": str(second), "reason": "申请人改期"})
    assert moved.status_code == 303
    page = staff_client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'data-slot-id="{second}"' in page and "已改约" in page and "申请人改期" in page
    same = post(staff_client, f"/cases/{case_id}/appointment/reschedule", {"slot_id": str(second)})
    assert same.status_code == 409 and "新时段与原时段相同" in same.get_data(as_text=True)
    ics = staff_client.get(f"/cases/{case_id}/appointment.ics")
    body = ics.get_data(as_text=True)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert ics.headers["Content-Disposition"].startswith("attachment") and number in ics.headers["Content-Disposition"]
    assert "BEGIN:VEVENT" in body and "SEQUENCE:1" in body and "DTSTART;TZID=Asia/Shanghai:" in body
    with app.extensions["kiosk.db"].session() as s:
        assert s.get(AppointmentSlot, first).booked == 0 and s.get(AppointmentSlot, second).booked == 1


def test_print_the_sheet_and_match_the_signed_scan(app, staff_client, tmp_path):
    case_id, number = make_case(app)
    other_id, _ = make_case(app, domain="other.cn")
    printed = post(staff_client, f"/cases/{case_id}/sheet")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    disposition = printed.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and number in disposition
    disposition.encode("latin-1")  # a real server sends headers as Latin-1: the Chinese name is RFC 5987-encoded
    text = text_of(printed.data)
    assert number in text and "南京示例科技有限公司" in text and "网站备案信息真实性核验单" in text
    page = render_pages(printed.data, tmp_path)[0]
    ok, png = cv2.imencode(".png", scanned(page))
    assert ok
    matched = upload_scan(staff_client, f"/cases/{case_id}/sheet/match", png.tobytes())
    assert matched.status_code == 303
    assert "与本案件一致，有效" in staff_client.get(f"/cases/{case_id}").get_data(as_text=True)
    foreign = upload_scan(staff_client, f"/cases/{other_id}/sheet/match", png.tobytes())
    assert foreign.status_code == 409 and f"这是案件 {number} 的核验单" in foreign.get_data(as_text=True)
    junk = upload_scan(staff_client, f"/cases/{case_id}/sheet/match", b"not an image")
    assert junk.status_code == 400 and "无法读取图像" in junk.get_data(as_text=True)
    with app.extensions["kiosk.db"].session() as s:
        events = [(e.action, e.target) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert ("sheet_printed", f"case:{case_id}") in events and ("sheet_matched", f"case:{case_id}") in events
    assert ("sheet_matched", f"case:{other_id}") not in events


def upload_scan(client, path: str, data: bytes):
    """POST a scan as multipart encoded in memory (the test client would spool a large body to a temporary file
    it never closes)."""
    fields = {"csrf_token": csrf_token(client), "scan": FileStorage(io.BytesIO(data), "scan.png")}
    stream, _, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(path, data=stream.read(), content_type=f"multipart/form-data; boundary={boundary}")


def test_the_new_forms_need_csrf(app, staff_client):
    case_id, _ = make_case(app)
    for path in ("/slots", f"/cases/{case_id}/appointment", f"/cases/{case_id}/appointment/reschedule",
                 f"/cases/{case_id}/sheet", f"/cases/{case_id}/sheet/match", "/slots/1/close"):
        assert staff_client.post(path, data={"slot_id": "1"}).status_code == 400, path
    with app.extensions["kiosk.db"].session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sheet_printed")) == 0


# ---------------------------------------------------------------- the last place, raced over HTTP


class Browserless:
    """A logged-in staff member over real HTTP (cookie jar, CSRF token), for the live server."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())
        self.post("/login", {"username": "staff", "password": PASSWORDS["staff"]})

    def token(self) -> str:
        with self.opener.open(self.base + "/api/csrf") as response:
            return re.search(r'"csrf_token":\s*"([^"]+)"', response.read().decode()).group(1)

    def post(self, path: str, data: dict[str, str], token: str | None = None) -> int:
        body = urllib.parse.urlencode({**data, "csrf_token": token or self.token()}).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body)) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def race_for_the_last_place(app, racers: int = 8) -> list[int]:
    """A slot with two places, one taken; `racers` cases booked into it at once over HTTP. The statuses."""
    with app.extensions["kiosk.db"].session() as s:
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        slot = AppointmentSlot(kiosk_name="test-kiosk", starts_at=start, ends_at=start + dt.timedelta(minutes=30),
                               capacity=2, location="", published_by_id=staff(s).id)
        s.add(slot)
        s.flush()
        booking.book(s, new_case(s, domain="first.cn"), slot.id, staff(s), now=dt.datetime.now(dt.UTC))
        cases = [new_case(s, domain=f"racer{i}.cn").id for i in range(racers)]
        slot_id = slot.id
    with LiveServer(app) as server:
        clients = [Browserless(server.url) for _ in range(racers)]
        tokens = [c.token() for c in clients]
        barrier = threading.Barrier(racers)
        statuses: list[int] = [0] * racers

        def run(i: int) -> None:
            barrier.wait()
            statuses[i] = clients[i].post(f"/cases/{cases[i]}/appointment", {"slot_id": str(slot_id)}, tokens[i])

        threads = [threading.Thread(target=run, args=(i,)) for i in range(racers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with app.extensions["kiosk.db"].session() as s:
        assert s.get(AppointmentSlot, slot_id).booked == 2
        assert s.scalar(select(func.count()).select_from(Appointment).where(
            Appointment.slot_id == slot_id, Appointment.status == "booked")) == 2
    return statuses


def test_one_request_gets_the_last_place_on_sqlite(app):
    statuses = race_for_the_last_place(app)
    assert sorted(statuses) == [303] + [409] * 7, statuses


@pytest.mark.postgres
def test_one_request_gets_the_last_place_on_postgres(tmp_path, postgres_url):
    with fresh_database(postgres_url, "race") as url:
        app = build_app(tmp_path, url)
        try:
            statuses = race_for_the_last_place(app)
        finally:
            app.extensions["kiosk.db"].dispose()
    assert sorted(statuses) == [303] + [409] * 7, statuses
