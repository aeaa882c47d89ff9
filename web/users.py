"""Admins manage accounts: create, deactivate or reactivate, set a new password (kiosk.accounts audits each)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kiosk import accounts
from kiosk.models import User
from kiosk.roles import ROLE_NAMES, Role
from kiosk.text import KioskError
from web.auth import current_user, role_required
from web.db import get_session

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.route("", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user_list() -> Any:
    session = get_session()
    error = None
    status = 200
    if request.method == "POST":
        form = request.form
        try:
            user = accounts.admin_create_user(session, current_user(), form.get("username", ""), form.get("role", ""),
                                              form.get("password", ""), form.get("display_name", ""),
                                              remote_addr=request.remote_addr or "")
            session.commit()
            flash((f"已创建用户 {user.username}", f"User {user.username} created"))
            return redirect(url_for("users.user_list"), 303)
        except KioskError as err:
            session.rollback()
            error, status = err.text, err.status
    users = accounts.list_users(session)
    locks = {u.id: accounts.lock_state(session, u.username, u) for u in users}
    return render_template("users/list.html", users=users, locks=locks, roles=ROLE_NAMES, error=error,
                           max_failures=accounts.MAX_FAILED_LOGINS), status


@bp.post("/<int:user_id>")
@role_required(Role.ADMIN)
def update(user_id: int) -> Any:
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    action = request.form.get("action")
    address = request.remote_addr or ""
    try:
        if action in ("deactivate", "activate"):
            accounts.set_active(session, current_user(), user, action == "activate", address)
        elif action == "unlock":
            accounts.unlock(session, current_user(), user, address)
        elif action == "password":
            accounts.set_password(session, current_user(), user, request.form.get("password", ""), address)
        else:
            abort(400)
        session.commit()
        flash(("已保存", "Saved"))
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
    return redirect(url_for("users.user_list"), 303)
