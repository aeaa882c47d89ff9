"""Security review: every route of the app for every role (anonymous, staff, auditor, admin, and a booth display
holding case A's booth cookie), CSRF on every POST, and the specific risks: a booth reaching another case, path
traversal in downloads, open redirects, sniffable uploads, HTML injection, oversized bodies.

The expected outcome of each (endpoint, method) comes from the explicit ROUTES table, written by reading the
views; a route missing from the table fails `test_every_route_is_in_the_table`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.accounts import AddressLimiter
from kiosk.models import Attachment, Base, Case, PhotoAttempt, User
from tests.archive.conftest import NUMBER, sealed  # noqa: F401 - fixture
from tests.archive.factory import jpeg
from tests.booth.conftest import booth_app, new_onsite_case, open_booth, signal_camera  # noqa: F401 - fixtures
from tests.conftest import ENTERPRISE_FORM, csrf_token, login, post
from web.db import get_database

ROLES = ("anonymous", "staff", "auditor", "admin", "booth")

# Outcome classes: A allowed (the view ran), L sent to the login page (401 for /api/), F 403, N 404.
# Columns: anonymous, staff, auditor, admin, booth display with case A's cookie.
ROUTES: dict[tuple[str, str], str] = {
    ("static", "GET"): "AAAAA",
    ("auth.login", "GET"): "AAAAA",
    ("auth.login", "POST"): "AAAAA",          # wrong password: the login page again
    ("auth.logout", "POST"): "LLLLL",         # always ends on the login page
    ("counter.index", "GET"): "LAAAL",        # logged in: to the role's home
    ("api.health", "GET"): "AAAAA",
    ("health.healthz", "GET"): "AAAAA",       # the deployment's health probe: no personal data
    ("api.csrf_token", "GET"): "AAAAA",
    ("api.requirements", "GET"): "LAAAL",
    ("counter.case_list", "GET"): "LAFAL",
    ("counter.new_case", "GET"): "LAFAL",
    ("counter.new_case", "POST"): "LAFAL",
    ("counter.case_page", "GET"): "LAFAL",
    ("counter.edit_case", "GET"): "LAFAL",
    ("counter.edit_case", "POST"): "LAFAL",
    ("counter.move", "POST"): "LAFAL",
    ("counter.face_approval", "POST"): "LAFAL",  # no approver given: flashed, back to the case page
    ("counter.face_crop", "GET"): "LNFNL",      # case A has no face match yet: nothing to show
    ("progress.progress", "GET"): "AAAAA",   # public: case number + ID last 4 -> state and next step
    ("progress.progress", "POST"): "AAAAA",
    ("counter.day_view", "GET"): "LAFAL",
    ("counter.attendance", "POST"): "LAFAL",  # an unknown appointment: flashed, back to the day view
    ("counter.dashboard_page", "GET"): "LAFAL",
    ("counter.notices_page", "GET"): "LAFAL",
    ("appointments.slots", "GET"): "LAFAL",
    ("appointments.slots", "POST"): "LAFAL",  # an empty form: the page again with the error
    ("appointments.close", "POST"): "LAFAL",  # an unknown slot: flashed, back to the slots page
    ("appointments.book", "POST"): "LAFAL",   # no slot chosen: the case page with the error
    ("appointments.reschedule", "POST"): "LAFAL",
    ("appointments.ics", "GET"): "LAFAL",     # no appointment: the case page with the error
    ("appointments.sheet", "POST"): "LAFAL",  # the sheet printed (and logged) as a PDF download
    ("appointments.match", "POST"): "LAFAL",  # no scan: the case page with the error
    ("documents.attachment", "GET"): "LAFAL",
    ("documents.upload", "POST"): "LAFAL",
    ("documents.capture", "POST"): "LAFAL",
    ("documents.decide", "POST"): "LAFAL",
    ("documents.recheck", "POST"): "LAFAL",
    ("documents.image", "GET"): "LAFAL",
    ("users.user_list", "GET"): "LFFAL",
    ("users.user_list", "POST"): "LFFAL",
    ("users.update", "POST"): "LFFAL",
    ("audit.search", "GET"): "LFAAL",
    ("audit.case_view", "GET"): "LFAAL",
    ("audit.download", "GET"): "LFAAL",
    ("audit.export", "POST"): "LFAAL",
    ("audit.legal_hold", "POST"): "LFFAL",
    ("audit.access_log", "GET"): "LFFAL",
    ("audit.kiosks", "GET"): "LFAAL",         # which kiosk: registered kiosks, keys, chains (no evidence)
    ("booth.open_booth", "GET"): "AAAAA",     # whoever holds the token (it is the booth's secret)
    ("booth.booth_screen", "GET"): "AAAAA",   # without the cookie: the waiting page only
    ("booth.booth_events", "GET"): "FFFFA",
    ("booth.stream", "GET"): "FAFAA",
    ("booth.booth_photo", "GET"): "FAFAA",    # case A's own photo
    ("booth.upload_frame", "POST"): "FFFFA",  # the booth gets 409 here: not in browser-camera mode
    ("booth.counter_view", "GET"): "LAFAL",
    ("booth.counter_events", "GET"): "LAFAL",
    ("booth.counter_open", "POST"): "LAFAL",
    ("booth.counter_retake", "POST"): "LAFAL",
    ("booth.counter_capture", "POST"): "LAFAL",
    ("booth.counter_skip_liveness", "POST"): "LAFAL",
    ("booth.counter_accept", "POST"): "LAFAL",
    ("booth.counter_override", "POST"): "LAFAL",
    ("calibrate.page", "GET"): "LFFAL",
    ("calibrate.start", "POST"): "LFFAL",     # films the fake camera's frames and shows the draft
    ("calibrate.still", "GET"): "LFFNL",      # no such draft
    ("calibrate.save", "POST"): "LFFAL",      # no such draft: flashed, back to the page
    ("calibrate.export", "GET"): "LFFNL",     # no profile version yet
    ("calibrate.import_profile", "POST"): "LFFAL",  # no file: flashed, back to the page
    ("calibrate.upload_frame", "POST"): "LFFAL",  # the admin gets 409 here: not in browser-camera mode
}


# Requests that end a session or retire case A's booth token run last.
LAST = ("booth.counter_open", "auth.logout")


def app_routes(app) -> list[tuple[str, str, object]]:
    routes = [(rule.endpoint, method, rule) for rule in app.url_map.iter_rules()
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(routes, key=lambda r: (r[0] in LAST, r[0], r[1]))


# ---------------------------------------------------------------- the world: cases A and B, a sealed case

@pytest.fixture
def app(booth_app):  # noqa: F811 - the booth's app (fake camera and judge) for every route
    booth_app.extensions["kiosk.login_limiter"] = AddressLimiter(limit=10_000)
    booth_app.config["CALIBRATION_OPTIONS"] = {"settle": 0.0, "seconds": 0.1, "count": 2}  # the admin's 开始
    return booth_app


def _form(**changes) -> dict:
    data = {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}
    data.update(changes)
    return data


def _add_attempt(app, case_id: int, seed: int) -> int:
    from tests.conftest import blob_store

    img = blob_store(app).put(jpeg(seed, (480, 640)), encrypt=False, media_type="image/jpeg")
    with get_database(app).session() as s:
        attempt = PhotoAttempt(case_id=case_id, taken_at=dt.datetime.now(dt.UTC), kiosk_name="k", trigger="auto",
                               image_sha256=img.sha256, image_size=img.size, width=480, height=640, passed=True,
                               verdict={"results": []}, status="taken")
        s.add(attempt)
        s.commit()
        return attempt.id


def _add_attachment(app, case_id: int, data: bytes, media_type: str, kind: str = "principal_id_front") -> int:
    from tests.conftest import blob_store

    blob = blob_store(app).put(data, encrypt=True, media_type=media_type)
    with get_database(app).session() as s:
        staff_id = s.scalars(select(User.id).where(User.username == "staff")).one()
        att = Attachment(case_id=case_id, kind=kind, status="checked", filename="x", media_type=media_type,
                         original_sha256=blob.sha256, original_size=blob.size, normalised_sha256=blob.sha256,
                         encrypted=True, passed=True, checks=[], readings={}, uploaded_by_id=staff_id)
        s.add(att)
        s.commit()
        return att.id


@pytest.fixture
def world(app, sealed):  # noqa: F811
    """Case A (booth open for it, one photo, one scan), case B (one photo), a sealed case in the archive."""
    staff = app.test_client()
    login(staff, "staff")
    case_a = new_onsite_case(staff, _form())
    case_b = new_onsite_case(staff, _form(subject_name="另一家示例公司", subject_cert_number="91110000600037341L",
                                          website_domain=["other.cn"]))
    booth = app.test_client()
    link = open_booth(staff, booth, case_a)
    with get_database(app).session() as s:
        staff_id = s.scalars(select(User.id).where(User.username == "staff")).one()
    return {
        "staff_client": staff, "booth_client": booth, "token": link.rsplit("/", 1)[1],
        "case_a": case_a, "case_b": case_b, "attempt_a": _add_attempt(app, case_a, 11),
        "attempt_b": _add_attempt(app, case_b, 12), "att_a": _add_attachment(app, case_a, jpeg(13), "image/jpeg"),
        "number": sealed["number"], "photo": sealed["photo"], "staff_id": staff_id,
    }


def url_values(w: dict) -> dict[str, object]:
    return {"case_id": w["case_a"], "attempt_id": w["attempt_a"], "att_id": w["att_a"], "kind": "principal_id_front",
            "which": "original", "number": w["number"], "sha256": w["photo"], "token": w["token"],
            "user_id": w["staff_id"], "filename": "style.css", "appointment_id": 999999,
            "slot_id": 999999, "index": 0, "side": "live",
            "draft_id": "0123456789abcdef", "version": 1}


def client_for(app, w: dict, role: str):
    client = app.test_client()
    if role in ("staff", "auditor", "admin"):
        login(client, role)
    elif role == "booth":
        client.set_cookie("booth_token", w["token"], path="/booth")
    return client


def classify(response, path: str) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and re.search(r"/login(\?|$)", location):
        return "L"
    if status == 401 and path.startswith("/api/"):
        return "L"
    if status == 403:
        return "F"
    if status == 404:
        return "N"
    assert status < 500 or status == 503, (path, status, response.data[:300])
    return "A"


def request_route(app, client, endpoint: str, method: str, w: dict):
    with app.test_request_context():
        from flask import url_for

        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        path = url_for(endpoint, **{k: v for k, v in url_values(w).items() if k in rule.arguments})
    if method == "GET":
        response = client.get(path)
    else:
        data = {"username": "nobody", "password": "wrong"} if endpoint == "auth.login" else {}
        headers = {"X-CSRFToken": csrf_token(client)} if endpoint in ("booth.upload_frame", "calibrate.upload_frame") else {}
        response = post(client, path, data, headers=headers)
    outcome = classify(response, path)
    response.close()  # streaming responses (SSE, MJPEG)
    return outcome, response.status_code, path


def test_every_route_is_in_the_table(app) -> None:
    found = {(endpoint, method) for endpoint, method, _ in app_routes(app)}
    assert found - ROUTES.keys() == set(), "new routes need a row in ROUTES"
    assert ROUTES.keys() - found == set(), "ROUTES names routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_role(app, world, role) -> None:
    column = ROLES.index(role)
    wrong = []
    for endpoint, method, _ in app_routes(app):
        expected = ROUTES[(endpoint, method)][column]
        got, status, path = request_route(app, client_for(app, world, role), endpoint, method, world)
        if got != expected:
            wrong.append(f"{method} {path} ({endpoint}): expected {expected}, got {got} ({status})")
    assert wrong == []


def test_route_table_counts() -> None:
    """The table's totals per role (a change here is a deliberate change of who may do what)."""
    counts = {role: "".join(f"{c}{sum(1 for v in ROUTES.values() if v[i] == c)}" for c in "ALFN")
              for i, role in enumerate(ROLES)}
    assert len(ROUTES) == 69
    assert counts == {"anonymous": "A10L55F4N0", "staff": "A48L1F19N1", "auditor": "A17L1F51N0",
                      "admin": "A63L1F2N3", "booth": "A14L55F0N0"}


