"""Auditor portal (read-only): search cases, view one with its photo, attempts, documents, checks, overrides,
timeline and an integrity badge computed now, download files, export the evidence pack. Admins also see the
access log. Every search, view, download and export is recorded in the hash-chained access log first.

Roles: auditor and admin; staff get 403, anonymous users the login page. The blob store, signer, sealer and
start-up recovery are the app's shared services (web.services).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import func, select

from kiosk.archive.access_log import ACTIONS, record_access, verify_access_log
from kiosk.archive.manifest import live_files, manifest_path
from kiosk.archive.overlay import shapes
from kiosk.archive.pack import EXTENSIONS, MAGICS, build_pack, case_integrity
from kiosk.archive.search import PAGE_SIZE, SearchFilters, case_seals, search_cases, staff_members
from kiosk.archive.signing import Signer
from kiosk.archive.store import BlobIntegrityError, BlobMissingError, BlobStore
from kiosk.models import AccessLogEntry, AuditEvent, Case, User
from kiosk.text import KioskError, Text
from kiosk.workflow import (
    ATTACHMENT_NAMES,
    ID_TYPES,
    PROVINCES,
    STATE_NAMES,
    SUBJECT_TYPE_NAMES,
    AttachmentKind,
    State,
)
from web import services
from web.auth import current_user, role_required
from web.db import get_session

log = logging.getLogger(__name__)

bp = Blueprint("audit", __name__, url_prefix="/audit")
READERS = ("auditor", "admin")
LOG_PAGE_SIZE = 50
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


# ------------------------------------------------------------------ archive resources (shared, web.services)

def archive_store(app: Flask | None = None) -> BlobStore:
    return services.blob_store(app)


def archive_signer(app: Flask | None = None) -> Signer:
    return services.signer(app)


def log_access(action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Record this access (committed before anything is shown)."""
    session = get_session()
    record_access(session, current_user(), action, target, detail, request.remote_addr or "")
    session.commit()


# ------------------------------------------------------------------ search

def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from_request() -> SearchFilters:
    a = request.args
    staff = a.get("staff", "")
    province = a.get("province", "")
    state = a.get("state", "")
    return SearchFilters(
        number=a.get("number", "").strip()[:40],
        name=a.get("name", "").strip()[:100],
        cert=a.get("cert", "").strip()[:64],
        domain=a.get("domain", "").strip()[:253],
        province=province if province in PROVINCES else "",
        state=state if state in {s.value for s in State} else "",
        staff=int(staff) if staff.isascii() and staff.isdigit() and len(staff) < 19 else None,
        date_from=_date(a.get("date_from", "")),
        date_to=_date(a.get("date_to", "")),
    )


@bp.get("/")
@role_required(*READERS)
def search() -> Any:
    f = filters_from_request()
    try:
        page = max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    session = get_session()
    result = search_cases(session, f, page, PAGE_SIZE)
    log_access("search", "cases", {**f.as_dict(), "page": page, "results": result.total_label})
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}
    return render_template(
        "audit/search.html", f=f, result=result, args=args, provinces=PROVINCES, states=STATE_NAMES,
        staff=staff_members(session),
    )


# ------------------------------------------------------------------ case view

def load_case(number: str) -> Case:
    case = get_session().scalars(select(Case).where(Case.number == number)).first()
    if case is None:
        abort(404)
    return case


def case_hashes(case: Case, seals: list[Any], store: BlobStore) -> dict[str, str]:
    """Every file of the case: sha256 -> media type (DB rows and sealed manifests)."""
    files: dict[str, str] = {}
    for a in case.attachments:
        files[a.original_sha256] = a.media_type
        if a.normalised_sha256:
            files.setdefault(a.normalised_sha256, "")
    for p in case.photo_attempts:
        files.setdefault(p.image_sha256, "image/jpeg")
    for seal in seals:
        path = manifest_path(store.root, seal.sequence, seal.manifest_sha256)
        try:
            content = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        for f in live_files(content):
            files.setdefault(str(f.get("sha256")), str(f.get("media_type") or ""))
    return files


@bp.get("/cases/<number>")
@role_required(*READERS)
def case_view(number: str) -> Any:
    session = get_session()
    case = load_case(number)
    store = archive_store()
    seals = case_seals(session, case.id)
    integrity = case_integrity(session, store, case.id)
    log_access("view", f"case:{case.number}", {"integrity": integrity.status})
    accepted = next((p for p in reversed(case.photo_attempts) if p.status == "accepted"), None)
    photo_sha = accepted.image_sha256 if accepted else next(
        (a.original_sha256 for a in reversed(case.attachments) if a.kind == AttachmentKind.VERIFICATION_PHOTO), None)
    overlay = shapes((accepted.verdict or {}).get("overlay") if accepted else None)
    users = {u.id: u for u in session.scalars(select(User))}
    overrides = [(f"{T_attachment(a.kind)}", a.override_reason, users.get(a.override_by_id))
                 for a in case.attachments if a.override_reason]
    overrides += [(f"#{i} photo", p.override_reason, users.get(p.decided_by_id))
                  for i, p in enumerate(case.photo_attempts, 1) if p.override_reason]
    return render_template(
        "audit/case.html", case=case, seals=seals, integrity=integrity, accepted=accepted, photo_sha=photo_sha,
        overlay=overlay, users=users, overrides=overrides, states=STATE_NAMES, provinces=PROVINCES,
        subject_types=SUBJECT_TYPE_NAMES, id_types=ID_TYPES, attachment_names=ATTACHMENT_NAMES,
        documents=[a for a in case.attachments if a.kind != AttachmentKind.VERIFICATION_PHOTO],
        retention_days=current_app.config["KIOSK_SETTINGS"].retention_days,
    )


