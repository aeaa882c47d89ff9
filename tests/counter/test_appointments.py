"""Appointments: publishing slots, booking, rescheduling, no-shows, the day view, the .ics file, and no double
booking under concurrent requests (threads and processes, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk.appointments import booking, dayview, ics
from kiosk.appointments.slots import OpeningHours, close_slot, list_slots, parse_time_range, publish_slots
from kiosk.deadlines import WorkCalendar
from kiosk.models import Appointment, AppointmentSlot, AuditEvent, Case
from kiosk.text import KioskError

from .conftest import beijing, new_case, staff

ROOT = Path(__file__).resolve().parents[2]
CAL = WorkCalendar()
T = dt.time
HOURS = OpeningHours(T(9), T(17), slot_minutes=30, capacity=2, breaks=((T(12), T(13, 30)),))
NOW = beijing(2026, 9, 25, 8, 0)


def publish(session, days, hours=HOURS, kiosk="kiosk-1", **kw):
    return publish_slots(session, kiosk_name=kiosk, days=days, hours=hours, actor=staff(session), calendar=CAL,
                         location="北京市海淀区示例路1号 2层", **kw)


def test_opening_hours_make_slots_around_the_break():
    times = HOURS.times()
    assert times[0] == (T(9), T(9, 30)) and times[-1] == (T(16, 30), T(17))
    assert (T(11, 30), T(12)) in times and (T(13, 30), T(14)) in times
    assert not any(T(12) <= start < T(13, 30) for start, _ in times)
    assert len(times) == 6 + 7
    odd = OpeningHours(T(9), T(10, 10), slot_minutes=40, breaks=((T(9, 20), T(9, 30)),))
    assert odd.times() == [(T(9, 30), T(10, 10))]  # 9:00-9:40 would cross the break; nothing ends after closing


@pytest.mark.parametrize("kwargs", [dict(opens=T(17), closes=T(9)), dict(opens=T(9), closes=T(17), capacity=0),
                                    dict(opens=T(9), closes=T(17), slot_minutes=1),
                                    dict(opens=T(9), closes=T(17), breaks=((T(8), T(9, 30)),)),
                                    dict(opens=T(9), closes=T(17), breaks=((T(12), T(13)), (T(12, 30), T(14))))])
def test_bad_opening_hours_refused(kwargs):
    with pytest.raises(KioskError) as err:
        OpeningHours(**kwargs)
    assert err.value.code == "opening_hours"
    with pytest.raises(KioskError):
        parse_time_range("noon")


def test_publish_skips_holidays_keeps_make_up_days_and_is_idempotent(db):
    days = [dt.date(2026, 9, 30) + dt.timedelta(days=i) for i in range(11)]  # 30 Sep .. 10 Oct
    with db.session() as s:
        result = publish(s, days)
        assert result.closed_days == [dt.date(2026, 10, d) for d in range(1, 8)]  # National Day; 10 Oct is a make-up day
        published = {beijing_day(x.starts_at) for x in result.created}
        assert published == {dt.date(2026, 9, 30), dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)}
        assert len(result.created) == 4 * 13 and result.existing == 0
        again = publish(s, days)
        assert again.created == [] and again.existing == 4 * 13
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "slots_published")) == 1
        slots = list_slots(s, "kiosk-1", dt.date(2026, 10, 10), dt.date(2026, 10, 10))
        assert slots[0].starts_at == beijing(2026, 10, 10, 9, 0) and slots[0].free == 2


def beijing_day(moment):
    from kiosk.deadlines import beijing_date

    return beijing_date(moment)


def one_slot(session, day=dt.date(2026, 9, 30), capacity=2) -> AppointmentSlot:
    hours = OpeningHours(T(9), T(9, 30), slot_minutes=30, capacity=capacity)
    return publish(session, [day], hours=hours).created[0]


def test_book_full_slot_and_double_booking_refused(db):
    with db.session() as s:
        slot = one_slot(s, capacity=2)
        a, b, c = (new_case(s, domain=f"{n}.cn") for n in "abc")
        appt = booking.book(s, a, slot.id, staff(s), now=NOW)
        assert appt.status == "booked" and appt.active_case_id == a.id and slot.booked == 1
        with pytest.raises(KioskError) as err:
            booking.book(s, a, slot.id, staff(s), now=NOW)
        assert err.value.code == "already_booked" and "2026-09-30 09:00" in err.value.text.zh
        booking.book(s, b, slot.id, staff(s), now=NOW)
        with pytest.raises(KioskError) as err:
            booking.book(s, c, slot.id, staff(s), now=NOW)
        assert err.value.code == "slot_full"
        assert s.get(AppointmentSlot, slot.id).booked == 2
        with pytest.raises(KioskError) as err:
            booking.book(s, c, slot.id, staff(s), now=beijing(2026, 9, 30, 9, 0))
        assert err.value.code == "slot_past"
        with pytest.raises(KioskError) as err:
            booking.book(s, c, 999999, staff(s), now=NOW)
        assert err.value.code == "slot_not_found"
        c.state = "awaiting_internal_audit"
        with pytest.raises(KioskError) as err:
            booking.book(s, c, slot.id, staff(s), now=NOW)
        assert err.value.code == "case_not_bookable"


def test_reschedule_cancel_arrive_no_show_recorded(db):
    with db.session() as s:
        first = one_slot(s, dt.date(2026, 9, 30), capacity=1)
        second = one_slot(s, dt.date(2026, 10, 8), capacity=1)
        case = new_case(s)
        appt = booking.book(s, case, first.id, staff(s), now=NOW)
        moved = booking.reschedule(s, appt, second.id, staff(s), now=NOW, reason="申请人出差")
        assert appt.status == "rescheduled" and appt.closed_by_id == staff(s).id and appt.reason == "申请人出差"
        assert moved.previous_id == appt.id and moved.ics_uid == appt.ics_uid and moved.ics_sequence == 1
        assert s.get(AppointmentSlot, first.id).booked == 0 and s.get(AppointmentSlot, second.id).booked == 1
        with pytest.raises(KioskError) as err:
            booking.reschedule(s, appt, first.id, staff(s), now=NOW)
        assert err.value.code == "appointment_closed"
        with pytest.raises(KioskError) as err:
            booking.mark_no_show(s, moved, staff(s), now=NOW)
        assert err.value.code == "too_early_for_no_show"
        booking.mark_no_show(s, moved, staff(s), now=beijing(2026, 10, 8, 9, 45))
        assert moved.status == "no_show" and booking.active_appointment(s, case.id) is None
        again = booking.book(s, case, first.id, staff(s), now=NOW)  # a no-show may book again
        with pytest.raises(KioskError) as err:
            booking.cancel(s, again, staff(s), now=NOW, reason="")
        assert err.value.code == "field_required"
        booking.cancel(s, again, staff(s), now=NOW, reason="申请人改为线上办理")
        assert s.get(AppointmentSlot, first.id).booked == 0
        last = booking.book(s, case, first.id, staff(s), now=NOW)
        booking.mark_arrived(s, last, staff(s), now=beijing(2026, 9, 30, 9, 5))
        assert [a.status for a in booking.history(s, case.id)] == ["rescheduled", "no_show", "cancelled", "arrived"]
        assert s.get(AppointmentSlot, second.id).booked == 1, "a missed seat stays used"


def test_close_slot_refused_while_booked(db):
    with db.session() as s:
        slot = one_slot(s)
        case = new_case(s)
        appt = booking.book(s, case, slot.id, staff(s), now=NOW)
        with pytest.raises(KioskError) as err:
            close_slot(s, slot.id, staff(s), NOW)
        assert err.value.code == "slot_has_bookings"
        booking.cancel(s, appt, staff(s), now=NOW, reason="测试")
        close_slot(s, slot.id, staff(s), NOW)
        assert list_slots(s, "kiosk-1", dt.date(2026, 9, 30), dt.date(2026, 9, 30)) == []
        with pytest.raises(KioskError) as err:
            booking.book(s, case, slot.id, staff(s), now=NOW)
        assert err.value.code == "slot_not_found"


def test_day_view_lists_arrivals_with_what_to_bring(db):
    with db.session() as s:
        slots = publish(s, [dt.date(2026, 9, 30), dt.date(2026, 10, 8)]).created
        org = new_case(s, domain="org.cn")
        person = new_case(s, domain="me.cn", subject_type="individual", province="jiangxi", subject_name="张三",
                          subject_cert_number="11010519491231002X")
        change = new_case(s, domain="chg.cn", filing_type="change_subject", record="苏ICP备2025012345号")
        later = new_case(s, domain="later.cn")
        booking.book(s, org, slots[1].id, staff(s), now=NOW)
        booking.book(s, person, slots[0].id, staff(s), now=NOW)
        booking.book(s, change, slots[0].id, staff(s), now=NOW)
        booking.book(s, later, slots[13].id, staff(s), now=NOW)  # the first slot of 8 October
        today, nxt = dayview.upcoming(s, "kiosk-1", dt.date(2026, 9, 30))
        assert nxt.day == dt.date(2026, 10, 8), "the next opening day, after the National Day holidays"
        assert [a.case_number for a in today.arrivals] == [person.number, change.number, org.number]
        assert [a.case_number for a in nxt.arrivals] == [later.number]
        by_case = {a.case_id: a for a in today.arrivals}
        org_bring = [b.name.zh for b in by_case[org.id].bring]
        assert org_bring == ["网站负责人本人到场拍摄核验照片", "营业执照原件", "主体负责人身份证原件", "网站负责人身份证原件",
                             "域名证书", "单位公章"]
        person_bring = by_case[person.id].bring
        assert [b.name.zh for b in person_bring] == ["本人到场拍摄核验照片", "本人身份证原件", "本人签字"]
        assert "手印" in person_bring[-1].note.zh
        assert [b.name.zh for b in by_case[change.id].bring] == ["营业执照原件", "主体负责人身份证原件", "单位公章"]
        assert by_case[change.id].filing_type.zh == "变更主体信息"
        assert by_case[org.id].status_name.zh == "已预约"


def unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "every line ends in CRLF"
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_ics_file(db):
    with db.session() as s:
        slot = one_slot(s, dt.date(2026, 9, 30))
        case = new_case(s)
        appt = booking.book(s, case, slot.id, staff(s), now=NOW)
        bring = [b.name.zh for b in dayview.what_to_bring(case)] + ["备注; 逗号, 反斜杠\\ 换行\n第二行"]
        data = ics.appointment_ics(appt, case_number=case.number, provider_name="示例云, 北京", bring=bring, now=NOW)
        raw_lines = data.split(b"\r\n")
        assert all(len(line) <= 75 for line in raw_lines), "folded at 75 octets"
        for line in raw_lines:
            line.decode("utf-8")  # no UTF-8 character split by a fold
        lines = unfold(data)
        assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
        assert "DTSTART;TZID=Asia/Shanghai:20260930T090000" in lines
        assert "DTEND;TZID=Asia/Shanghai:20260930T093000" in lines
        assert "TZOFFSETTO:+0800" in lines and "DTSTAMP:20260925T000000Z" in lines
        assert f"UID:{appt.ics_uid}" in lines and "SEQUENCE:0" in lines and "METHOD:PUBLISH" in lines
        summary = next(x for x in lines if x.startswith("SUMMARY:"))
        assert summary.endswith("(示例云\\, 北京)")
        description = next(x for x in lines if x.startswith("DESCRIPTION:案件"))
        assert "备注\\; 逗号\\, 反斜杠\\\\ 换行\\n第二行" in description and case.number in description
        assert "LOCATION:北京市海淀区示例路1号 2层" in lines
        # rescheduled: same UID, higher sequence; cancelled: STATUS:CANCELLED
        other = one_slot(s, dt.date(2026, 10, 8))
        moved = booking.reschedule(s, appt, other.id, staff(s), now=NOW)
        moved_lines = unfold(ics.appointment_ics(moved, case_number=case.number, provider_name="x", bring=[], now=NOW))
        assert f"UID:{appt.ics_uid}" in moved_lines and "SEQUENCE:1" in moved_lines
        booking.cancel(s, moved, staff(s), now=NOW, reason="取消")
        cancelled = unfold(ics.appointment_ics(moved, case_number=case.number, provider_name="x", bring=[], now=NOW))
        assert "STATUS:CANCELLED" in cancelled and "METHOD:CANCEL" in cancelled and "SEQUENCE:2" in cancelled


def test_fold_keeps_multibyte_characters_whole():
    line = "DESCRIPTION:" + "备案" * 60
    folded = ics.fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in parts) and len(parts) > 3
    assert folded.replace("\r\n ", "") == line


# ---------------------------------------------------------------- concurrency

def seed_concurrency(database, *, capacity: int, cases: int, slots: int = 1, days_ahead: int = 30):
    """Cases and slots in the future (the children book with the real clock)."""
    day = dt.date.today() + dt.timedelta(days=days_ahead)
    with database.session() as s:
        hours = OpeningHours(T(9), T(9 + slots), slot_minutes=60, capacity=capacity)
        slot_ids = [x.id for x in publish_slots(s, kiosk_name="kiosk-c", days=[day], hours=hours, actor=staff(s),
                                                calendar=CAL, include_closed_days=True).created]
        case_ids = [new_case(s, domain=f"c{i}.example.cn").id for i in range(cases)]
    return slot_ids, case_ids


def book_in_threads(database, jobs: list[tuple[int, int]]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    results: list[str] = []

    def worker(case_id: int, slot_id: int) -> None:
        with database.session() as s:
            user = staff(s)
            case = s.get(Case, case_id)
            barrier.wait()
            try:
                booking.book(s, case, slot_id, user, now=dt.datetime.now(dt.UTC))
                s.commit()
                results.append("booked")
            except KioskError as err:
                s.rollback()
                results.append(err.code)

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == len(jobs), results
    return results


def book_in_processes(database, jobs: list[tuple[int, int]], processes: int = 4) -> list[str]:
    start = time.time() + 4
    chunks = [jobs[i::processes] for i in range(processes)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-m", "tests.counter.book_child", database.url, str(start),
                               *(f"{c}:{s}" for c, s in chunk)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for chunk in chunks]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-3000:]
        results += [json.loads(line)["result"] for line in out.splitlines()]
    assert len(results) == len(jobs)
    return results


def check_no_double_booking(database, slot_ids, capacity):
    with database.session() as s:
        for slot_id in slot_ids:
            booked = s.scalar(select(func.count()).select_from(Appointment).where(Appointment.slot_id == slot_id,
                                                                                 Appointment.status == "booked"))
            assert booked == s.get(AppointmentSlot, slot_id).booked <= capacity
        per_case = s.execute(select(Appointment.case_id, func.count()).where(Appointment.status == "booked")
                             .group_by(Appointment.case_id)).all()
        assert all(n == 1 for _, n in per_case)


def run_concurrency(database, runner):
    # 12 cases race for one slot of 3 seats; then one case races for 4 slots at once.
    slot_ids, case_ids = seed_concurrency(database, capacity=3, cases=13)
    results = runner(database, [(c, slot_ids[0]) for c in case_ids[:12]])
    assert sorted(results) == ["booked"] * 3 + ["slot_full"] * 9
    check_no_double_booking(database, slot_ids, 3)
    more_slots, _ = seed_concurrency(database, capacity=5, cases=0, slots=4, days_ahead=31)
    results = runner(database, [(case_ids[12], slot) for slot in more_slots])
    assert sorted(results) == ["already_booked"] * 3 + ["booked"]
    check_no_double_booking(database, more_slots, 5)


def test_no_double_booking_threads_sqlite(db):
    run_concurrency(db, book_in_threads)


def test_no_double_booking_processes_sqlite(db):
    run_concurrency(db, book_in_processes)


@pytest.mark.postgres
def test_no_double_booking_threads_postgres(pg_db):
    run_concurrency(pg_db, book_in_threads)


@pytest.mark.postgres
def test_no_double_booking_processes_postgres(pg_db):
    run_concurrency(pg_db, book_in_processes)


def test_database_refuses_an_overbooked_slot(db):
    from sqlalchemy.exc import IntegrityError

    with db.session() as s:
        slot = one_slot(s, capacity=1)
        slot_id = slot.id
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.get(AppointmentSlot, slot_id).booked = 2


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_kiosks_publishing_the_same_week_at_once(backend, request):
    database = request.getfixturevalue("db" if backend == "sqlite" else "pg_db")
    days = [dt.date(2026, 12, 7) + dt.timedelta(days=i) for i in range(5)]
    barrier = threading.Barrier(3)
    results, errors = [], []

    def worker() -> None:
        try:
            with database.session() as s:
                user = staff(s)
                barrier.wait()
                results.append(len(publish_slots(s, kiosk_name="kiosk-1", days=days, hours=HOURS, actor=user,
                                                 calendar=CAL).created))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sum(results) == 5 * 13
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(AppointmentSlot)) == 5 * 13
