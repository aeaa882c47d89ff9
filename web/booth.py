"""The booth screen (applicant, bound to one case by a token) and the counter's view of it (staff): HTTP only.

Booth screen: staff open the booth for a case (`POST /booth/counter/<id>/open`), which issues a per-case
token; the booth display opens `/booth/open/<token>` once, which stores the token in an HttpOnly cookie
limited to /booth and redirects to `/booth`. From then on `/booth`, `/booth/events` (Server-Sent Events)
and `/booth/stream.mjpg` (MJPEG preview) serve that case only, and only what the applicant needs
(`kiosk.booth.live.ScreenView`). The token stops working when staff open the booth anew or the case leaves
on-site verification.

Counter view (staff login): the same live picture with every check's value and threshold
(`kiosk.booth.live.CounterView`), the attempts with their results, and buttons to retake, take the photo now,
accept, or override failed checks with a written reason. Every form carries the CSRF token.

The booth session (`kiosk.booth.station.open_booth`: camera, judge, the recorder that stores each capture) is
made on first use, never in create_app; tests replace its camera and judge through the test config
(CAMERA_FACTORY, JUDGE_FACTORY, BOOTH_OPTIONS).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from capture import BROWSER
from capture.stream import BOUNDARY, mjpeg_parts
from kiosk import profiles
from kiosk.archive.store import BlobMissingError
from kiosk.booth import attempts as attempt_service
from kiosk.booth import station
from kiosk.booth.guide import current_guide
from kiosk.booth.live import CHECK_LABELS, BoothState
from kiosk.booth.session import BoothSession
from kiosk.identity.case_match import match_summary
from kiosk.models import Case, PhotoAttempt
from kiosk.roles import STAFF_ROLES
from kiosk.text import KioskError, Text
from web.auth import current_user, role_required
from web.db import close_session, get_database, get_session
from web.evidence import evidence_read, log_read_now, refuse_as
from web.services import get_archive, get_face_gate, get_settings

bp = Blueprint("booth", __name__, url_prefix="/booth")

COOKIE = "booth_token"
SSE_MAX_SECONDS = 300.0  # streams end after this; EventSource reconnects by itself
TOKEN_RECHECK_SECONDS = 3.0  # a rotated token or a case moved on (perhaps by another kiosk) closes the stream

_lock = threading.Lock()


def booth_session(app: Flask | None = None) -> BoothSession:
    """The app's booth session, made on first use (the camera and models start in its threads)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]  # the real app, for threads
    if get_settings(app).role == "portal":
        raise KioskError("no_camera_on_portal", Text("门户服务器没有摄像头：请在柜台终端上拍照",
                                                     "The portal has no camera: take photos at a counter kiosk"), 404)
    with _lock:
        booth = app.extensions.get("kiosk.booth")
        if booth is None:
            booth = app.extensions["kiosk.booth"] = station.open_booth(
                get_settings(app), get_database(app), get_archive(app).store,
                camera=app.config.get("CAMERA_FACTORY"), judge=app.config.get("JUDGE_FACTORY"),
                options=app.config.get("BOOTH_OPTIONS"),
            )
    return booth


def stop_booth(app: Flask) -> None:
    """Stop the camera and worker threads (tests, shutdown)."""
    booth = app.extensions.pop("kiosk.booth", None)
    if booth is not None:
        booth.stop()


# ---------------------------------------------------------------- SSE helper

Produce = Callable[[int], tuple[dict[str, Any] | None, bool]]