# ---------------------------------------------------------------- CSRF on every POST

def snapshot(app) -> dict[str, list]:
    """Every row of every table, and every file of the archive."""
    out: dict[str, list] = {}
    with get_database(app).session() as s:
        for table in Base.metadata.sorted_tables:
            out[table.name] = [tuple(map(repr, row)) for row in s.execute(table.select())]
    root = Path(app.config["KIOSK_SETTINGS"].archive_dir)
    out["files"] = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return out


def test_every_post_refuses_a_request_without_csrf(app, world) -> None:
    checked = 0
    for endpoint, method, _ in app_routes(app):
        if method != "POST":
            continue
        row = ROUTES[(endpoint, method)]
        role = next(r for i, r in enumerate(ROLES) if row[i] == "A" and r != "anonymous") \
            if "A" in row[1:] else "staff"
        client = client_for(app, world, role)
        with app.test_request_context():
            from flask import url_for

            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            path = url_for(endpoint, **{k: v for k, v in url_values(world).items() if k in rule.arguments})
        before = snapshot(app)
        data = {"username": "staff", "password": "staff-password-1", "move": "start_verification", "action": "deactivate",
                "decision": "reject", "hold": "1", "reason": "r", "role": "staff"}
        response = client.post(path, data=data)
        assert response.status_code == 400, (endpoint, role, response.status_code)
        assert "表单已过期".encode() in response.data and b"did not come from this site" in response.data
        assert snapshot(app) == before, endpoint
        checked += 1
    assert checked == sum(1 for (_, m) in ROUTES if m == "POST")


