"""Working-day deadlines over real holiday weeks (chinesecalendar), past the last year it knows, and overdue."""

import datetime as dt
import json

import pytest

from kiosk import deadlines as D
from kiosk.deadlines import DeadlineKind, Supplement, WorkCalendar, compute_deadline
from kiosk.text import KioskError
from kiosk.workflow import State

from .conftest import beijing, new_case, put_in_state

CAL = WorkCalendar()


def test_library_years_and_make_up_days():
    assert D.LIBRARY_VERSION == "1.11.0"
    assert D.LIBRARY_YEARS[0] == 2004 and D.LIBRARY_YEARS[-1] == 2026
    assert CAL.known_until == dt.date(2026, 12, 31)
    assert not CAL.is_workday(dt.date(2026, 10, 1))  # National Day
    assert CAL.is_workday(dt.date(2026, 10, 10))  # a Saturday, make-up working day (调休)
    assert CAL.is_workday(dt.date(2026, 2, 14)) and CAL.is_workday(dt.date(2026, 2, 28))  # Spring Festival make-ups
    assert not CAL.is_workday(dt.date(2026, 2, 16))


def due(state, start):
    return compute_deadline(D.DEADLINE_RULES[state], start, CAL)


def test_first_review_across_national_day():
    # Entered internal audit Wednesday 30 September 2026; 1–7 October are holidays: due Friday 9 October.
    d = due(State.AWAITING_AUDIT, beijing(2026, 9, 30, 10, 0))
    assert d.kind is DeadlineKind.FIRST_REVIEW and d.due_date == dt.date(2026, 10, 9) and not d.provisional
    assert d.due_at == beijing(2026, 10, 10, 0, 0)  # 24:00 Beijing time
    assert not d.is_overdue(beijing(2026, 10, 9, 23, 59)) and d.is_overdue(beijing(2026, 10, 10, 0, 0))
    # From Thursday 8 October the second working day is the make-up Saturday 10 October.
    assert due(State.AWAITING_AUDIT, beijing(2026, 10, 8, 9, 0)).due_date == dt.date(2026, 10, 10)


def test_administration_across_spring_festival():
    # Submitted Tuesday 10 February 2026, counted by hand: 11–13 Feb (3), Saturday 14 Feb make-up (4), 15–23 Feb
    # holidays, 24–27 Feb (8), Saturday 28 Feb make-up (9), 2–6 Mar (14), 9–13 Mar (19), Monday 16 March (20).
    d = due(State.AT_ADMINISTRATION, beijing(2026, 2, 10, 15, 0))
    assert d.due_date == dt.date(2026, 3, 16) and not d.provisional
    assert d.working_days_left(beijing(2026, 3, 13, 9, 0), CAL) == 1
    assert d.working_days_left(beijing(2026, 3, 17, 9, 0), CAL) == -1


def test_audit_passed_keeps_the_first_review_clock():
    assert D.DEADLINE_RULES[State.AUDIT_PASSED].clock_state is State.AWAITING_AUDIT


def test_past_the_last_known_year_is_provisional_and_says_so():
    # Submitted Sunday 20 December 2026: 21–25 Dec (5), 28–31 Dec (9), then 2027, which 1.11.0 does not know:
    # counted Monday to Friday, so Friday 1 January 2027 counts (10), 4–8 Jan (15), 11–15 Jan (20).
    d = due(State.AT_ADMINISTRATION, beijing(2026, 12, 20, 11, 0))
    assert d.due_date == dt.date(2027, 1, 15)
    assert d.provisional and d.unknown_years == (2027,)
    assert "2027" in d.note.zh and "仅供参考" in d.note.zh and "provisional" in d.note.en and "1.11.0" in d.note.en
    # A deadline wholly inside the known years is not provisional, even near the end.
    assert not due(State.AWAITING_AUDIT, beijing(2026, 12, 28, 9, 0)).provisional