def sse_response(produce: Produce, booth: BoothSession) -> Response:
    """Stream `produce(after_version) -> (dict | None, stop)` as Server-Sent Events while `booth` runs."""
    touch = booth.touch

    def generate() -> Iterator[str]:
        version = -1
        started = time.monotonic()
        yield "retry: 1000\n\n"
        while time.monotonic() - started < SSE_MAX_SECONDS and not booth.closed:
            touch()
            data, stop = produce(version)
            if data is not None and data.get("version") != version:
                version = data.get("version", version)
                yield f"data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"
            elif data is None:
                yield ": keep-alive\n\n"
            if stop:
                yield "event: closed\ndata: {}\n\n"
                return

    # The stream outlives the request's work: give its database connection back now.
    close_session()
    response = Response(generate(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache, no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


# ---------------------------------------------------------------- the booth screen

def _booth_case() -> Case | None:
    return attempt_service.case_for_token(get_session(), request.cookies.get(COOKIE))


@bp.get("/open/<token>")
def open_booth(token: str) -> Any:
    """The link staff open on the booth display: remember the token in a cookie, then show the booth."""
    case = attempt_service.case_for_token(get_session(), token)
    if case is None:
        return render_template("booth/waiting.html", invalid=True), 404
    response = redirect(url_for("booth.booth_screen"))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/booth",
                        secure=request.is_secure, max_age=12 * 3600)
    return response


@bp.get("")
def booth_screen() -> Any:
    case = _booth_case()
    if case is None:
        return render_template("booth/waiting.html", invalid=False)
    booth = booth_session()
    station.pick_up(booth, case)
    booth.touch()
    return render_template("booth/screen.html", browser_camera=browser_camera_mode(),
                           guide=current_guide(get_session(), get_settings().kiosk_name))


@bp.get("/events")
def booth_events() -> Any:
    case = _booth_case()
    if case is None:
        abort(403)
    case_id = case.id
    booth = booth_session()
    station.pick_up(booth, case)
    database = get_database()
    token = request.cookies.get(COOKIE)
    photo_url = request.script_root + "/booth/photo/{}.jpg"
    checked_at = [time.monotonic()]

    def still_valid() -> bool:
        if time.monotonic() - checked_at[0] < TOKEN_RECHECK_SECONDS:
            return True
        checked_at[0] = time.monotonic()
        with database.session() as db:
            current = attempt_service.case_for_token(db, token)
            return current is not None and current.id == case_id

    def produce(version: int) -> tuple[dict[str, Any] | None, bool]:
        if not still_valid():
            return None, True
        state: BoothState = booth.wait_state(version, timeout=1.0)
        return state.for_screen(case_id, photo_url).as_dict(), False

    return sse_response(produce, booth)


def _mjpeg_response(booth: BoothSession, keep_going: Callable[[], bool]) -> Response:
    booth.touch()
    quality = get_settings().preview_quality
    close_session()

    def going() -> bool:
        booth.touch()
        return keep_going() and not booth.closed

    started = time.monotonic()
    body = mjpeg_parts(lambda: booth.preview(quality),
                       keep_going=lambda: going() and time.monotonic() - started < SSE_MAX_SECONDS)
    response = Response(body, mimetype=f"multipart/x-mixed-replace; boundary={BOUNDARY}")
    response.headers["Cache-Control"] = "no-cache, no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/stream.mjpg")
@evidence_read("view", lambda kw: "camera:live")
def stream() -> Any:
    """The live preview (not mirrored here: the pages mirror it). The booth's token or a staff login."""
    user = current_user()
    if user is not None and user.role in STAFF_ROLES:
        log_read_now("view", "camera:live")
        return _mjpeg_response(booth_session(), lambda: True)
    case = _booth_case()
    if case is None:
        refuse_as("not_logged_in" if user is None else "wrong_role")
        abort(403)
    booth = booth_session()
    station.pick_up(booth, case)
    case_id = case.id
    if booth.case_id != case_id:
        refuse_as("other_case")
        abort(403)  # the camera now serves another case: this screen must not see that applicant
    log_read_now("view", f"case_id:{case_id}")
    return _mjpeg_response(booth, lambda: booth.case_id == case_id)