# ---------------------------------------------------------------- a booth cookie for case A against case B

def test_booth_cookie_for_case_a_reaches_nothing_of_case_b(app, world) -> None:
    booth = client_for(app, world, "booth")
    assert booth.get(f"/booth/photo/{world['attempt_b']}.jpg").status_code == 403
    assert booth.get(f"/booth/photo/{world['attempt_a']}.jpg").status_code == 200
    assert booth.get("/booth/photo/999999.jpg").status_code == 404
    for path in (f"/booth/counter/{world['case_b']}", f"/booth/counter/{world['case_b']}/events",
                 f"/cases/{world['case_b']}", f"/cases/{world['case_b']}/documents/principal_id_front"):
        response = booth.get(path)
        assert classify(response, path) == "L", path
        response.close()
    for path in (f"/booth/counter/{world['case_b']}/open", f"/booth/counter/{world['case_b']}/capture",
                 f"/booth/counter/{world['case_b']}/skip-liveness",
                 f"/booth/counter/{world['case_b']}/attempts/{world['attempt_b']}/accept"):
        assert classify(post(booth, path), path) == "L", path
    # the screen for A says nothing of B, even when the camera serves B
    post(world["staff_client"], f"/booth/counter/{world['case_b']}/open")
    booth_b = app.test_client()
    open_booth(world["staff_client"], booth_b, world["case_b"])
    page = booth.get("/booth")
    assert page.status_code == 200
    for private in ("另一家示例公司", "other.cn", "南京示例科技", "张三", "BK-"):
        assert private.encode() not in page.data
    assert booth.get("/booth/stream.mjpg").status_code == 403  # the camera now serves B: A must not see it
    # a forged or stale cookie is nobody
    forged = app.test_client()
    forged.set_cookie("booth_token", "x" * 32, path="/booth")
    assert forged.get(f"/booth/photo/{world['attempt_a']}.jpg").status_code == 403
    assert forged.get("/booth/events").status_code == 403


