"""Shared by the counter commands (slots, arrivals, sheet, notices, deadlines, dashboard, ics): the database from
the settings, the acting user and the case by their names, Beijing dates, and bilingual errors."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.counter_config import CounterConfig, load_counter_config
from kiosk.db import Database, init_db
from kiosk.deadlines import BEIJING, WorkCalendar, load_calendar
from kiosk.models import Case, User
from kiosk.settings import Settings, load_settings
from kiosk.text import KioskError, Text


@dataclass(frozen=True, slots=True)
class CounterContext:
    settings: Settings
    config: CounterConfig
    db: Database
    calendar: WorkCalendar


@contextmanager
def counter_context() -> Iterator[CounterContext]:
    settings = load_settings()
    config = load_counter_config()
    db = init_db(settings.database_url)
    try:
        yield CounterContext(settings, config, db, load_calendar(config.holidays_file))
    finally:
        db.dispose()


def find_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).one_or_none()
    if user is None:
        raise KioskError("unknown_user", Text(f"没有启用的用户 {username}", f"No active user {username!r}"))
    return user


def find_case(session: Session, number: str) -> Case:
    case = session.scalars(select(Case).where(Case.number == number.strip().upper())).one_or_none()
    if case is None:
        raise KioskError("unknown_case", Text(f"没有案件 {number}", f"No case {number!r}"))
    return case


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return now().astimezone(BEIJING).date()


def parse_day(text: str) -> dt.date:
    """'today', 'tomorrow' or YYYY-MM-DD (Beijing dates)."""
    words = {"today": 0, "tomorrow": 1}
    if text in words:
        return today() + dt.timedelta(days=words[text])
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise KioskError("bad_date", Text(f"日期格式应为 YYYY-MM-DD，而不是 {text!r}", f"A date looks like YYYY-MM-DD, not {text!r}")) from None


def local(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def fail(err: KioskError) -> int:
    print(err.text.both(), file=sys.stderr)
    return 1