@bp.get("/photo/<int:attempt_id>.jpg")
@evidence_read("view", lambda kw: f"photo_attempt:{kw['attempt_id']}")
def booth_photo(attempt_id: int) -> Any:
    """A stored photo: staff see any attempt; the booth only its own case's attempts."""
    db = get_session()
    attempt = db.get(PhotoAttempt, attempt_id)
    if attempt is None:
        abort(404)
    user = current_user()
    if user is None or user.role not in STAFF_ROLES:
        case = _booth_case()
        if case is None or case.id != attempt.case_id:
            refuse_as("other_case" if case is not None else "not_logged_in" if user is None else "wrong_role")
            abort(403)
    try:
        data = get_archive().store.get(attempt.image_sha256)
    except BlobMissingError:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def browser_camera_mode() -> bool:
    """True when the kiosk runs with `--camera browser`: the booth page's own camera (a tablet) feeds it."""
    return get_settings().camera.strip().lower() == BROWSER


def push_browser_frame() -> Response:
    """Hand the request's JPEG or PNG body (a page's own camera, browser-camera mode) to the booth's camera:
    204, 503 while the booth is still starting its camera, KioskError 409 when the kiosk uses another camera."""
    if not browser_camera_mode():
        raise KioskError("not_browser_camera", Text("本终端未使用浏览器摄像头", "This kiosk does not use the browser's camera"),
                         status=409)
    if not booth_session().push_frame(request.get_data(cache=False)):
        return Response(status=503, headers={"Retry-After": "1"})  # the booth is still starting its camera
    return Response(status=204)


@bp.post("/frame")
def upload_frame() -> Any:
    """One frame from the booth page's camera (browser-camera mode): a JPEG or PNG body, CSRF header."""
    if _booth_case() is None:
        abort(403)
    return push_browser_frame()


# ---------------------------------------------------------------- the counter's view

def _load_case(case_id: int) -> Case:
    case = get_session().get(Case, case_id)
    if case is None:
        abort(404)
    return case


def _load_attempt(case: Case, attempt_id: int) -> PhotoAttempt:
    attempt = get_session().get(PhotoAttempt, attempt_id)
    if attempt is None or attempt.case_id != case.id:
        abort(404)
    return attempt


def _back(case_id: int) -> Any:
    return redirect(url_for("booth.counter_view", case_id=case_id)), 303


def _fail(err: KioskError, case_id: int) -> Any:
    get_session().rollback()
    flash((err.text.zh, err.text.en), "error")
    return _back(case_id)


@bp.get("/counter/<int:case_id>")
@evidence_read("view", lambda kw: f"case_id:{kw['case_id']}")
@role_required(*STAFF_ROLES)
def counter_view(case_id: int) -> Any:
    case = _load_case(case_id)
    booth = booth_session()
    booth.touch()
    tokens = session.get("booth_tokens") or {}
    token = tokens.get(str(case_id))
    if token and attempt_service.case_for_token(get_session(), token) is None:
        token = None  # rotated or the case moved on
    booth_link = url_for("booth.open_booth", token=token, _external=True) if token else None
    attempts = list(reversed(case.photo_attempts))
    return render_template(
        "booth/counter.html", case=case, attempts=attempts, booth_link=booth_link,
        bound_here=booth.case_id == case.id, labels=CHECK_LABELS, liveness_on=booth.liveness_enabled,
        summaries={a.id: attempt_service.attempt_summary(a) for a in attempts},
        calibration=profiles.calibration_status(get_session(), get_settings().kiosk_name),
        verdict_labels={a.id: profiles.attempt_label(a) for a in attempts},
    )


@bp.get("/counter/<int:case_id>/events")
@role_required(*STAFF_ROLES)
def counter_events(case_id: int) -> Any:
    _load_case(case_id)
    booth = booth_session()

    def produce(version: int) -> tuple[dict[str, Any] | None, bool]:
        return booth.wait_state(version, timeout=1.0).for_counter(case_id).as_dict(), False

    return sse_response(produce, booth)


