"""Flask app factory: configuration from `kiosk.settings.Settings`, the database, the archive, the blueprints.

Heavy resources (camera, vision models, OCR) are never created here: the booth and the document pages start them
lazily, and tests inject fakes through the test config (see `TEST_DOUBLES`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from kiosk import readouts, words
from kiosk.accounts import AddressLimiter
from kiosk.cases import ChecklistStatus
from kiosk.db import Database
from kiosk.files import DISK_FULL, is_disk_full
from kiosk.models import ATTEMPT_STATUS_NAMES, AttachmentStatus, AttemptStatus, CaptureTrigger
from kiosk.roles import READER_ROLES, ROLE_NAMES, STAFF_ROLES, Role
from kiosk.settings import Settings, load_settings
from kiosk.spool import DATABASE_UNAVAILABLE, SPOOLED, unreachable
from kiosk.text import KioskError, Text, human_bytes, mask_number
from kiosk.workflow import EDITABLE_STATES, State
from web import (
    api,
    appointments,
    audit,
    auth,
    booth,
    calibrate,
    counter,
    documents,
    progress,
    services,
    users,
)
from web import db as web_db
from web.auth import current_user
from web.i18n import current_lang, tr

log = logging.getLogger(__name__)
csrf = CSRFProtect()

# One blueprint per audience.
BLUEPRINTS = (auth.bp, counter.bp, appointments.bp, api.bp, api.health_bp, users.bp, booth.bp, calibrate.bp, documents.bp,
              audit.bp, progress.bp)

# What tests may put into the test config instead of the real thing (never set in production).
TEST_DOUBLES = {
    "SETTINGS": "a kiosk.settings.Settings (default: load_settings() from the environment)",
    "DATABASE": "an open, migrated kiosk.db.Database (python -m kiosk serve passes the one it migrated)",
    "CAMERA_FACTORY": "() -> capture.Camera for the booth",
    "JUDGE_FACTORY": "() -> a photo judge for the booth (made in the booth's worker thread)",
    "BOOTH_OPTIONS": "keyword arguments of kiosk.booth.session.BoothSession (timings)",
    "DOCUMENT_CAMERA_FACTORY": "() -> capture.Camera for the document camera",
    "OCR_ENGINE": "a kiosk.documents.ocr.OcrEngine for the document checks",
    "CALIBRATION_OPTIONS": "keyword arguments of calibration.capture_session.frames_from_booth (settle, seconds, count)",
}

ERROR_TEXTS: dict[int, Text] = {
    400: Text("请求无效", "Bad request"),
    401: Text("请先登录", "Please log in"),
    403: Text("您没有权限访问此页面", "You are not allowed to see this page"),
    404: Text("页面不存在", "Page not found"),
    405: Text("不支持此操作", "Method not allowed"),
    409: Text("操作与当前状态冲突", "Conflict with the current state"),
    413: Text("文件过大", "The upload is too large"),
    429: Text("请求过于频繁，请稍后再试", "Too many requests: please wait"),
    500: Text("服务器内部错误，请联系管理员", "Internal error: please call an administrator"),
    507: DISK_FULL,
}


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` up to the largest database integer: a longer number in a URL is a 404, not an overflow (500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _error_response(code: str, text: Text, status: int, extra: dict[str, Any] | None = None) -> Any:
    if _wants_json():
        body = {"error": code, "message": text.as_dict(), **(extra or {})}
        return jsonify(body), status
    try:
        return render_template("error.html", status=status, code=code, text=text), status
    except Exception:  # e.g. a request whose Host is not trusted has no URL adapter to build the page's links
        log.debug("error page could not be rendered; answering plain text", exc_info=True)
        body = f"{status} {code}\n{text.zh}\n{text.en}\n"
        return body, status, {"Content-Type": "text/plain; charset=utf-8"}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from Settings (KIOSK_* environment, or test_config["SETTINGS"]): Flask's settings, the
    database (migrated), the archive (keys loaded, half-written work recovered), the blueprints. `test_config`
    may also set Flask settings and the TEST_DOUBLES."""
    test_config = dict(test_config or {})
    settings: Settings = test_config.pop("SETTINGS", None) or load_settings()
    database: Database | None = test_config.pop("DATABASE", None)
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.config.from_mapping(
        SECRET_KEY=settings.session_secret(),
        KIOSK_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="kiosk_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=10),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        TRUSTED_HOSTS=list(settings.trusted_hosts) or None,  # a foreign Host header is a 400
    )
    app.config.update(settings.flask)  # KIOSK_FLASK_<NAME>
    app.config.update(test_config)

    if database is None:
        database = Database(settings.database_url)
        database.migrate()
    web_db.init_app(app, database)
    services.init_app(app, settings, database)
    app.extensions["kiosk.login_limiter"] = AddressLimiter()
    app.extensions["kiosk.progress_limiter"] = AddressLimiter()
    csrf.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

    @app.template_filter("masked")
    def masked(value: str | None) -> str:
        return mask_number(value or "")

    @app.template_filter("human_bytes")
    def human_bytes_filter(size: int | None) -> str:
        return human_bytes(size or 0)

    @app.template_filter("localtime")
    def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        """A stored UTC time shown in the kiosk's time zone (settings.timezone, Beijing time by default)."""
        return value.astimezone(settings.zone).strftime(fmt) if value else ""

    @app.template_filter("word")
    def word_filter(code: object, kind: str) -> str:
        """`{{ case.state|word('state') }}`: the code's word in the page's language (kiosk.words)."""
        return tr(words.word(kind, code))

    @app.template_filter("readout")
    def readout_filter(result: Any, kind: str) -> str:
        """`{{ r|readout('photo_check') }}`: "清晰度 0.62（下限 0.40）" in the page's language (kiosk.readouts)."""
        return tr(readouts.readout(result, kind))

    @app.template_filter("target_word")
    def target_word_filter(target: str) -> str:
        return tr(words.target_word(target))

    @app.template_filter("move_line")
    def move_line_filter(event: Any) -> str:
        """A timeline line from a case event (move, from_state, to_state) in words."""
        return tr(words.move_line(event.move, event.from_state, event.to_state))

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"T": tr, "lang": current_lang(), "current_user": current_user(), "csrf_token": generate_csrf,
                "kiosk_name": settings.kiosk_name, "spooled": services.get_spool(app).waiting, "SPOOLED": SPOOLED}

    # The names of states, roles and statuses, for templates to compare with (spelled once, in kiosk/).
    app.jinja_env.globals.update(
        State=State, EDITABLE_STATES=EDITABLE_STATES, Role=Role, ROLE_NAMES=ROLE_NAMES, STAFF_ROLES=STAFF_ROLES, READER_ROLES=READER_ROLES,
        AttemptStatus=AttemptStatus, ATTEMPT_STATUS_NAMES=ATTEMPT_STATUS_NAMES, AttachmentStatus=AttachmentStatus,
        ChecklistStatus=ChecklistStatus, CaptureTrigger=CaptureTrigger,
        attempt_results=readouts.attempt_results, check_results=readouts.check_results,
        word_table=lambda kind: {str(code): text.as_dict() for code, text in words.CATALOGUE[kind].items()},
    )

    @app.before_request
    def refuse_nul_characters() -> None:
        """A NUL in any field or URL part is refused plainly: PostgreSQL cannot store or even compare it (500)."""
        fields = [*request.args.lists(), *request.form.lists()]
        if (any("\x00" in key or any("\x00" in v for v in values) for key, values in fields)
                or any(isinstance(v, str) and "\x00" in v for v in (request.view_args or {}).values())):
            raise KioskError("invalid_characters", Text("输入含有无效字符（NUL）", "The input contains an invalid character (NUL)"))

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "lang" in request.args and request.args["lang"] in ("zh", "en"):
            response.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax")
        return response

    @app.errorhandler(KioskError)
    def kiosk_error(err: KioskError) -> Any:
        extra = err.as_dict()
        extra.pop("error", None)
        extra.pop("message", None)
        if err.status == 507:
            log.error("disk full on %s %s: %s", request.method, request.path, err.__cause__)
        return _error_response(err.code, err.text, err.status, extra)

    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> Any:
        return _error_response(
            "csrf_failed",
            Text("表单已过期或来源无效，请刷新页面后重试", "The form expired or did not come from this site: reload and try again"),
            400,
        )

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        status = err.code or 500
        text = ERROR_TEXTS.get(status, Text("请求失败", err.name))
        return _error_response(err.name.lower().replace(" ", "_"), text, status)

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Any:
        if is_disk_full(err):  # a full disk anywhere (database, temporary files, a library's own write)
            log.error("disk full on %s %s: %s", request.method, request.path, err)
            return _error_response("disk_full", DISK_FULL, 507)
        if unreachable(err):  # the counter says so plainly; photos already spooled wait on this kiosk
            log.error("database unreachable on %s %s: %s", request.method, request.path, err)
            return _error_response("database_unavailable", SPOOLED if services.get_spool(app).waiting() else
                                   DATABASE_UNAVAILABLE, 503)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response("internal_error", ERROR_TEXTS[500], 500)

    return app
