"""Fixtures for the counter's day: a migrated SQLite database, a staff member, cases in chosen states and times."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kiosk import cases, filing
from kiosk.db import Database
from kiosk.deadlines import BEIJING
from kiosk.models import Case, CaseEvent, User
from tests.conftest import ENTERPRISE_FORM


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/counter.db")
    database.migrate()
    with database.session() as s:
        s.add(User(username="staff", display_name="Test staff", role="staff", password_hash="x"))
        s.add(User(username="admin", display_name="Test admin", role="admin", password_hash="x"))
    yield database
    database.dispose()


def staff(session) -> User:
    return session.scalars(select(User).where(User.username == "staff")).one()


def beijing(*args: int) -> dt.datetime:
    """A Beijing wall-clock time as an aware UTC datetime."""
    return dt.datetime(*args, tzinfo=BEIJING).astimezone(dt.UTC)


def new_case(session, *, filing_type: str = "first_filing", record: str | None = None, provider: str | None = None,
             domain: str = "example.cn", **form) -> Case:
    data = {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}
    data["website_domain"] = [domain]
    data.update(form)
    case = cases.create_case(session, cases.validate_case_input(data), staff(session))
    filing_input = filing.validate_filing_input(
        {"filing_type": filing_type, "existing_record_number": record or "", "previous_provider": provider or ""},
        case.province,
    )
    filing.set_filing(session, case, filing_input, staff(session))
    session.flush()
    return case


def put_in_state(session, case: Case, state: str, at: dt.datetime, move: str = "test") -> CaseEvent:
    """Move a case straight into `state` at `at` (a timeline event as the real moves write it)."""
    event = CaseEvent(case_id=case.id, actor_id=staff(session).id, move=move, from_state=case.state, to_state=state, at=at)
    case.state = state
    session.add(event)
    case.events.append(event)
    session.flush()
    return event


@pytest.fixture
def pg_db(postgres_url):
    """The session's throwaway PostgreSQL server, migrated, with the two users; emptied afterwards."""
    from kiosk.models import Base

    database = Database(postgres_url)
    database.migrate()
    with database.session() as s:
        s.add(User(username="staff", display_name="Test staff", role="staff", password_hash="x"))
        s.add(User(username="admin", display_name="Test admin", role="admin", password_hash="x"))
    yield database
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    database.dispose()
