"""Booth web fixtures: an app whose camera and judge are fakes, and helpers to open a case for the booth."""

from __future__ import annotations

import json
import re

import pytest

from tests.booth.fakes import SignalCamera, SignalJudge
from tests.conftest import build_app, login, post
from web.booth import stop_booth

FAST = {"steady_seconds": 0.1, "countdown_seconds": 1, "idle_after": 30.0}


@pytest.fixture
def signal_camera() -> SignalCamera:
    return SignalCamera(value=0)


@pytest.fixture
def booth_app(tmp_path, signal_camera):
    app = build_app(tmp_path, CAMERA_FACTORY=lambda: signal_camera, JUDGE_FACTORY=SignalJudge, BOOTH_OPTIONS=FAST)
    yield app
    stop_booth(app)
    app.extensions["kiosk.db"].dispose()


@pytest.fixture
def staff(booth_app):
    client = booth_app.test_client()
    login(client, "staff")
    return client


def new_onsite_case(client, form: dict) -> int:
    """Create a case through the counter form and start its on-site verification; returns its id."""
    response = post(client, "/cases/new", form)
    assert response.status_code == 302, response.data[:400]
    case_id = int(re.search(r"/cases/(\d+)", response.headers["Location"]).group(1))
    response = post(client, f"/cases/{case_id}/move", {"move": "start_verification"})
    assert response.status_code in (302, 303)
    return case_id


def open_booth(staff_client, booth_client, case_id: int) -> str:
    """Staff open the booth for `case_id`; the booth display follows the link. Returns the link path."""
    response = post(staff_client, f"/booth/counter/{case_id}/open")
    assert response.status_code == 303
    page = staff_client.get(f"/booth/counter/{case_id}").data.decode()
    link = re.search(r'id="booth-link">http://[^/]+(/booth/open/[^<]+)<', page).group(1)
    response = booth_client.get(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/booth")
    return link


def read_events(response, n: int, predicate=lambda e: True, limit: int = 400) -> list[dict]:
    """Up to `n` SSE data events matching `predicate` from a streaming test response."""
    found: list[dict] = []
    buffer = ""
    for i, chunk in enumerate(response.response):
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            for line in block.splitlines():
                if line.startswith("data: "):
                    event = json.loads(line[6:])
                    if predicate(event):
                        found.append(event)
        if len(found) >= n or i > limit:
            break
    response.close()
    return found
