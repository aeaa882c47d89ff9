"""The booth screen (applicant, bound to one case by a token) and the counter's view of it (staff).

Booth screen: staff open the booth for a case (`POST /booth/counter/<id>/open`), which issues a per-case
token; the booth display opens `/booth/open/<token>` once, which stores the token in an HttpOnly cookie
limited to /booth and redirects to `/booth`. From then on `/booth`, `/booth/events` (Server-Sent Events)
and `/booth/stream.mjpg` (MJPEG preview) serve that case only, and only what the applicant needs: the live
picture, the checks' lights, one instruction, the countdown, and their own photo once taken. No names, no
numbers. The token stops working when staff open the booth anew or the case leaves on-site verification.

Counter view (staff login): the same live picture with every check's value and threshold, the attempts
with their results, and buttons to retake, take the photo now, accept, or override failed checks with a
written reason. Every form carries the CSRF token.

Heavy resources are created lazily on first use, never in create_app: the camera through
`app.config["CAMERA_FACTORY"]` (else `capture.open_source(app.config["CAMERA"])`), the judge through
`app.config["JUDGE_FACTORY"]` (else `PhotoJudge(video=True)` in the worker thread), booth timings through
`app.config["BOOTH_OPTIONS"]` (keyword arguments of `BoothSession`).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import cv2
import numpy as np
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

from capture.stream import BOUNDARY, JpegCache, mjpeg_parts
from kiosk.archive.store import BlobMissingError
from kiosk.booth import attempts as attempt_service
from kiosk.booth.finish import finish_photo
from kiosk.booth.session import BoothSession, Capture
from kiosk.models import Case, PhotoAttempt
from kiosk.text import KioskError, Text
from web.auth import current_user, role_required
from web.db import close_session, get_database, get_session
from web.services import blob_store

log = logging.getLogger(__name__)

bp = Blueprint("booth", __name__, url_prefix="/booth")

STAFF_ROLES = ("staff", "admin")
COOKIE = "booth_token"
SSE_MAX_SECONDS = 300.0  # streams end after this; EventSource reconnects by itself

# Short names of the checks for the lights (the judge's own messages say what to do).
CHECK_LABELS: dict[str, Text] = {
    "person_present": Text("人像", "Person"),
    "single_person": Text("单人", "One person"),
    "real_photo": Text("真人", "Real person"),
    "framing": Text("半身", "Head to waist"),
    "centred": Text("居中", "Centred"),
    "hands_hanging": Text("双手", "Hands"),
    "hat": Text("免冠", "No hat"),
    "glasses": Text("眼镜", "No glasses"),
    "frontal": Text("正面", "Facing camera"),
    "exposure": Text("光线", "Light"),
    "sharp": Text("清晰", "Sharp"),
    "colour": Text("彩色", "Colour"),
    "backdrop": Text("幕布", "Backdrop"),
}

PHASE_TEXTS: dict[str, Text] = {
    "waiting": Text("请稍候，工作人员正在准备", "Please wait: staff are getting ready"),
    "captured": Text("照片已拍好，请等待工作人员确认", "Photo taken: please wait for staff to confirm"),
    "accepted": Text("拍照完成，谢谢！", "All done, thank you!"),
    "no_camera": Text("摄像头暂时不可用，请联系工作人员", "The camera is not available: please ask staff"),
    "paused": Text("请稍候", "Please wait"),
    "idle": Text("请稍候", "Please wait"),  # only until the first verdict arrives
    "steady": Text("很好，请保持不动", "Good: please hold still"),
    "countdown": Text("请保持不动，即将拍照", "Hold still: taking the photo"),
    "capture": Text("拍照中", "Taking the photo"),
}

_lock = threading.Lock()
_sessions: weakref.WeakSet[BoothSession] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Stop every booth before the interpreter exits: a worker still inside the vision models when
    daemon threads are torn down aborts the process."""
    for booth in list(_sessions):
        booth.stop(timeout=3.0)


