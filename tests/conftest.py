"""Shared fixtures: an app on a temporary database, clients logged in per role, a live server, headless
Chromium through Playwright, and a throwaway PostgreSQL server."""

from __future__ import annotations

import dataclasses
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from kiosk import accounts
from kiosk.settings import load_settings
from web import create_app

PASSWORDS = {"staff": "staff-password-1", "supervisor": "supervisor-password-1", "auditor": "auditor-password-1",
             "admin": "admin-password-1"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> None:
    """Cheap argon2 parameters for tests: real hashing, less memory and time."""
    accounts.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


# One OCR thread: the tests run on two pytest-xdist workers, one per core, and ONNX Runtime's thread pool spins
# while it waits (measured: twice the CPU and twice the time for the same readings with its default of two).
OCR_THREADS = "1"
os.environ.setdefault("KIOSK_OCR_THREADS", OCR_THREADS)  # for the command lines the tests run


def make_settings(tmp_path: Path, database_url: str | None = None):
    env = {
        "KIOSK_VAR_DIR": str(tmp_path / "var"),
        "KIOSK_SECRET_KEY": "test-secret-key",
        "KIOSK_NAME": "test-kiosk",
        "KIOSK_CAMERA": "none",
        "KIOSK_LIVENESS": "off",  # the fake judges have no face mesh; liveness tests switch it on (tests/booth)
        "KIOSK_FACE_MATCH": "off",  # the fake scans have no faces; tests/identity switches it on with real photos
        "KIOSK_OCR_THREADS": OCR_THREADS,
    }
    if database_url:
        env["KIOSK_DATABASE_URL"] = database_url
    return load_settings(env)


def build_app(tmp_path: Path, database_url: str | None = None, *, settings: dict | None = None, **config):
    """An app on a fresh database under tmp_path, with one account per role. `settings`: Settings fields to
    change (e.g. camera="browser"); `config`: Flask settings and web.TEST_DOUBLES."""
    app_settings = dataclasses.replace(make_settings(tmp_path, database_url), **(settings or {}))
    app = create_app({"SETTINGS": app_settings, "TESTING": True, **config})
    with app.app_context():
        from web.db import get_database

        db = get_database(app)
        with db.session() as session:
            for role, password in PASSWORDS.items():
                accounts.create_user(session, role, role, password, display_name=f"Test {role}")
    return app


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    app.extensions["kiosk.db"].dispose()


@dataclasses.dataclass
class Core:
    """The kiosk without Flask: a migrated database, an archive, and one account per role (ids)."""

    settings: Any
    db: Any
    archive: Any
    users: dict[str, int]


@pytest.fixture
def core(tmp_path) -> Iterator[Core]:
    from kiosk.archive import open_archive
    from kiosk.db import init_db

    settings = make_settings(tmp_path)
    db = init_db(settings.database_url)
    with db.session() as session:
        users = {role: accounts.create_user(session, role, role, password).id for role, password in PASSWORDS.items()}
    yield Core(settings, db, open_archive(settings), users)
    db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client) -> str:
    return client.get("/api/csrf").get_json()["csrf_token"]


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form with this client's CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kwargs)


def login(client, role: str):
    response = post(client, "/login", {"username": role, "password": PASSWORDS[role]})
    assert response.status_code == 302, response.data[:500]
    return response


@pytest.fixture
def staff_client(client):
    login(client, "staff")
    return client


def valid_id(body17: str) -> str:
    """A specimen ID number: 17 chosen digits and the GB 11643 check character."""
    from kiosk.validators import id_check_character

    return body17 + id_check_character(body17)


# A valid enterprise case in Jiangsu (specimen numbers computed from the GB algorithms, not real people).
ENTERPRISE_FORM = {
    "subject_type": "enterprise",
    "province": "jiangsu",
    "subject_name": "南京示例科技有限公司",
    "subject_cert_number": "91350100M000100Y43",
    "website_domain": ["example.cn"],
    "website_name": ["示例网"],
    "principal_name": "张三",
    "principal_id_type": "resident_id",
    "principal_id_number": "11010519491231002X",
    "principal_mobile": "13800138000",
    "website_leader_name": "李四",
    "website_leader_id_type": "resident_id",
    "website_leader_id_number": valid_id("32010219800101001"),
    "website_leader_mobile": "13900139000",
}


@pytest.fixture
def enterprise_form() -> dict:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}


class LiveServer:
    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def fake_camera_browser_for(playwright_instance, clip: Path):
    """Chromium whose camera (getUserMedia) plays the Y4M `clip` in a loop, without asking for permission."""
    return playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                              f"--use-file-for-fake-video-capture={clip}"],
    )


def browser_login(page, base_url: str, role: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_load_state()


# ---------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on loopback for this test session (Debian's postgresql package).

    Its folder is made directly under the system temporary folder, not pytest's: pytest resets its own base
    folder to mode 0700 at every start, which would lock the `postgres` user out of a running server."""
    import shutil
    import tempfile

    from tests.pgserver import TemporaryPostgres

    base = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    try:
        with TemporaryPostgres(base) as server:
            yield server.url("kiosk_test")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def settings_replace(settings, **changes):
    return dataclasses.replace(settings, **changes)


def blob_store(app):
    """The app's evidence blob store."""
    from web.services import get_archive

    return get_archive(app).store


def wait_for(predicate, timeout: float = 10.0) -> bool:
    """Whether `predicate()` comes true within `timeout` seconds (polled every 10 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def find_text(html: bytes, pattern: str) -> str | None:
    match = re.search(pattern, html.decode())
    return match.group(1) if match else None

