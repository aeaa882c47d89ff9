"""TRUSTED_HOSTS defaults to the configured host: a request with a foreign Host header gets 400."""

from __future__ import annotations

from kiosk.settings import default_trusted_hosts, load_settings
from tests.conftest import build_app


def test_default_is_the_configured_host():
    assert load_settings({"KIOSK_HOST": "kiosk.example.cn"}).trusted_hosts == ("kiosk.example.cn",)
    assert set(load_settings({}).trusted_hosts) == {"127.0.0.1", "localhost", "::1"}
    assert default_trusted_hosts("0.0.0.0") == ()
    assert load_settings({"KIOSK_TRUSTED_HOSTS": "a.cn, b.cn"}).trusted_hosts == ("a.cn", "b.cn")


def test_foreign_host_header_is_refused(tmp_path):
    app = build_app(tmp_path, settings={"host": "kiosk.example.cn",
                                        "trusted_hosts": default_trusted_hosts("kiosk.example.cn")})
    try:
        client = app.test_client()
        assert client.get("/login", headers={"Host": "evil.example.com"}).status_code == 400
        assert client.get("/login", headers={"Host": "kiosk.example.cn:8000"}).status_code == 200
    finally:
        app.extensions["kiosk.db"].dispose()


def test_loopback_app_refuses_foreign_host(app):
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/login", headers={"Host": "attacker.test"}).status_code == 400