# ---------------------------------------------------------------- the shared booth session

def _capture_handler(app: Flask):  # type: ignore[no-untyped-def]
    """The callback the worker calls with the judged frame: finish, store, record the attempt."""
    timezone = ZoneInfo(app.config.get("TIMEZONE") or "Asia/Shanghai")

    def on_capture(capture: Capture) -> int:
        store = blob_store(app)
        taken_at = dt.datetime.fromtimestamp(capture.grabbed_at, timezone)
        photo = finish_photo(capture.frame, taken_at=taken_at, kiosk_name=app.config["KIOSK_NAME"])
        with get_database(app).session() as db:
            case = db.get(Case, capture.case_id)
            if case is None:
                raise KioskError("case_not_found", Text("案件不存在", "No such case"), status=404)
            attempt = attempt_service.store_attempt(db, store, case, photo, capture.verdict_dict,
                                                    trigger=capture.trigger)
            return attempt.id

    return on_capture


def _judge_factory(app: Flask):  # type: ignore[no-untyped-def]
    factory = app.config.get("JUDGE_FACTORY")
    if factory is not None:
        return factory
    profile = app.config["KIOSK_SETTINGS"].profile

    def make_judge():  # type: ignore[no-untyped-def]
        from kiosk.photo import JudgeConfig, PhotoJudge

        config = JudgeConfig.from_profile(profile) if profile else None
        return PhotoJudge(config, video=True)

    return make_judge


def _camera_factory(app: Flask):  # type: ignore[no-untyped-def]
    factory = app.config.get("CAMERA_FACTORY")
    if factory is not None:
        return factory
    spec = app.config.get("CAMERA") or "auto"

    def make_camera():  # type: ignore[no-untyped-def]
        import capture

        return capture.open_source(spec)

    return make_camera


def booth_session(app: Flask | None = None) -> BoothSession:
    """The app's booth session, created on first use (the camera and models start in its threads)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        booth = app.extensions.get("kiosk.booth")
        if booth is None:
            booth = BoothSession(
                _camera_factory(app), _judge_factory(app), _capture_handler(app),
                **(app.config.get("BOOTH_OPTIONS") or {}),
            )
            app.extensions["kiosk.booth"] = booth
            _sessions.add(booth)
    return booth


def preview_cache(booth: BoothSession, quality: int = 80) -> JpegCache | None:
    """The shared JPEG encoder of the booth's grabber (None until the camera is open)."""
    grabber = booth.grabber
    if grabber is None:
        return None
    with _lock:
        cache = getattr(booth, "_preview_cache", None)
        if cache is None or cache.grabber is not grabber:
            cache = JpegCache(grabber, quality=quality)
            booth._preview_cache = cache  # type: ignore[attr-defined]
    return cache


def stop_booth(app: Flask) -> None:
    """Stop the camera and worker threads (tests, shutdown)."""
    booth = app.extensions.pop("kiosk.booth", None)
    if booth is not None:
        booth.stop()


# ---------------------------------------------------------------- what each audience sees

