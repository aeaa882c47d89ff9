"""`python -m kiosk serve --role kiosk|portal` as a real subprocess on a free port: the production WSGI server
(waitress, not Werkzeug's development server) answers /healthz as JSON and serves the login page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kiosk.text import KioskError
from tests.conftest import build_app
from tests.pgserver import free_port

PROJECT = Path(__file__).resolve().parents[2]


def start(role: str, var_dir: Path, database_url: str | None = None, workers: int = 2):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_VAR_DIR=str(var_dir), KIOSK_PORT=str(port), KIOSK_NAME="counter-7", KIOSK_WORKERS=str(workers))
    if database_url:
        env["KIOSK_DATABASE_URL"] = database_url
    process = subprocess.Popen([sys.executable, "-m", "kiosk", "serve", "--role", role], cwd=PROJECT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stdout.read()}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).close()
            return process, url
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    process.kill()
    raise AssertionError("serve did not answer within 60 s")


def stop(process) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        raise AssertionError(f"serve did not stop on SIGTERM: {out}") from None
    return out


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def check_role(role: str, url: str, camera) -> None:
    status, headers, body = get(url + "/healthz")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    health = json.loads(body)
    assert health == {"ok": True, "role": role, "kiosk": "counter-7", "database": True, "archive": True,
                      "camera": camera, "problems": []}
    assert headers["Server"] == f"beian-{role}"  # waitress's ident, not Werkzeug's
    status, headers, body = get(url + "/login")
    assert status == 200 and headers["Server"] == f"beian-{role}"
    assert 'name="password"' in body.decode()


def test_kiosk_role_one_process_with_waitress(tmp_path):
    process, url = start("kiosk", tmp_path)
    try:
        check_role("kiosk", url, "not_started")  # the camera loop starts when a booth page first needs it
    finally:
        out = stop(process)
    assert "role kiosk" in out and "development server" not in out


def test_portal_role_several_workers_no_camera(tmp_path):
    process, url = start("portal", tmp_path, workers=2)
    try:
        check_role("portal", url, None)
        workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert len(workers) == 2
    finally:
        out = stop(process)
    assert "2 workers" in out and "development server" not in out


@pytest.mark.postgres
def test_portal_role_on_postgres(tmp_path, postgres_url):
    process, url = start("portal", tmp_path, database_url=postgres_url, workers=3)
    try:
        for _ in range(6):  # connections spread over the workers, every one answering from the same database
            check_role("portal", url, None)
    finally:
        stop(process)


def test_portal_never_opens_a_camera(tmp_path):
    from web.booth import booth_session

    app = build_app(tmp_path, settings={"role": "portal"})
    with app.app_context(), pytest.raises(KioskError) as refused:
        booth_session(app)
    assert refused.value.code == "no_camera_on_portal" and "kiosk.booth" not in app.extensions
    health = app.test_client().get("/healthz").get_json()
    assert health["role"] == "portal" and health["camera"] is None


def test_healthz_says_what_is_wrong(tmp_path):
    app = build_app(tmp_path)
    from web.services import get_archive

    tmp = get_archive(app).root / "tmp"
    tmp.rename(tmp.with_name("tmp.away"))
    tmp.write_text("a file where the archive's temporary folder should be (root ignores permissions)")
    try:
        response = app.test_client().get("/healthz")
    finally:
        tmp.unlink()
        tmp.with_name("tmp.away").rename(tmp)
    assert response.status_code == 503
    assert response.get_json()["problems"] == ["archive_not_writable"] and response.get_json()["ok"] is False
