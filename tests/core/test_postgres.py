"""PostgreSQL: how several kiosks share one case database. Runs against a real throwaway server."""

import threading

import pytest
from sqlalchemy import func, select

from kiosk import cases
from kiosk.db import Database, current_revision, head_revision
from kiosk.models import Case, User
from tests.conftest import build_app, login, make_settings, post
from web import create_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_database(postgres_url):
    db = Database(postgres_url)
    db.migrate()
    yield db
    from kiosk.models import Base

    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    db.dispose()


def test_migrations_reach_head_on_postgres(pg_database):
    assert current_revision(pg_database.engine) == head_revision()
    pg_database.migrate()  # idempotent


def test_two_kiosks_share_cases(tmp_path, pg_database, postgres_url, enterprise_form):
    kiosk_a = build_app(tmp_path / "a", postgres_url)
    client_a = kiosk_a.test_client()
    login(client_a, "staff")
    assert post(client_a, "/cases/new", enterprise_form).status_code == 302
    # A second kiosk process on the same database sees the case and refuses a duplicate.
    kiosk_b = create_app({"SETTINGS": make_settings(tmp_path / "b", postgres_url), "TESTING": True})
    client_b = kiosk_b.test_client()
    login(client_b, "staff")
    assert "南京示例科技有限公司" in client_b.get("/cases").data.decode()
    assert post(client_b, "/cases/new", enterprise_form).status_code == 409
    kiosk_a.extensions["kiosk.db"].dispose()
    kiosk_b.extensions["kiosk.db"].dispose()


def test_concurrent_case_numbers_are_unique(pg_database, enterprise_form):
    with pg_database.session() as s:
        from kiosk.accounts import create_user

        staff = create_user(s, "pgstaff", "staff", "pg-password-123")
        staff_id = staff.id
    errors: list[BaseException] = []

    def open_cases(worker: int) -> None:
        try:
            for i in range(5):
                form = dict(enterprise_form, website_domain=[f"w{worker}-{i}.example.cn"])
                with pg_database.session() as s:
                    cases.create_case(s, cases.validate_case_input(form), s.get(User, staff_id))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_cases, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with pg_database.session() as s:
        numbers = s.scalars(select(Case.number)).all()
        assert len(numbers) == 20 == len(set(numbers))
        assert s.scalar(select(func.count()).select_from(Case)) == 20
