"""The dashboard's figures from one call, on cases, appointments and photos set up at known times."""

import datetime as dt

from kiosk.appointments import booking
from kiosk.appointments.slots import OpeningHours, publish_slots
from kiosk.dashboard import dashboard
from kiosk.deadlines import DeadlineKind, WorkCalendar
from kiosk.models import PhotoAttempt
from kiosk.workflow import State

from .conftest import beijing, new_case, put_in_state, staff

CAL = WorkCalendar()
NOW = beijing(2026, 10, 12, 10, 0)  # Monday after the National Day week


def photo(session, case, at):
    session.add(PhotoAttempt(case_id=case.id, taken_at=at, kiosk_name="kiosk-1", image_sha256="a" * 64, image_size=1,
                             width=1, height=1, passed=True))


def test_dashboard_figures(db):
    with db.session() as s:
        # two counter visits: 20 and 40 minutes; the second case had its photo taken three times
        a = new_case(s, domain="a.cn")
        put_in_state(s, a, "onsite_verification", beijing(2026, 10, 9, 9, 0))
        put_in_state(s, a, "awaiting_internal_audit", beijing(2026, 10, 9, 9, 20))  # due 12 Oct: not overdue yet
        b = new_case(s, domain="b.cn")
        put_in_state(s, b, "onsite_verification", beijing(2026, 9, 30, 9, 0))
        put_in_state(s, b, "awaiting_internal_audit", beijing(2026, 9, 30, 9, 40))  # due 9 Oct: overdue
        photo(s, a, beijing(2026, 10, 9, 9, 10))
        for minute in (5, 10, 15):
            photo(s, b, beijing(2026, 9, 30, 9, minute))
        c = new_case(s, domain="c.cn")
        put_in_state(s, c, "at_administration", beijing(2026, 8, 3, 9, 0))  # 20 working days long past
        d = new_case(s, domain="d.cn")
        put_in_state(s, d, "approved", beijing(2026, 9, 1, 9, 0))  # public-security filing 30 days: overdue
        e = new_case(s, domain="e.cn")
        put_in_state(s, e, "approved", beijing(2026, 9, 1, 9, 0))
        e.public_security_filed_at = beijing(2026, 9, 20, 9, 0)  # filed: no reminder
        new_case(s, domain="f.cn")  # a draft
        # today's appointments: two booked, one arrived, one no-show; another kiosk's are not counted
        hours = OpeningHours(dt.time(9), dt.time(12), slot_minutes=60, capacity=4)
        slots = publish_slots(s, kiosk_name="kiosk-1", days=[dt.date(2026, 10, 12)], hours=hours, actor=staff(s),
                              calendar=CAL).created
        other = publish_slots(s, kiosk_name="kiosk-2", days=[dt.date(2026, 10, 12)], hours=hours, actor=staff(s),
                              calendar=CAL).created
        before = beijing(2026, 10, 11, 9, 0)
        people = [new_case(s, domain=f"p{i}.cn") for i in range(5)]
        appts = [booking.book(s, p, slots[i % 3].id, staff(s), now=before) for i, p in enumerate(people[:4])]
        booking.book(s, people[4], other[0].id, staff(s), now=before)
        booking.mark_arrived(s, appts[0], staff(s), now=NOW)
        booking.mark_no_show(s, appts[1], staff(s), now=NOW + dt.timedelta(hours=1))
    with db.session() as s:
        figures = dashboard(s, now=NOW, calendar=CAL)
        assert figures.by_state[State.DRAFT] == 6 and figures.by_state[State.AWAITING_AUDIT] == 2
        assert figures.by_state[State.APPROVED] == 2 and figures.by_state[State.SMS_PENDING] == 0
        assert sum(figures.by_state.values()) == 11
        assert figures.overdue_by_kind == {DeadlineKind.FIRST_REVIEW: 1, DeadlineKind.ADMINISTRATION: 1,
                                           DeadlineKind.SMS: 0, DeadlineKind.PUBLIC_SECURITY: 1}
        assert figures.overdue == 3 and figures.provisional == 0
        assert figures.appointments_total == 5 and figures.appointments_today[booking.AppointmentStatus.NO_SHOW] == 1
        assert figures.photos_taken == 4 and figures.photos_retaken == 2
        assert figures.counter_visits == 2 and figures.average_counter_minutes == 30
        assert figures.calendar_known_until == dt.date(2026, 12, 31)
        kiosk = dashboard(s, now=NOW, calendar=CAL, kiosk_name="kiosk-1")
        assert kiosk.appointments_total == 4
        short = dashboard(s, now=NOW, calendar=CAL, period_days=5)
        assert short.counter_visits == 1 and short.average_counter_minutes == 20 and short.photos_retaken == 0
