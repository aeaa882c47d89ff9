"""Admins manage accounts: create, deactivate or reactivate, set a new password. Every change is audited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from kiosk.accounts import ROLES, check_password_strength, create_user, hash_password
from kiosk.models import AuditEvent, User
from kiosk.text import KioskError, Text
from web.auth import current_user, role_required
from web.db import get_session

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.route("", methods=["GET", "POST"])
@role_required("admin")
def user_list() -> Any:
    session = get_session()
    error = None
    status = 200
    if request.method == "POST":
        try:
            user = create_user(session, request.form.get("username", ""), request.form.get("role", ""),
                               request.form.get("password", ""), request.form.get("display_name", "")[:100])
            session.add(AuditEvent(actor_id=current_user().id, action="user_created_by_admin", target=f"user:{user.id}",
                                   remote_addr=request.remote_addr or ""))
            session.commit()
            flash((f"已创建用户 {user.username}", f"User {user.username} created"))
            return redirect(url_for("users.user_list"), 303)
        except KioskError as err:
            session.rollback()
            error, status = err.text, err.status
    users = session.scalars(select(User).order_by(User.username)).all()
    return render_template("users/list.html", users=users, roles=ROLES, error=error), status


@bp.post("/<int:user_id>")
@role_required("admin")
def update(user_id: int) -> Any:
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    action = request.form.get("action")
    me = current_user()
    try:
        if action in ("deactivate", "activate"):
            if user.id == me.id:
                raise KioskError("self_deactivate", Text("不能停用自己的账户", "You cannot deactivate your own account"))
            user.active = action == "activate"
        elif action == "password":
            password = request.form.get("password", "")
            check_password_strength(password)
            user.password_hash = hash_password(password)
            user.failed_logins, user.locked_until = 0, None
            user.session_epoch += 1  # sessions opened with the old password end
        else:
            abort(400)
        session.add(AuditEvent(actor_id=me.id, action=f"user_{action}", target=f"user:{user.id}",
                               remote_addr=request.remote_addr or ""))
        session.commit()
        flash(("已保存", "Saved"))
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
    return redirect(url_for("users.user_list"), 303)