def T_attachment(kind: str) -> str:  # noqa: N802 - reads like the template helper
    try:
        name = ATTACHMENT_NAMES[AttachmentKind(kind)]
    except ValueError:
        return kind
    return f"{name.zh} / {name.en}"


@bp.get("/cases/<number>/files/<sha256>")
@role_required(*READERS)
def download(number: str, sha256: str) -> Any:
    session = get_session()
    case = load_case(number)
    store = archive_store()
    files = case_hashes(case, case_seals(session, case.id), store)
    if sha256 not in files:
        abort(404)
    inline = request.args.get("inline") == "1"
    try:
        data = store.get(sha256)
    except BlobMissingError:
        raise KioskError("file_missing", Text("文件已不在档案中（可能已过保留期）",
                                              "The file is no longer in the archive (perhaps past retention)"), 410) from None
    except BlobIntegrityError:
        raise KioskError("file_altered", Text("文件校验失败：内容已被修改", "The file failed its integrity check: it was altered"),
                         409) from None
    log_access("download", f"case:{case.number}", {"sha256": sha256, "inline": inline})
    media = files[sha256] or ""
    ext = EXTENSIONS.get(media) or next((e for m, e in MAGICS if data.startswith(m)), ".bin")
    if not media:
        media = {v: k for k, v in EXTENSIONS.items()}.get(ext, "application/octet-stream")
    # Only images are shown inline (the case page's pictures); anything else is a download, never rendered here.
    response = send_file(io.BytesIO(data), mimetype=media, as_attachment=not (inline and media in INLINE_TYPES),
                         download_name=f"{case.number}-{sha256[:12]}{ext}", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<number>/export")
@role_required(*READERS)
def export(number: str) -> Any:
    session = get_session()
    case = load_case(number)
    pack = build_pack(session, archive_store(), archive_signer(), case, current_user(), current_app.config["KIOSK_NAME"])
    log_access("export", f"case:{case.number}", {"pack": pack.filename, "sha256": pack.sha256, "bytes": len(pack.data)})
    response = send_file(io.BytesIO(pack.data), mimetype="application/zip", as_attachment=True,
                         download_name=pack.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<number>/legal-hold")
@role_required("admin")
def legal_hold(number: str) -> Any:
    """Admins put a case on legal hold (its evidence outlives retention) or release it; recorded as an audit event."""
    session = get_session()
    case = load_case(number)
    hold = request.form.get("hold") == "1"
    reason = (request.form.get("reason") or "").strip()[:500]
    if not reason:
        flash(("请填写原因", "Please give a reason"), "error")
        return redirect(url_for("audit.case_view", number=number), 303)
    case.legal_hold = hold
    session.add(AuditEvent(actor_id=current_user().id, action="legal_hold_on" if hold else "legal_hold_off",
                           target=f"case:{case.number}", detail={"reason": reason}, remote_addr=request.remote_addr or ""))
    session.commit()
    flash(("已设置法律保全", "The case is on legal hold") if hold else ("已解除法律保全", "Legal hold released"))
    return redirect(url_for("audit.case_view", number=number), 303)


# ------------------------------------------------------------------ access log (admins)

@bp.get("/access-log")
@role_required("admin")
def access_log() -> Any:
    session = get_session()
    try:
        page = max(1, min(int(request.args.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "")
    stmt = select(AccessLogEntry)
    if actor:
        stmt = stmt.where(AccessLogEntry.actor_name == actor)
    if action in ACTIONS:
        stmt = stmt.where(AccessLogEntry.action == action)
    verify = request.args.get("verify") == "1"
    log_access("view", "access_log", {"page": page, "actor": actor, "action": action, "verify": verify})
    problems = verify_access_log(session) if verify else None
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    entries = session.scalars(stmt.order_by(AccessLogEntry.id.desc()).limit(LOG_PAGE_SIZE)
                              .offset((page - 1) * LOG_PAGE_SIZE)).all()
    return render_template("audit/access_log.html", entries=entries, page=page, total=total,
                           pages=max(1, -(-total // LOG_PAGE_SIZE)), actor=actor, action=action, actions=ACTIONS,
                           problems=problems, verified=verify)
