"""JSON API for the pages' scripts: health, CSRF token, checklist preview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask_wtf.csrf import generate_csrf

from kiosk.health import check_health
from kiosk.workflow import required_attachments
from web.auth import login_required
from web.db import get_database
from web.services import get_archive, get_settings

bp = Blueprint("api", __name__, url_prefix="/api")
health_bp = Blueprint("health", __name__)


@health_bp.get("/healthz")
def healthz() -> Any:
    """Database reachable, archive writable, camera loop state (kiosk role), as JSON; 503 when not ok."""
    settings = get_settings()
    camera = None if settings.role == "portal" else "kiosk.booth" in current_app.extensions
    health = check_health(get_database(), get_archive().root, settings.role, settings.kiosk_name, camera)
    return jsonify(health.as_dict()), 200 if health.ok else 503


@bp.get("/health")
def health() -> Any:
    return jsonify({"status": "ok"})


@bp.get("/csrf")
def csrf_token() -> Any:
    """The CSRF token of this browser session (readable by same-origin scripts only)."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.get("/requirements")
@login_required
def requirements() -> Any:
    """The checklist a case of ?subject_type=&province= will need (the new-case form previews it)."""
    items = required_attachments(request.args.get("subject_type", ""), request.args.get("province", ""))
    return jsonify(
        [{"kind": r.kind.value, "name": r.name.as_dict(), "note": r.note.as_dict() if r.note else None} for r in items]
    )