@bp.post("/counter/<int:case_id>/open")
@role_required(*STAFF_ROLES)
def counter_open(case_id: int) -> Any:
    """Issue a new booth token for this case (the old link stops working) and point the booth at it."""
    case = _load_case(case_id)
    try:
        token = attempt_service.issue_booth_token(get_session(), case)
        get_session().commit()
    except KioskError as err:
        return _fail(err, case_id)
    tokens = dict(session.get("booth_tokens") or {})
    tokens[str(case_id)] = token
    session["booth_tokens"] = tokens
    station.serve_case(booth_session(), case)
    flash(("拍照台已为本案件开启", "The booth is now open for this case"))
    return _back(case_id)


def _discard_pending(case: Case) -> None:
    attempt_service.discard_pending(get_session(), case, current_user())
    get_session().commit()


@bp.post("/counter/<int:case_id>/retake")
@role_required(*STAFF_ROLES)
def counter_retake(case_id: int) -> Any:
    """Discard the photo waiting for a decision (it stays stored) and let the booth take another."""
    case = _load_case(case_id)
    try:
        _discard_pending(case)
    except KioskError as err:
        return _fail(err, case_id)
    booth_session().arm(case.id)
    return _back(case_id)


@bp.post("/counter/<int:case_id>/capture")
@role_required(*STAFF_ROLES)
def counter_capture(case_id: int) -> Any:
    """Take the photo now, whatever the checks say (failed checks then need an override to accept)."""
    case = _load_case(case_id)
    try:
        _discard_pending(case)
    except KioskError as err:
        return _fail(err, case_id)
    booth_session().request_manual(case.id)
    return _back(case_id)


@bp.post("/counter/<int:case_id>/skip-liveness")
@role_required(*STAFF_ROLES)
def counter_skip_liveness(case_id: int) -> Any:
    """Skip the booth's liveness test with a written reason (who and why are recorded with the photo)."""
    case = _load_case(case_id)
    try:
        station.skip_liveness(get_session(), booth_session(), case, current_user(), request.form.get("reason"),
                              request.remote_addr or "")
        get_session().commit()
    except KioskError as err:
        return _fail(err, case_id)
    flash(("已跳过活体检测", "The liveness check is skipped"))
    return _back(case_id)


@bp.post("/counter/<int:case_id>/attempts/<int:attempt_id>/accept")
@role_required(*STAFF_ROLES)
def counter_accept(case_id: int, attempt_id: int) -> Any:
    case = _load_case(case_id)
    attempt = _load_attempt(case, attempt_id)
    try:
        attempt_service.accept_attempt(get_session(), attempt, current_user())
        get_session().commit()
    except KioskError as err:
        return _fail(err, case_id)
    booth_session().accepted(case.id)  # the booth screen says so at once
    flash(("核验照片已确认", "The verification photo is accepted"))
    gate = get_face_gate()
    matched = gate.match_on_accept(get_session(), case, current_user(), request.remote_addr or "") if gate else None
    if matched:
        get_session().commit()  # staff see same / different now; finishing reuses the stored match
        summary = match_summary(matched)
        flash((summary.zh, summary.en), "status" if matched["verdict"] == "same" else "error")
    return _back(case_id)


@bp.post("/counter/<int:case_id>/attempts/<int:attempt_id>/override")
@role_required(*STAFF_ROLES)
def counter_override(case_id: int, attempt_id: int) -> Any:
    case = _load_case(case_id)
    attempt = _load_attempt(case, attempt_id)
    try:
        attempt_service.override_checks(
            get_session(), attempt, request.form.getlist("check"), request.form.get("reason"),
            current_user(), remote_addr=request.remote_addr or "",
        )
        get_session().commit()
    except KioskError as err:
        return _fail(err, case_id)
    flash(("已记录放行原因", "The override and its reason are recorded"))
    return _back(case_id)