# ---------------------------------------------------------------- path traversal in file routes

TRAVERSALS = ("..", "../..", "..%2F..%2Fsigning_key.pem", "%2e%2e%2f%2e%2e%2farchive.key", "..\\..\\archive.key",
              "....//....//etc/passwd", "%252e%252e%252f", "/etc/passwd", "0" * 64)


@pytest.mark.parametrize("role", ["auditor", "staff", "booth"])
def test_no_path_traversal_in_file_routes(app, world, role) -> None:
    client = client_for(app, world, role)
    n, a, att = world["number"], world["case_a"], world["att_a"]
    for bad in TRAVERSALS:
        urls = [f"/audit/cases/{n}/files/{bad}", f"/audit/cases/{bad}/files/{world['photo']}",
                f"/cases/{a}/documents/principal_id_front/{att}/{bad}", f"/cases/{a}/documents/{bad}/{att}/original",
                f"/booth/photo/{bad}.jpg", f"/static/{bad}", "/static/../web/__init__.py"]
        for url in urls:
            response = client.get(url)
            if response.status_code == 308:  # Werkzeug merges slashes: a redirect within /static/ only
                assert re.match(r"(http://localhost)?/static/[^/]", response.headers["Location"]), url
                continue
            assert response.status_code in (403, 404) or classify(response, url) == "L", (url, response.status_code)
            assert b"PRIVATE KEY" not in response.data and b"import" not in response.data


