"""Auditor portal (read-only): search cases, view one with its photo, attempts, documents, checks, overrides,
timeline and an integrity badge computed now, download files, export the evidence pack. Admins also see the
access log and set legal holds. Every search, view, download and export is recorded in the hash-chained access
log first. What is read comes from kiosk.archive.portal; the archive is the app's (web.services).

Roles: auditor and admin; staff get 403, anonymous users the login page.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from kiosk.archive import portal
from kiosk.archive.access_log import ACTIONS, verify_access_log
from kiosk.archive.booth_summary import identity_lines, liveness_lines
from kiosk.archive.retention import set_legal_hold
from kiosk.archive.search import PAGE_SIZE, SearchFilters, sealed_only_for, search_cases, staff_members
from kiosk.kiosks import kiosk_overview, sealing_kiosk
from kiosk.models import Case
from kiosk.roles import READER_ROLES, Role
from kiosk.text import KioskError
from kiosk.workflow import ATTACHMENT_NAMES, ID_TYPES, PROVINCES, STATE_NAMES, SUBJECT_TYPE_NAMES, State
from web.auth import current_user, role_required
from web.db import get_session
from web.evidence import evidence_read, log_read_now, refuse_as
from web.services import get_archive, get_settings

log = logging.getLogger(__name__)

bp = Blueprint("audit", __name__, url_prefix="/audit")
LOG_PAGE_SIZE = 50
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})


def log_access(action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    """Record this access with its route (committed before anything is shown)."""
    log_read_now(action, target, detail)


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
        timezone=get_settings().timezone,
        sealed_only=sealed_only_for(user.role) if (user := current_user()) is not None else True,
    )


@bp.get("/")
@role_required(*READER_ROLES)
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
    """The case an auditor or admin asked for; an auditor is refused a case not yet sealed (logged as such)."""
    case = portal.find_case(get_session(), number)
    if case is None:
        abort(404)
    if case.sealed_at is None and sealed_only_for(current_user().role):
        refuse_as("not_sealed")
        abort(404)
    return case


@bp.get("/cases/<number>")
@evidence_read("view", lambda kw: f"case:{kw['number']}")
@role_required(*READER_ROLES)
def case_view(number: str) -> Any:
    session = get_session()
    case = load_case(number)
    archive = get_archive()
    seen = portal.audited_case(session, archive.store, case)
    log_access("view", f"case:{case.number}", {"integrity": seen.integrity.status})
    return render_template(
        "audit/case.html", case=case, seals=seen.seals, integrity=seen.integrity, accepted=seen.accepted,
        photo_sha=seen.photo_sha, overlay=seen.overlay, users=seen.users, overrides=seen.overrides,
        states=STATE_NAMES, provinces=PROVINCES, subject_types=SUBJECT_TYPE_NAMES, id_types=ID_TYPES,
        attachment_names=ATTACHMENT_NAMES, documents=seen.documents, retention_days=archive.retention_days,
        sealed_by_kiosk=sealing_kiosk(session, case.id),
        booth_lines=(liveness_lines(seen.accepted.liveness) + identity_lines(seen.accepted.identity)
                     if seen.accepted else []),
    )


@bp.get("/cases/<number>/files/<sha256>")
@evidence_read("download", lambda kw: f"case:{kw['number']}")
@role_required(*READER_ROLES)
def download(number: str, sha256: str) -> Any:
    case = load_case(number)
    found = portal.read_case_file(get_session(), get_archive().store, case, sha256)
    if found is None:
        abort(404)
    inline = request.args.get("inline") == "1"
    log_access("download", f"case:{case.number}", {"sha256": sha256, "inline": inline})
    # Only images are shown inline (the case page's pictures); anything else is a download, never rendered here.
    response = send_file(io.BytesIO(found.data), mimetype=found.media_type,
                         as_attachment=not (inline and found.media_type in INLINE_TYPES),
                         download_name=f"{case.number}-{sha256[:12]}{found.extension}", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<number>/export")
@evidence_read("export", lambda kw: f"case:{kw['number']}")
@role_required(*READER_ROLES)
def export(number: str) -> Any:
    case = load_case(number)
    pack = get_archive().build_pack(get_session(), case, current_user())
    log_access("export", f"case:{case.number}", {"pack": pack.filename, "sha256": pack.sha256, "bytes": len(pack.data)})
    response = send_file(io.BytesIO(pack.data), mimetype="application/zip", as_attachment=True,
                         download_name=pack.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<number>/legal-hold")
@role_required(Role.ADMIN)
def legal_hold(number: str) -> Any:
    """Admins put a case on legal hold (its evidence outlives retention) or release it, with a reason (audited)."""
    session = get_session()
    case = load_case(number)
    hold = request.form.get("hold") == "1"
    try:
        set_legal_hold(session, case, hold, request.form.get("reason"), current_user(), request.remote_addr or "")
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
        return redirect(url_for("audit.case_view", number=number), 303)
    session.commit()
    flash(("已设置法律保全", "The case is on legal hold") if hold else ("已解除法律保全", "Legal hold released"))
    return redirect(url_for("audit.case_view", number=number), 303)


# ------------------------------------------------------------------ kiosks (auditors and admins)

@bp.get("/kiosks")
@role_required(*READER_ROLES)
def kiosks() -> Any:
    """Which kiosk: every registered kiosk, its key fingerprints, last seen, cases sealed and its chain checked now."""
    log_access("view", "kiosks")
    return render_template("audit/kiosks.html", kiosks=kiosk_overview(get_session(), get_archive().store))


# ------------------------------------------------------------------ access log (admins)

@bp.get("/access-log")
@role_required(Role.ADMIN)
def access_log() -> Any:
    session = get_session()
    try:
        page = max(1, min(int(request.args.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    actor = request.args.get("actor", "").strip()
    action = request.args.get("action", "")
    verify = request.args.get("verify") == "1"
    log_access("view", "access_log", {"page": page, "actor": actor, "action": action, "verify": verify})
    problems = verify_access_log(session) if verify else None
    entries, total = portal.access_log_page(session, actor=actor, action=action, page=page, page_size=LOG_PAGE_SIZE)
    return render_template("audit/access_log.html", entries=entries, page=page, total=total,
                           pages=max(1, -(-total // LOG_PAGE_SIZE)), actor=actor, action=action, actions=ACTIONS,
                           problems=problems, verified=verify)
