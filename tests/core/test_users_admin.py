"""Admins manage accounts; other roles may not."""

from sqlalchemy import select

from kiosk.models import AuditEvent, User
from tests.conftest import PASSWORDS, login, post
from web.db import get_database


def test_only_admin_sees_user_admin(client):
    assert client.get("/admin/users").status_code == 302
    login(client, "staff")
    assert client.get("/admin/users").status_code == 403
    assert post(client, "/admin/users", {"username": "x", "role": "admin", "password": "long-password-1"}).status_code == 403


def test_admin_creates_and_deactivates_user(client, app):
    login(client, "admin")
    assert post(client, "/admin/users", {"username": "carol", "role": "staff", "password": "carol-password-1"}).status_code == 303
    with get_database(app).session() as s:
        carol = s.scalars(select(User).where(User.username == "carol")).one()
        carol_id = carol.id
    post(client, f"/admin/users/{carol_id}", {"action": "deactivate"})
    other = app.test_client()
    response = post(other, "/login", {"username": "carol", "password": "carol-password-1"})
    assert response.status_code == 401
    with get_database(app).session() as s:
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "user_created_by_admin" in actions and "user_deactivate" in actions


def test_weak_password_refused(client):
    login(client, "admin")
    response = post(client, "/admin/users", {"username": "dave", "role": "staff", "password": "short"})
    assert response.status_code == 400 and "至少" in response.data.decode()


def test_deactivated_user_logged_out_and_reactivation_revives_no_session(app):
    """Deactivation ends the user's sessions for good: reactivating the account does not revive a kept cookie."""
    staff = app.test_client()
    login(staff, "staff")
    admin = app.test_client()
    login(admin, "admin")
    with get_database(app).session() as s:
        staff_id = s.scalars(select(User.id).where(User.username == "staff")).one()
    post(admin, f"/admin/users/{staff_id}", {"action": "deactivate"})
    assert staff.get("/cases").status_code == 302
    assert post(staff, "/login", {"username": "staff", "password": PASSWORDS["staff"]}).status_code == 401
    post(admin, f"/admin/users/{staff_id}", {"action": "activate"})
    assert staff.get("/cases").status_code == 302


def test_users_page_shows_the_lock_and_admin_unlocks(app):
    """The admin sees a locked account with its failed logins, lifts the lock, and the user logs in at once."""
    staff = app.test_client()
    for _ in range(5):
        post(staff, "/login", {"username": "staff", "password": "wrong-password"})
    assert post(staff, "/login", {"username": "staff", "password": PASSWORDS["staff"]}).status_code == 429
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/users").data.decode()
    row = page[page.index('data-user="staff"'):]
    row = row[:row.index("</tr>")]
    assert 'data-locked="yes"' in row and "已锁定" in row and row.count("<div>") == 5
    with get_database(app).session() as s:
        staff_id = s.scalars(select(User.id).where(User.username == "staff")).one()
    post(admin, f"/admin/users/{staff_id}", {"action": "unlock"})
    assert 'data-locked="no"' in admin.get("/admin/users").data.decode().split('data-user="staff"')[1].split("</tr>")[0]
    login(staff, "staff")
    with get_database(app).session() as s:
        assert "user_unlock" in s.scalars(select(AuditEvent.action)).all()
