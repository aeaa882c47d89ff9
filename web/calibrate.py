"""The admin's calibration page, "校准幕布 / Calibrate backdrop": HTTP only (calibration.capture_session does the work).

The page shows the live camera (the booth's MJPEG preview, logged as a read of the live camera; in browser-camera
mode the page's own camera, whose frames it uploads to the booth's camera like the booth screen); 开始 collects a
few seconds of the empty backdrop on the server and shows the draft: the still with the curtain region found, the
camera check, and a rectangle the admin drags around the wordmark; 保存 adds the kiosk's next profile version. The
versions are listed with an export link each, and an exported profile can be imported. Admin only, CSRF on every
form. The draft lives in memory until saved (tests shorten its timings through CALIBRATION_OPTIONS).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from calibration import capture_session
from calibration.capture_session import Draft, Drafts
from kiosk import profiles
from kiosk.booth.guide import guide_for_profile
from kiosk.models import BackdropProfile
from kiosk.roles import Role
from kiosk.text import KioskError, Text
from web.auth import current_user, role_required
from web.booth import booth_session, browser_camera_mode, push_browser_frame
from web.db import get_session
from web.services import get_settings

bp = Blueprint("calibrate", __name__, url_prefix="/admin/calibration")

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def drafts() -> Drafts:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions.setdefault("kiosk.calibration_drafts", Drafts())


def _kiosk() -> str:
    return get_settings().kiosk_name


def _back(**values: Any) -> Any:
    return redirect(url_for("calibrate.page", **values), 303)


def _fail(err: KioskError, **values: Any) -> Any:
    get_session().rollback()
    flash((err.text.zh, err.text.en), "error")
    return _back(**values)


def _judge_with_new_profile() -> None:
    """A running booth judges with the new version from its next frame on (not only after a restart)."""
    booth = current_app.extensions.get("kiosk.booth")
    if booth is not None:
        booth.reload_judge()


@bp.get("")
@role_required(Role.ADMIN)
def page() -> Any:
    session = get_session()
    kiosk = _kiosk()
    draft: Draft | None = None
    if request.args.get("draft"):
        try:
            draft = drafts().get(request.args["draft"], kiosk)
        except KioskError as err:
            flash((err.text.zh, err.text.en), "error")
    versions = list(session.scalars(select(BackdropProfile).where(BackdropProfile.kiosk_name == kiosk)
                                    .order_by(BackdropProfile.version.desc())))
    current = versions[0] if versions else None
    return render_template(
        "calibrate/page.html", kiosk=kiosk, draft=draft, versions=versions, current=current,
        browser_camera=browser_camera_mode(),
        status=profiles.calibration_status(session, kiosk),
        guide=guide_for_profile(draft.profile if draft else current.data if current else None),
        checks=draft.checks if draft else ((current.data or {}).get("camera") or {}).get("check") if current else None,
    )


@bp.post("/start")
@role_required(Role.ADMIN)
def start() -> Any:
    """Collect the empty backdrop from the live camera and make a draft (several seconds)."""
    kiosk = _kiosk()
    try:
        frames = capture_session.frames_from_booth(booth_session(), **current_app.config.get("CALIBRATION_OPTIONS", {}))
        draft = capture_session.start_draft(frames, kiosk, profiles.current(get_session(), kiosk))
    except KioskError as err:
        return _fail(err)
    drafts().add(draft)
    return _back(draft=draft.id)


@bp.post("/frame")
@role_required(Role.ADMIN)
def upload_frame() -> Any:
    """Browser-camera mode (a tablet is the camera): one frame of this page's own camera for the calibration."""
    return push_browser_frame()


@bp.get("/drafts/<draft_id>/still.jpg")
@role_required(Role.ADMIN)
def still(draft_id: str) -> Any:
    """The draft's still of the empty backdrop (no person in it: not evidence)."""
    try:
        draft = drafts().get(draft_id, _kiosk())
    except KioskError:
        abort(404)
    return Response(draft.still_jpeg(), mimetype="image/jpeg", headers={"Cache-Control": "private, no-store"})


@bp.post("/drafts/<draft_id>/save")
@role_required(Role.ADMIN)
def save(draft_id: str) -> Any:
    """Save the draft (with the wordmark box when one was marked) as the kiosk's next profile version."""
    session = get_session()
    try:
        draft = drafts().get(draft_id, _kiosk())
    except KioskError as err:
        return _fail(err)
    try:
        wordmark = capture_session.parse_wordmark({k: request.form.get(k) for k in ("x0", "y0", "x1", "y1")})
        version = capture_session.save_draft(session, draft, wordmark, created_by=current_user(),
                                             remote_addr=request.remote_addr or "")
        session.commit()
    except KioskError as err:
        return _fail(err, draft=draft_id)  # the draft is kept: mark again and save
    drafts().pop(draft_id)
    _judge_with_new_profile()
    flash((f"已保存为第 {version.version} 版校准配置", f"Saved as calibration profile version {version.version}"))
    return _back()


@bp.get("/versions/<int:version>/export")
@role_required(Role.ADMIN)
def export(version: int) -> Any:
    """One version as a JSON download (for the other counters); the export is logged."""
    session = get_session()
    data = capture_session.export_version(session, _kiosk(), version, created_by=current_user(),
                                          remote_addr=request.remote_addr or "")
    if data is None:
        abort(404)
    session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    filename = f"profile-{_kiosk()}-v{version}.json".replace('"', "")
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/import")
@role_required(Role.ADMIN)
def import_profile() -> Any:
    """Add an exported profile (another counter's set-up) as this kiosk's next version."""
    session = get_session()
    upload = request.files.get("profile")
    try:
        raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        if not raw or len(raw) > MAX_IMPORT_BYTES:
            raise KioskError("profile_unreadable", Text("请选择导出的配置文件（JSON，最大 2 MB）",
                                                        "Choose an exported profile (JSON, at most 2 MB)"))
        try:
            exported = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise KioskError("profile_unreadable", Text("配置文件不是有效的 JSON", "The profile is not valid JSON")) from exc
        version = profiles.import_profile(session, _kiosk(), exported, created_by=current_user())
        session.commit()
    except KioskError as err:
        return _fail(err)
    _judge_with_new_profile()
    flash((f"已导入为第 {version.version} 版校准配置", f"Imported as calibration profile version {version.version}"))
    return _back()
