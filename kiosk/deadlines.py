"""Working-day deadlines of the waiting states, from the Chinese public-holiday calendar (chinesecalendar).

| state | deadline | counted |
| --- | --- | --- |
| waiting for internal audit, internal audit passed | the provider's first review: 1–2 working days | from entering internal audit |
| at the Administration | the Administration's review: up to 20 working days | from the submission |
| SMS verification pending | the applicant answers the ministry's SMS: 24 hours | from the SMS step |
| approved (first filing, new website, new access) | the public-security (公安) filing: 30 days | from approval, until recorded |

Working days honour public holidays and the make-up working days (调休) as chinesecalendar knows them. It knows
the years `LIBRARY_YEARS` (2004–2026 in version 1.11.0). Past its last year a deadline is still given, counted
Monday to Friday, and marked `provisional` with a note naming the year it does not know: never a silent guess. A
provider can close the gap before the library is updated with a JSON file of the published holidays
(`KIOSK_HOLIDAYS_FILE`, see `Supplement`). Dates are Beijing dates; a due date ends at 24:00 Beijing time.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as _cc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.models import Case, CaseEvent
from kiosk.text import KioskError, Text
from kiosk.workflow import State

BEIJING = ZoneInfo("Asia/Shanghai")
LIBRARY_VERSION = version("chinesecalendar")
LIBRARY_YEARS = range(
    min(d.year for d in (*_cc.holidays, *_cc.workdays)), max(d.year for d in (*_cc.holidays, *_cc.workdays)) + 1
)


@functools.cache
def _library_workday(day: dt.date) -> bool:
    """chinesecalendar's answer, remembered: it re-validates the date against every holiday on each call."""
    return chinese_calendar.is_workday(day)


def beijing_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 Beijing time at the end of `day`, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), BEIJING).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Supplement:
    """Holidays of years the library does not know yet, as the State Council published them.

    JSON: {"years": [2027], "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}: every date in
    a listed year; weekends are days off unless listed as workdays, weekdays working days unless listed as holidays.
    """

    years: frozenset[int]
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    @classmethod
    def from_file(cls, path: Path) -> Supplement:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            years = frozenset(int(y) for y in data["years"])
            holidays = frozenset(dt.date.fromisoformat(d) for d in data.get("holidays", []))
            workdays = frozenset(dt.date.fromisoformat(d) for d in data.get("workdays", []))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KioskError("holidays_file", Text(f"节假日文件 {path} 无法读取：{exc}", f"Cannot read the holidays file {path}: {exc}")) from exc
        stray = sorted(d for d in holidays | workdays if d.year not in years)
        if stray or holidays & workdays:
            bad = stray[0] if stray else min(holidays & workdays)
            raise KioskError("holidays_file", Text(f"节假日文件中的日期 {bad} 有误", f"The date {bad} in the holidays file is wrong"))
        return cls(years, holidays, workdays)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Chinese working days: chinesecalendar, then an optional supplement, then (marked) Monday to Friday."""

    supplement: Supplement | None = None

    @property
    def known_until(self) -> dt.date:
        """The last day whose holidays are known."""
        years = set(LIBRARY_YEARS) | set(self.supplement.years if self.supplement else ())
        last = LIBRARY_YEARS[-1]
        while last + 1 in years:
            last += 1
        return dt.date(last, 12, 31)

    def knows(self, day: dt.date) -> bool:
        return day.year in LIBRARY_YEARS or bool(self.supplement and day.year in self.supplement.years)

    def is_workday(self, day: dt.date) -> bool:
        """Whether `day` is a working day; for an unknown year, Monday to Friday (see `knows`)."""
        if day.year in LIBRARY_YEARS:
            return _library_workday(day)
        if self.supplement and day.year in self.supplement.years:
            if day in self.supplement.workdays:
                return True
            return day.weekday() < 5 and day not in self.supplement.holidays
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> tuple[dt.date, list[int]]:
        """The n-th working day after `start` (start itself not counted), and the unknown years crossed."""
        day, counted, unknown = start, 0, []
        while counted < n:
            day += dt.timedelta(days=1)
            if not self.knows(day) and day.year not in unknown:
                unknown.append(day.year)
            if self.is_workday(day):
                counted += 1
        return day, unknown

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(self.is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def load_calendar(holidays_file: Path | None = None) -> WorkCalendar:
    return WorkCalendar(Supplement.from_file(holidays_file) if holidays_file else None)


class DeadlineKind(StrEnum):
    FIRST_REVIEW = "first_review"
    ADMINISTRATION = "administration"
    SMS = "sms_verification"
    PUBLIC_SECURITY = "public_security"


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    kind: DeadlineKind
    name: Text
    clock_state: State  # the clock starts when the case last entered this state
    working_days: int = 0
    calendar_days: int = 0
    hours: int = 0
    limit: Text = Text("", "")


FIRST_REVIEW = DeadlineRule(
    DeadlineKind.FIRST_REVIEW, Text("接入服务商初审", "Provider's first review"), State.AWAITING_AUDIT,
    working_days=2, limit=Text("1–2个工作日", "1–2 working days"),
)
DEADLINE_RULES: dict[State, DeadlineRule] = {
    State.AWAITING_AUDIT: FIRST_REVIEW,
    State.AUDIT_PASSED: FIRST_REVIEW,  # passing the audit is not submitting: the first review ends at submission
    State.AT_ADMINISTRATION: DeadlineRule(
        DeadlineKind.ADMINISTRATION, Text("通信管理局审核", "Administration's review"), State.AT_ADMINISTRATION,
        working_days=20, limit=Text("最长20个工作日", "up to 20 working days"),
    ),
    State.SMS_PENDING: DeadlineRule(
        DeadlineKind.SMS, Text("工信部短信核验", "Ministry's SMS verification"), State.SMS_PENDING,
        hours=24, limit=Text("24小时内", "within 24 hours"),
    ),
    State.APPROVED: DeadlineRule(
        DeadlineKind.PUBLIC_SECURITY, Text("公安机关互联网站备案", "Public-security filing"), State.APPROVED,
        calendar_days=30, limit=Text("备案通过后30日内", "within 30 days of approval"),
    ),
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a waiting state's step is due. `provisional` when it was counted across a year of unknown holidays."""

    kind: DeadlineKind
    name: Text
    limit: Text
    started_at: dt.datetime
    due_at: dt.datetime  # UTC; for day limits 24:00 Beijing time at the end of due_date
    due_date: dt.date  # Beijing date
    provisional: bool = False
    note: Text | None = None
    unknown_years: tuple[int, ...] = field(default=())

    def is_overdue(self, now: dt.datetime) -> bool:
        return now >= self.due_at

    def working_days_left(self, now: dt.datetime, calendar: WorkCalendar) -> int:
        """Working days from today (Beijing) to the due date: 0 on the due day, negative once past."""
        return calendar.workdays_between(beijing_date(now), self.due_date)


