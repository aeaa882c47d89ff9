"""Every route serving evidence logs each read (actor, target, route) and each refused read with its reason, and
the route table is walked so that a new evidence route without the mark fails."""

from __future__ import annotations

import inspect
import re

from sqlalchemy import select

from kiosk.archive.access_log import verify_access_log
from kiosk.models import AccessLogEntry
from tests import test_security_routes as route_table
from tests.test_security_routes import client_for, request_route
from web.db import get_database
from web.evidence import is_evidence_route

# The route table's fixtures, used here under the same names.
app = route_table.app
booth_app = route_table.booth_app
sealed = route_table.sealed
signal_camera = route_table.signal_camera
world = route_table.world

# What in a view's source means it hands out evidence bytes or pages built from them.
EVIDENCE_MARKERS = re.compile(
    r"send_file|store\.get\(|read_case_file|build_pack|audited_case|_mjpeg_response|image/|application/(zip|pdf)"
    r"|current_attachment|photo_attempts")

EVIDENCE_ENDPOINTS = {"audit.case_view", "audit.download", "audit.export", "documents.attachment", "documents.image",
                      "documents.upload", "documents.capture", "booth.booth_photo", "booth.stream", "booth.counter_view",
                      "counter.face_crop"}
# Routes the scan flags that hand out no evidence: files printed from the case's typed data, each logged as an
# audit event where it matters (the verification sheet: sheet_printed), and the calibration's draft still.
NOT_EVIDENCE = {"appointments.ics": "the appointment's calendar file", "appointments.sheet": "the blank sheet to sign",
                "calibrate.still": "the admin's draft still of the empty backdrop (in memory, never archived)"}


def entries(app) -> list[AccessLogEntry]:
    with get_database(app).session() as s:
        return list(s.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))


def _serves_evidence(view) -> bool:
    """The view's source, with that of the helpers of its own module it calls, names a marker."""
    view = inspect.unwrap(view)
    source = inspect.getsource(view)
    module = inspect.getmodule(view)
    for name in set(re.findall(r"\b(_?[a-z]\w*)\(", source)):
        helper = getattr(module, name, None)
        if inspect.isfunction(helper) and helper.__module__ == view.__module__ and helper is not view:
            source += inspect.getsource(helper)
    return bool(EVIDENCE_MARKERS.search(source))


def test_every_route_serving_evidence_is_marked(app) -> None:
    found = {rule.endpoint for rule in app.url_map.iter_rules()
             if rule.endpoint != "static" and _serves_evidence(app.view_functions[rule.endpoint])}
    assert EVIDENCE_ENDPOINTS <= found  # the scan sees the known ones
    unmarked = sorted(e for e in found - NOT_EVIDENCE.keys() if not is_evidence_route(app.view_functions[e]))
    assert unmarked == [], "routes serving evidence need @evidence_read (web/evidence.py)"
    marked = {rule.endpoint for rule in app.url_map.iter_rules() if is_evidence_route(app.view_functions[rule.endpoint])}
    assert marked == EVIDENCE_ENDPOINTS


def test_each_evidence_route_logs_a_read_for_staff_and_admin(app, world) -> None:
    for role, endpoints in (("staff", ["documents.attachment", "documents.image", "booth.booth_photo",
                                       "booth.counter_view"]),
                            ("admin", ["audit.case_view", "audit.download", "audit.export"])):
        for endpoint in endpoints:
            before = len(entries(app))
            method = "POST" if endpoint == "audit.export" else "GET"
            outcome, status, path = request_route(app, client_for(app, world, role), endpoint, method, world)
            assert outcome == "A", (endpoint, status)
            new = entries(app)[before:]
            assert len(new) == 1, (endpoint, [(e.action, e.detail) for e in new])
            assert new[0].actor_name == role and new[0].detail["route"] == endpoint
            assert new[0].action in ("view", "download", "export")
    with get_database(app).session() as s:
        assert verify_access_log(s) == []


def test_the_booth_reading_its_own_photo_is_logged(app, world) -> None:
    booth = client_for(app, world, "booth")
    assert booth.get(f"/booth/photo/{world['attempt_a']}.jpg").status_code == 200
    last = entries(app)[-1]
    assert (last.action, last.target, last.actor_name) == ("view", f"photo_attempt:{world['attempt_a']}", "")


def _refusal(app) -> tuple[str, str, str]:
    last = entries(app)[-1]
    assert last.action == "refused"
    return last.target, last.detail["route"], last.detail["reason"]


def test_every_refused_read_is_logged_with_its_reason(app, world) -> None:
    auditor = client_for(app, world, "auditor")
    assert auditor.get(f"/cases/{world['case_a']}/documents/principal_id_front/{world['att_a']}/original").status_code == 403
    assert _refusal(app) == (f"attachment:{world['att_a']}", "documents.image", "wrong_role")
    anonymous = client_for(app, world, "anonymous")
    assert anonymous.get(f"/audit/cases/{world['number']}").status_code == 302
    assert _refusal(app) == (f"case:{world['number']}", "audit.case_view", "not_logged_in")
    admin = client_for(app, world, "admin")
    assert admin.get("/audit/cases/BK-NOPE").status_code == 404
    assert _refusal(app) == ("case:BK-NOPE", "audit.case_view", "not_found")
    assert admin.get(f"/audit/cases/{world['number']}/files/{'0' * 64}").status_code == 404
    assert _refusal(app)[2] == "not_found"
    booth = client_for(app, world, "booth")
    assert booth.get(f"/booth/photo/{world['attempt_b']}.jpg").status_code == 403
    assert _refusal(app) == (f"photo_attempt:{world['attempt_b']}", "booth.booth_photo", "other_case")
    assert booth.get("/booth/photo/999999.jpg").status_code == 404
    assert _refusal(app)[2] == "not_found"
    forged = app.test_client()
    forged.set_cookie("booth_token", "x" * 32, path="/booth")
    assert forged.get("/booth/stream.mjpg").status_code == 403
    assert _refusal(app) == ("camera:live", "booth.stream", "not_logged_in")
    with get_database(app).session() as s:
        assert verify_access_log(s) == []
