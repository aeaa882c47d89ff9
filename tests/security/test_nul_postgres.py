"""NUL characters in form fields, query strings and URL parts on PostgreSQL (which refuses NUL in text, even in a
comparison): a clear bilingual 400, never a 500, and nothing stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk.models import User
from tests.conftest import PASSWORDS, build_app, login, post
from web.db import get_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_url):
    app = build_app(tmp_path, postgres_url)
    yield app
    app.extensions["kiosk.db"].dispose()


def assert_refused(response) -> None:
    assert response.status_code == 400, response.status_code
    assert "无效字符".encode() in response.data and b"invalid character" in response.data


def test_nul_characters_are_refused_plainly(pg_app) -> None:
    client = pg_app.test_client()
    assert_refused(post(client, "/login", {"username": "sta\x00ff", "password": "x\x00"}))
    login(client, "admin")
    assert_refused(post(client, "/admin/users", {"username": "new\x00user", "role": "staff",
                                                 "password": "a-long-password-1", "display_name": "x\x00"}))
    with get_database(pg_app).session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == len(PASSWORDS)
    assert_refused(client.get("/audit/?name=a%00b"))
    assert_refused(client.get("/audit/access-log?actor=a%00b"))
    for path in ("/audit/cases/BK-1%00", "/audit/cases/BK-1%00/files/ab%00", "/cases/1/documents/a%00b"):
        assert_refused(client.get(path))
    assert_refused(post(client, "/audit/cases/BK%00/legal-hold", {"reason": "r\x00"}))
    assert client.get("/audit/?name=ab").status_code == 200
