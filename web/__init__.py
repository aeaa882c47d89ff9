"""Flask app factory. Heavy resources (camera, vision models) are never created here: blueprints start them
lazily, and tests inject fakes through app.config (CAMERA_FACTORY, JUDGE_FACTORY)."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from kiosk.db import Database
from kiosk.settings import load_settings
from kiosk.text import KioskError, Text
from web import db as web_db
from web import services
from web.auth import AddressLimiter, current_user
from web.i18n import current_lang, tr

log = logging.getLogger(__name__)
csrf = CSRFProtect()

# Explicit list of blueprints: (module, attribute). Every audience has its own module.
BLUEPRINTS: list[str] = ["web.auth", "web.counter", "web.api", "web.users", "web.booth", "web.documents", "web.audit"]

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
    """Build the app: defaults from kiosk.settings (KIOSK_* environment), then `test_config`."""
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = BoundedIntegerConverter
    settings = load_settings() if not (test_config and "SETTINGS" in test_config) else test_config["SETTINGS"]
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        KIOSK_SETTINGS=settings,
        KIOSK_NAME=settings.kiosk_name,
        ARCHIVE_DIR=str(settings.archive_dir),
        CAMERA=settings.camera,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="kiosk_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=10),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        MIGRATE_ON_START=True,
        CAMERA_FACTORY=None,
        JUDGE_FACTORY=None,
        TIMEZONE="Asia/Shanghai",
    )
    app.config.from_prefixed_env("KIOSK_FLASK")
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "SETTINGS"})

    database = app.config.get("DATABASE") or Database(app.config["DATABASE_URL"])
    if app.config["MIGRATE_ON_START"]:
        database.migrate()
    web_db.init_app(app, database)
    services.init_app(app)
    app.extensions["kiosk.login_limiter"] = AddressLimiter()
    csrf.init_app(app)

    for module_name in BLUEPRINTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a feature still being written in a parallel branch
            if exc.name != module_name:
                raise
            log.debug("blueprint %s not present", module_name)
            continue
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)

    timezone = ZoneInfo(app.config.get("TIMEZONE") or "Asia/Shanghai")

    @app.template_filter("localtime")
    def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
        """A stored UTC time shown in the kiosk's time zone (Beijing time by default)."""
        return value.astimezone(timezone).strftime(fmt) if value else ""

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"T": tr, "lang": current_lang(), "current_user": current_user(), "csrf_token": generate_csrf,
                "kiosk_name": app.config["KIOSK_NAME"], "has_endpoint": lambda name: name in app.view_functions}

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
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response("internal_error", ERROR_TEXTS[500], 500)

    return app
