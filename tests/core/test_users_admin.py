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
