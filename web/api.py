"""JSON API for the pages' scripts: health, CSRF token, checklist preview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_wtf.csrf import generate_csrf

from kiosk.workflow import required_attachments
from web.auth import login_required

bp = Blueprint("api", __name__, url_prefix="/api")


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