def test_supplement_closes_the_gap(tmp_path):
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps({"years": [2027], "holidays": ["2027-01-01"], "workdays": []}))
    cal = D.load_calendar(path)
    assert cal.known_until == dt.date(2027, 12, 31)
    d = compute_deadline(D.DEADLINE_RULES[State.AT_ADMINISTRATION], beijing(2026, 12, 20, 11, 0), cal)
    assert d.due_date == dt.date(2027, 1, 18) and not d.provisional


@pytest.mark.parametrize("content", ["not json", '{"holidays": []}', '{"years": [2027], "holidays": ["2028-01-01"]}',
                                     '{"years": [2027], "holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}'])
def test_bad_supplement_refused(tmp_path, content):
    path = tmp_path / "holidays.json"
    path.write_text(content)
    with pytest.raises(KioskError) as err:
        Supplement.from_file(path)
    assert err.value.code == "holidays_file"


def test_sms_and_public_security():
    sms = due(State.SMS_PENDING, beijing(2026, 10, 1, 8, 30))
    assert sms.due_at == beijing(2026, 10, 2, 8, 30)  # 24 hours, holidays or not
    ps = due(State.APPROVED, beijing(2026, 9, 25, 17, 0))
    assert ps.kind is DeadlineKind.PUBLIC_SECURITY and ps.due_date == dt.date(2026, 10, 25)


def test_case_deadlines_from_the_timeline(db):
    with db.session() as s:
        audit = new_case(s, domain="a.cn")
        put_in_state(s, audit, "awaiting_internal_audit", beijing(2026, 9, 30, 10, 0))
        admin = new_case(s, domain="b.cn")
        put_in_state(s, admin, "at_administration", beijing(2026, 2, 10, 15, 0))
        approved = new_case(s, domain="c.cn")
        put_in_state(s, approved, "approved", beijing(2026, 9, 25, 17, 0))
        cancelled = new_case(s, domain="d.cn", filing_type="cancel_website", record="苏ICP备2025012345号-1")
        put_in_state(s, cancelled, "approved", beijing(2026, 9, 25, 17, 0))
        draft = new_case(s, domain="e.cn")
        # an earlier stay in a state does not restart the clock: the last entry counts
        passed = new_case(s, domain="f.cn")
        put_in_state(s, passed, "awaiting_internal_audit", beijing(2026, 9, 1, 10, 0))
        put_in_state(s, passed, "draft", beijing(2026, 9, 2, 10, 0))
        put_in_state(s, passed, "awaiting_internal_audit", beijing(2026, 10, 8, 9, 0))
        put_in_state(s, passed, "internal_audit_passed", beijing(2026, 10, 9, 9, 0))
        ids = [c.id for c in (audit, admin, approved, cancelled, draft, passed)]
    with db.session() as s:
        from kiosk.models import Case

        rows = [s.get(Case, i) for i in ids]
        now = beijing(2026, 10, 12, 9, 0)
        got = D.deadlines_for(s, rows, now, CAL)
        assert set(got) == {ids[0], ids[1], ids[2], ids[5]}
        assert got[ids[0]].deadline.due_date == dt.date(2026, 10, 9) and got[ids[0]].overdue
        assert got[ids[1]].deadline.due_date == dt.date(2026, 3, 16) and got[ids[1]].overdue
        assert got[ids[2]].deadline.due_date == dt.date(2026, 10, 25) and not got[ids[2]].overdue
        assert got[ids[5]].deadline.due_date == dt.date(2026, 10, 10) and got[ids[5]].overdue
        assert got[ids[2]].working_days_left == CAL.workdays_between(dt.date(2026, 10, 12), dt.date(2026, 10, 25))
        assert got[ids[0]].deadline.started_at.tzinfo is not None
        # the same from the loaded timeline
        assert D.case_deadline(rows[5], CAL) == got[ids[5]].deadline
        # recording the public-security filing ends its reminder
        rows[2].public_security_filed_at = now
        assert D.case_deadline(rows[2], CAL) is None