def _lights(verdict: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not verdict:
        return []
    return [
        {"code": r["code"], "passed": bool(r["passed"]), "status": r["status"],
         "label": CHECK_LABELS.get(r["code"], Text(r["code"], r["code"])).as_dict()}
        for r in verdict.get("results", [])
    ]


def _instruction(state: dict[str, Any], phase: str) -> dict[str, str] | None:
    verdict = state.get("verdict")
    if phase in ("idle",) and verdict and verdict.get("message"):
        return verdict["message"]
    text = PHASE_TEXTS.get(phase)
    if state.get("error") and phase in ("waiting", "captured"):
        return {"zh": "出现问题，请联系工作人员", "en": "Something went wrong: please ask staff"}
    return text.as_dict() if text else None


def booth_view(state: dict[str, Any], case_id: int, accepted: bool = False,
               photo_url: str = "/booth/photo/{}.jpg") -> dict[str, Any]:
    """The booth screen's share of the live state: nothing about any other case, no personal data."""
    camera = state.get("camera") or {}
    base = {
        "version": state.get("version", 0),
        "camera": {"health": camera.get("health"), "fps": camera.get("fps")},
    }
    if state.get("case_id") != case_id:
        return {**base, "phase": "waiting", "instruction": PHASE_TEXTS["waiting"].as_dict(), "lights": [],
                "countdown": None, "overlay": None, "frame": None, "captured": None}
    phase = state.get("phase", "waiting")
    if phase == "captured" and accepted:
        phase = "accepted"
    verdict = state.get("verdict") or {}
    last = state.get("last_capture")
    captured = None
    if last and last.get("case_id") == case_id and phase in ("captured", "accepted"):
        captured = {"attempt_id": last["attempt_id"],
                    "photo_url": photo_url.format(last["attempt_id"])}
    overlay = verdict.get("overlay") or {}
    return {
        **base,
        "phase": phase,
        "instruction": _instruction(state, phase),
        "first_failure": verdict.get("first_failure"),
        "passed": verdict.get("passed"),
        "lights": _lights(verdict),
        "countdown": state.get("countdown"),
        "overlay": {"outline": overlay.get("outline"), "face_box": overlay.get("face_box")},
        "frame": state.get("frame"),
        "captured": captured,
    }


def counter_view_state(state: dict[str, Any], case_id: int) -> dict[str, Any]:
    """Everything for staff: per-check values and thresholds, timings, camera details, errors."""
    view = dict(state)
    view["bound_here"] = state.get("case_id") == case_id
    view["lights"] = _lights(state.get("verdict"))
    if not view["bound_here"]:
        view["last_capture"] = None
    return view


# ---------------------------------------------------------------- SSE helper

def sse_response(produce, booth: BoothSession) -> Response:  # type: ignore[no-untyped-def]
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


def _ensure_bound(booth: BoothSession, case: Case) -> None:
    """After a restart the session is unbound: a booth with a current token picks its case up again."""
    if booth.case_id is None:
        pending = any(a.status == attempt_service.TAKEN for a in case.photo_attempts)
        accepted = any(a.status == attempt_service.ACCEPTED for a in case.photo_attempts)
        booth.bind(case.id, arm=not (pending or accepted))


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
    _ensure_bound(booth, case)
    booth.touch()
    return render_template("booth/screen.html", browser_camera=browser_camera_mode())


@bp.get("/events")
def booth_events() -> Any:
    case = _booth_case()
    if case is None:
        abort(403)
    case_id = case.id
    booth = booth_session()
    _ensure_bound(booth, case)
    database = get_database()
    token = request.cookies.get(COOKIE)
    photo_url = request.script_root + "/booth/photo/{}.jpg"
    accepted = any(a.status == attempt_service.ACCEPTED for a in case.photo_attempts)
    checked: dict[str, Any] = {"at": time.monotonic(), "accepted": accepted}

    def still_valid() -> bool:
        # Re-check the token every few seconds: rotating it or moving the case closes this stream.
        if time.monotonic() - checked["at"] < 3.0:
            return True
        checked["at"] = time.monotonic()
        with database.session() as db:
            current = attempt_service.case_for_token(db, token)
            if current is None or current.id != case_id:
                return False
            checked["accepted"] = any(a.status == attempt_service.ACCEPTED for a in current.photo_attempts)
        return True

    def produce(version: int) -> tuple[dict[str, Any] | None, bool]:
        if not still_valid():
            return None, True
        state = booth.wait_state(version, timeout=1.0)
        return booth_view(state, case_id, accepted=checked["accepted"], photo_url=photo_url), False

    return sse_response(produce, booth)


def _mjpeg_response(booth: BoothSession, keep_going) -> Response:  # type: ignore[no-untyped-def]
    booth.touch()
    quality = int(current_app.config.get("PREVIEW_QUALITY", 80))
    close_session()

    def going() -> bool:
        booth.touch()
        return keep_going() and not booth.closed

    started = time.monotonic()
    body = mjpeg_parts(lambda: preview_cache(booth, quality),
                       keep_going=lambda: going() and time.monotonic() - started < SSE_MAX_SECONDS)
    response = Response(body, mimetype=f"multipart/x-mixed-replace; boundary={BOUNDARY}")
    response.headers["Cache-Control"] = "no-cache, no-store"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/stream.mjpg")
def stream() -> Any:
    """The live preview (not mirrored here: the pages mirror it). The booth's token or a staff login."""
    user = current_user()
    if user is not None and user.role in STAFF_ROLES:
        return _mjpeg_response(booth_session(), lambda: True)
    case = _booth_case()
    if case is None:
        abort(403)
    booth = booth_session()
    _ensure_bound(booth, case)
    case_id = case.id
    if booth.case_id != case_id:
        abort(403)  # the camera now serves another case: this screen must not see that applicant
    return _mjpeg_response(booth, lambda: booth.case_id == case_id)


@bp.get("/photo/<int:attempt_id>.jpg")
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
            abort(403)
    try:
        data = _store().get(attempt.image_sha256)
    except BlobMissingError:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _store():  # type: ignore[no-untyped-def]
    return blob_store()


def browser_camera_mode() -> bool:
    """True when the kiosk runs with `--camera browser`: the booth page's own camera (a tablet) feeds it."""
    return str(current_app.config.get("CAMERA") or "").strip().lower() == "browser"


MAX_FRAME_BYTES = 8 * 1024 * 1024


@bp.post("/frame")
def upload_frame() -> Any:
    """One frame from the booth page's camera (browser-camera mode): a JPEG or PNG body, CSRF header."""
    from capture.push import PushCamera

    if _booth_case() is None:
        abort(403)
    if not browser_camera_mode():
        raise KioskError("not_browser_camera", Text("本终端未使用浏览器摄像头", "This kiosk does not use the browser's camera"),
                         status=409)
    data = request.get_data(cache=False)
    if not data or len(data) > MAX_FRAME_BYTES:
        raise KioskError("frame_invalid", Text("图像无效", "Empty or oversized frame"), status=400)
    frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise KioskError("frame_invalid", Text("图像无法解码", "The frame is not a readable JPEG or PNG"), status=400)
    booth = booth_session()
    booth.touch()
    camera = booth.grabber.camera if booth.grabber is not None else None
    if not isinstance(camera, PushCamera):
        return Response(status=503, headers={"Retry-After": "1"})  # the booth is still starting its camera
    camera.push(frame)
    return Response(status=204)


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
        bound_here=booth.case_id == case.id, labels=CHECK_LABELS,
        summaries={a.id: attempt_service.attempt_summary(a) for a in attempts},
    )


@bp.get("/counter/<int:case_id>/events")
@role_required(*STAFF_ROLES)
def counter_events(case_id: int) -> Any:
    _load_case(case_id)
    booth = booth_session()

    def produce(version: int) -> tuple[dict[str, Any] | None, bool]:
        return counter_view_state(booth.wait_state(version, timeout=1.0), case_id), False

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
    booth = booth_session()
    pending = any(a.status == attempt_service.TAKEN for a in case.photo_attempts)
    booth.bind(case.id, arm=not pending)
    flash(("拍照台已为本案件开启", "The booth is now open for this case"))
    return _back(case_id)


def _discard_pending(case: Case) -> None:
    """Discard (keep stored, mark discarded) the attempt waiting for staff, before the booth takes another."""
    attempt_service.require_onsite(case)
    for attempt in case.photo_attempts:
        if attempt.status == attempt_service.TAKEN:
            attempt_service.discard_attempt(get_session(), attempt, current_user())
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
    booth_session().disarm(case.id)
    flash(("核验照片已确认", "The verification photo is accepted"))
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
