"""Login, logout, roles. Passwords are argon2 hashes (kiosk.accounts); failed logins are rate-limited per
account (lock-out) and per client address (kiosk.accounts.AddressLimiter)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from kiosk.accounts import authenticate, count_users, log_out, record_rate_limited
from kiosk.models import User
from kiosk.roles import Role
from kiosk.text import KioskError, Text
from web.db import get_session

bp = Blueprint("auth", __name__)

def current_user() -> User | None:
    """The logged-in, active user of this request, or None."""
    if "user" not in g:
        user = None
        user_id = session.get("user_id")
        if user_id is not None:
            user = get_session().get(User, user_id)
            if user is None or not user.active or session.get("epoch") != user.session_epoch:
                session.clear()
                user = None
        g.user = user
    return g.user


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if wants_json():
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only logged-in users with one of `roles`; others get 403, anonymous users the login page."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if wants_json():
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_for(user: User) -> str:
    return url_for("audit.search") if user.role == Role.AUDITOR else url_for("counter.case_list")


def _safe_next(target: str | None) -> str | None:
    """A path on this site, or None. Control characters and spaces are refused: browsers (and Werkzeug's
    Location header) drop tabs and newlines, which turns "/\t/evil.example" into "//evil.example"."""
    if not target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error: Text | None = None
    if request.method == "POST":
        address = request.remote_addr or ""
        db = get_session()
        if not current_app.extensions["kiosk.login_limiter"].allow(address):
            error = Text("尝试次数过多，请稍后再试", "Too many attempts: please wait a few minutes")
            record_rate_limited(db, address)
            db.commit()
            return render_template("auth/login.html", error=error, no_users=False), 429
        try:
            user = authenticate(db, request.form.get("username", ""), request.form.get("password", ""), address)
        except KioskError as err:
            db.commit()  # keep the failed-login count and the audit event
            return render_template("auth/login.html", error=err.text, no_users=False), err.status
        db.commit()
        session.clear()
        session["user_id"] = user.id
        session["epoch"] = user.session_epoch
        session.permanent = True
        return redirect(_safe_next(request.args.get("next")) or home_for(user))
    no_users = count_users(get_session()) == 0
    return render_template("auth/login.html", error=error, no_users=no_users)


@bp.post("/logout")
def logout() -> Any:
    user = current_user()
    if user is not None:
        db = get_session()
        log_out(db, user, request.remote_addr or "")
        db.commit()
    session.clear()
    return redirect(url_for("auth.login"))