def _provisional_note(years: list[int], calendar: WorkCalendar) -> Text:
    listed = "、".join(str(y) for y in years)
    listed_en = ", ".join(str(y) for y in years)
    last = calendar.known_until.year
    return Text(
        f"{listed}年的法定节假日尚未收录（chinesecalendar {LIBRARY_VERSION} 收录至{last}年），此日期按周一至周五推算，仅供参考",
        f"The public holidays of {listed_en} are not known (chinesecalendar {LIBRARY_VERSION} knows up to {last}): "
        "this date counts Monday to Friday and is provisional",
    )


def compute_deadline(rule: DeadlineRule, started_at: dt.datetime, calendar: WorkCalendar) -> Deadline:
    """The deadline of `rule` for a clock started at `started_at`."""
    start_day = beijing_date(started_at)
    unknown: list[int] = []
    if rule.working_days:
        due_date, unknown = calendar.add_workdays(start_day, rule.working_days)
        due_at = end_of_day(due_date)
    elif rule.calendar_days:
        due_date = start_day + dt.timedelta(days=rule.calendar_days)
        due_at = end_of_day(due_date)
    else:
        due_at = started_at + dt.timedelta(hours=rule.hours)
        due_date = beijing_date(due_at)
    note = _provisional_note(unknown, calendar) if unknown else None
    return Deadline(rule.kind, rule.name, rule.limit, started_at, due_at, due_date, bool(unknown), note, tuple(unknown))


def rule_for_case(case: Case) -> DeadlineRule | None:
    """The deadline rule of the case's state; none once the public-security filing is recorded or not needed."""
    from kiosk.filing import rule_for

    rule = DEADLINE_RULES.get(State(case.state))
    if rule is not None and rule.kind is DeadlineKind.PUBLIC_SECURITY:
        if case.public_security_filed_at is not None or not rule_for(case).public_security_filing:
            return None
    return rule


def case_deadline(case: Case, calendar: WorkCalendar, entered: dict[str, dt.datetime] | None = None) -> Deadline | None:
    """The case's current deadline, or None when its state has none.

    `entered` maps a state to when the case last entered it (from the loaded timeline when not given)."""
    rule = rule_for_case(case)
    if rule is None:
        return None
    if entered is None:
        entered = {}
        for event in case.events:
            entered[event.to_state] = max(event.at, entered.get(event.to_state, event.at))
    started = entered.get(rule.clock_state.value)
    if started is None:
        return None
    return compute_deadline(rule, started, calendar)


def last_entries(session: Session, case_ids: Iterable[int]) -> dict[int, dict[str, dt.datetime]]:
    """For each case, when it last entered each state (one query)."""
    ids = list(case_ids)
    out: dict[int, dict[str, dt.datetime]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.to_state, func.max(CaseEvent.at))
        .where(CaseEvent.case_id.in_(ids))
        .group_by(CaseEvent.case_id, CaseEvent.to_state)
    )
    for case_id, state, at in rows:
        out[case_id][state] = at
    return out


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """A case's deadline as the case list and dashboard show it."""

    case_id: int
    deadline: Deadline
    overdue: bool
    working_days_left: int


def deadlines_for(session: Session, cases: Iterable[Case], now: dt.datetime, calendar: WorkCalendar) -> dict[int, DeadlineStatus]:
    """The current deadline of each case that has one (for a page of the case list), keyed by case id."""
    cases = [c for c in cases if rule_for_case(c) is not None]
    entries = last_entries(session, [c.id for c in cases])
    out = {}
    for case in cases:
        deadline = case_deadline(case, calendar, entries[case.id])
        if deadline is not None:
            out[case.id] = DeadlineStatus(case.id, deadline, deadline.is_overdue(now), deadline.working_days_left(now, calendar))
    return out
