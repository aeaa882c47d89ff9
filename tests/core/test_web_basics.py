"""The app factory, login, roles and CSRF."""

from tests.conftest import PASSWORDS, login, post


def test_login_page_served(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录".encode() in response.data


def test_anonymous_redirected_to_login(client):
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_and_logout(client):
    login(client, "staff")
    assert client.get("/cases").status_code == 200
    post(client, "/logout")
    assert client.get("/cases").status_code == 302


def test_wrong_password_same_message_as_unknown_user(client):
    a = post(client, "/login", {"username": "staff", "password": "wrong-password"})
    b = post(client, "/login", {"username": "nobody", "password": "wrong-password"})
    assert a.status_code == b.status_code == 401
    assert "用户名或密码错误".encode() in a.data and "用户名或密码错误".encode() in b.data


def test_account_locks_after_repeated_failures(client):
    for _ in range(5):
        post(client, "/login", {"username": "staff", "password": "wrong-password"})
    response = post(client, "/login", {"username": "staff", "password": PASSWORDS["staff"]})
    assert response.status_code == 429


def test_lockout_answers_the_same_for_unknown_names(client, app):
    """Five failures lock an unknown name exactly as they lock a real account: the answer never tells which
    names exist."""
    answers = {}
    for name in ("staff", "nobody-here"):
        other = app.test_client()
        for _ in range(5):
            post(other, "/login", {"username": name, "password": "wrong-password"})
        answers[name] = post(other, "/login", {"username": name, "password": "wrong-password"})
    real, unknown = answers["staff"], answers["nobody-here"]
    assert real.status_code == unknown.status_code == 429
    assert "临时锁定".encode() in real.data and "临时锁定".encode() in unknown.data


def test_login_without_csrf_token_refused(client):
    response = client.post("/login", data={"username": "staff", "password": PASSWORDS["staff"]})
    assert response.status_code == 400
    assert b"csrf" in response.data.lower() or "表单已过期".encode() in response.data


def test_auditor_may_not_open_counter_pages(client):
    login(client, "auditor")
    assert client.get("/cases").status_code == 403
    assert client.get("/cases/new").status_code == 403


def test_session_cookie_flags(client):
    response = post(client, "/login", {"username": "staff", "password": PASSWORDS["staff"]})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_hashes_are_argon2(app):
    from sqlalchemy import select

    from kiosk.models import User
    from web.db import get_database

    with get_database(app).session() as session:
        hashes = session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())


def test_open_redirect_refused(client):
    response = post(client, "/login?next=//evil.example/", {"username": "staff", "password": PASSWORDS["staff"]})
    assert response.headers["Location"].startswith("/") and "evil" not in response.headers["Location"]


def test_api_errors_are_json(client):
    response = client.get("/api/requirements?subject_type=enterprise&province=jiangsu")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_session_cookie_copy_dies_at_logout(app):
    first = app.test_client()
    login(first, "staff")
    stolen = first.get_cookie("kiosk_session").value
    post(first, "/logout")
    thief = app.test_client()
    thief.set_cookie("kiosk_session", stolen)
    assert thief.get("/cases").status_code == 302


def test_password_change_ends_other_sessions(app):
    from sqlalchemy import select

    from kiosk.models import User
    from web.db import get_database

    staff = app.test_client()
    login(staff, "staff")
    assert staff.get("/cases").status_code == 200
    admin = app.test_client()
    login(admin, "admin")
    with get_database(app).session() as s:
        staff_id = s.scalars(select(User.id).where(User.username == "staff")).one()
    post(admin, f"/admin/users/{staff_id}", {"action": "password", "password": "a-new-password-1"})
    assert staff.get("/cases").status_code == 302


def test_untrusted_host_gets_clear_error(tmp_path):
    from tests.conftest import build_app

    app = build_app(tmp_path, TRUSTED_HOSTS=["kiosk1.example.cn"])
    client = app.test_client()
    assert client.get("/login", headers={"Host": "kiosk1.example.cn"}).status_code == 200
    response = client.get("/login", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "请求无效" in response.data.decode()
    app.extensions["kiosk.db"].dispose()


def test_tries_left_are_told_and_the_same_for_unknown_names(app):
    """The login page says how many tries remain before the lock, counting down the same way for every name."""
    answers: dict[str, list[str]] = {}
    for name in ("staff", "nobody-here"):
        client = app.test_client()
        answers[name] = []
        for _ in range(3):
            body = post(client, "/login", {"username": name, "password": "wrong-password"}).data.decode()
            answers[name].append(next(n for n in ("4", "3", "2") if f"还可尝试 {n} 次" in body))
    assert answers["staff"] == answers["nobody-here"] == ["4", "3", "2"]


def test_lock_ends_after_the_lockout_and_counts_only_recent_failures(app):
    """A lock lasts LOCKOUT after the last failure; failures older than that are forgotten."""
    import datetime as dt

    from sqlalchemy import select

    from kiosk import accounts
    from kiosk.models import User, utcnow
    from web.db import get_database

    client = app.test_client()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        post(client, "/login", {"username": "staff", "password": "wrong-password"})
    with get_database(app).session() as s:
        user = s.scalars(select(User).where(User.username == "staff")).one()
        now = utcnow()
        assert accounts.lock_state(s, "staff", user, now).locked_until is not None
        later = now + accounts.LOCKOUT + dt.timedelta(seconds=1)
        after = accounts.lock_state(s, "staff", user, later)
        assert after.locked_until is None and after.tries_left == accounts.MAX_FAILED_LOGINS