# ---------------------------------------------------------------- open redirects

OFFSITE = ("//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
           "/%09/evil.example", "/\n/evil.example", "/\r\n/evil.example", "%2F%2Fevil.example", "http:evil.example",
           "javascript:alert(1)", "/ /evil.example", "///evil.example", "／/evil.example")


def test_login_next_never_leaves_the_site(app) -> None:
    from urllib.parse import quote, urlsplit

    for target in OFFSITE:
        client = app.test_client()
        token = csrf_token(client)
        response = client.post(f"/login?next={quote(target, safe='')}",
                               data={"username": "staff", "password": "staff-password-1", "csrf_token": token})
        location = response.headers.get("Location", "")
        assert response.status_code == 302, (target, response.status_code)
        stripped = re.sub(r"[\x00-\x20\x7f]", "", location).replace("\\", "/")  # as a browser reads it
        parts = urlsplit(stripped)
        assert not parts.scheme and not parts.netloc and not stripped.startswith("//"), (target, location)
    client = app.test_client()
    response = client.post("/login?next=/cases%3Fstate%3Ddraft",
                           data={"username": "staff", "password": "staff-password-1", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/cases?state=draft"  # a local target still works


# ---------------------------------------------------------------- user files are never sniffable

def _is_safe_file_response(response) -> bool:
    disposition = response.headers.get("Content-Disposition", "")
    fixed_image = response.mimetype in ("image/jpeg", "image/png")
    return response.headers.get("X-Content-Type-Options") == "nosniff" and (
        fixed_image or disposition.startswith("attachment"))


def test_file_responses_are_not_sniffable(app, world) -> None:
    booth = client_for(app, world, "booth")
    assert _is_safe_file_response(booth.get(f"/booth/photo/{world['attempt_a']}.jpg"))
    staff = client_for(app, world, "staff")
    pdf = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    att = _add_attachment(app, world["case_a"], pdf, "application/pdf", kind="principal_id_back")
    for which in ("original", "normalised"):
        response = staff.get(f"/cases/{world['case_a']}/documents/principal_id_back/{att}/{which}")
        assert response.status_code == 200 and _is_safe_file_response(response), (which, response.headers)
    auditor = client_for(app, world, "auditor")
    n = world["number"]
    with get_database(app).session() as s:
        case = s.scalars(select(Case).where(Case.number == n)).one()
        hashes = {a.original_sha256 for a in case.attachments} | {a.normalised_sha256 for a in case.attachments}
        hashes.discard(None)
    for sha in hashes:
        for inline in ("", "?inline=1"):
            response = auditor.get(f"/audit/cases/{n}/files/{sha}{inline}")
            assert response.status_code == 200 and _is_safe_file_response(response), (sha, inline, response.headers)


def test_audit_download_never_serves_a_document_inline(app, world) -> None:
    """An auditor's inline view is for images only: a PDF (or anything else) is sent as an attachment."""
    pdf = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    from tests.conftest import blob_store

    with get_database(app).session() as s:
        case = s.scalars(select(Case).where(Case.number == world["number"])).one()
        blob = blob_store(app).put(pdf, encrypt=True, media_type="application/pdf")
        row = next(a for a in case.attachments if a.kind != "verification_photo")
        row.original_sha256, row.media_type = blob.sha256, "application/pdf"
        s.commit()
    auditor = client_for(app, world, "auditor")
    response = auditor.get(f"/audit/cases/{world['number']}/files/{blob.sha256}?inline=1")
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- HTML injection through case fields

SCRIPT = "<script>alert('x')</script>"


def test_case_fields_are_escaped_in_every_page(app, world) -> None:
    staff = world["staff_client"]
    response = post(staff, "/cases/new", _form(subject_name=f"示例{SCRIPT}公司", subject_cert_number="91110000600037341L",
                                              website_name=[f"网{SCRIPT}"], principal_name=f"张{SCRIPT}"))
    if response.status_code == 400:  # refused by validation: then it must say so and store nothing
        assert SCRIPT.encode() not in response.data
        pytest.skip("the form refuses markup characters")
    case_id = int(re.search(r"/cases/(\d+)", response.headers["Location"]).group(1))
    with get_database(app).session() as s:
        number = s.get(Case, case_id).number
    pages = [staff.get(f"/cases/{case_id}"), staff.get("/cases"), staff.get(f"/cases/{case_id}/edit"),
             staff.get(f"/booth/counter/{case_id}"), staff.get(f"/cases/{case_id}/documents/principal_id_front")]
    auditor = client_for(app, world, "auditor")
    pages += [auditor.get(f"/audit/?name={SCRIPT}"), auditor.get("/audit/")]
    admin = client_for(app, world, "admin")  # the case is not sealed: admins see it in the portal, auditors do not
    pages += [admin.get(f"/audit/cases/{number}"), admin.get(f"/audit/?name={SCRIPT}"), admin.get("/audit/access-log")]
    for page in pages:
        assert page.status_code in (200, 409), page.request.path
        assert b"<script>alert" not in page.data, page.request.path
    assert b"&lt;script&gt;alert(" in pages[0].data  # shown, escaped


# ---------------------------------------------------------------- oversized bodies

def test_oversized_bodies_get_413_and_store_nothing(app, world) -> None:
    big = b"\xff\xd8\xff" + b"\0" * (26 * 1024 * 1024)
    staff = client_for(app, world, "staff")
    token = csrf_token(staff)
    before = snapshot(app)
    # the multipart body built here as bytes: the test client's own encoder would spool it to a temporary file
    # that nothing closes when the app refuses to read it
    boundary = "----kiosk-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n").encode() + big + f"\r\n--{boundary}--\r\n".encode()
    response = staff.post(f"/cases/{world['case_a']}/documents/principal_id_front", data=body,
                          content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "文件过大".encode() in response.data and b"too large" in response.data
    response = post(staff, "/cases/new", _form(subject_name="x" * (26 * 1024 * 1024)))
    assert response.status_code == 413 and "文件过大".encode() in response.data
    booth = client_for(app, world, "booth")
    response = booth.post("/booth/frame", data=big, content_type="image/jpeg",
                          headers={"X-CSRFToken": csrf_token(booth)})
    assert response.status_code == 413
    assert snapshot(app) == before


# ---------------------------------------------------------------- absurd numbers

def test_absurd_numbers_are_404_or_clamped_never_500(app, world) -> None:
    from werkzeug.routing import IntegerConverter

    huge = 10**30
    admin = client_for(app, world, "admin")
    checked = 0
    for _endpoint, method, rule in app_routes(app):
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not ints:
            continue
        path = rule.rule
        for name, value in {**url_values(world), **dict.fromkeys(ints, huge)}.items():
            path = re.sub(rf"<(\w+:)?{name}>", str(value), path)
        response = admin.get(path) if method == "GET" else post(admin, path)
        # Werkzeug may answer 405 when a same-path rule of another method was tried first: a clear error too
        assert response.status_code in (404, 405), (method, path, response.status_code)
        assert ("页面不存在".encode() in response.data and b"Page not found" in response.data) or (
            "不支持此操作".encode() in response.data and b"Method not allowed" in response.data)
        response.close()
        checked += 1
    assert checked >= 15
    for path in (f"/cases?page={huge}", f"/audit/?page={huge}", f"/audit/access-log?page={huge}",
                 f"/audit/?staff={huge}", "/audit/?staff=%C2%B2", "/cases?page=-5", "/audit/access-log?page=x"):
        assert admin.get(path).status_code == 200, path


def test_staff_open_image_originals_inline_and_other_files_as_downloads(app, world) -> None:
    """A scanned image opens in the browser; a PDF or any other upload is sent as an attachment (never sniffed)."""
    staff = client_for(app, world, "staff")
    image = staff.get(f"/cases/{world['case_a']}/documents/principal_id_front/{world['att_a']}/original")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Content-Disposition"].startswith("inline") and _is_safe_file_response(image)
    pdf = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    att = _add_attachment(app, world["case_a"], pdf, "application/pdf", kind="principal_id_back")
    other = staff.get(f"/cases/{world['case_a']}/documents/principal_id_back/{att}/original")
    assert other.headers["Content-Disposition"].startswith("attachment") and _is_safe_file_response(other)
