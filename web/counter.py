"""Counter staff: case list, new-case form, case page with checklist, timeline and moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from kiosk import cases as case_service
from kiosk.appointments.booking import STATUS_NAMES, record_attendance
from kiosk.appointments.dayview import upcoming
from kiosk.appointments.pages import case_appointment
from kiosk.approvals import second_user
from kiosk.counter_pages import case_deadline_status, case_list_with_deadlines
from kiosk.counter_words import COUNTER_WORDS
from kiosk.dashboard import dashboard
from kiosk.deadlines import beijing_date
from kiosk.documents.basis import stale_documents
from kiosk.identity.case_match import approve_face_mismatch, face_crop_sha256, face_match_view
from kiosk.models import Case, User
from kiosk.notices.outbox import NOTICE_STATUS_NAMES, outbox
from kiosk.roles import STAFF_ROLES
from kiosk.text import KioskError, Text
from kiosk.workflow import (
    ID_TYPES,
    PROVINCES,
    STATE_NAMES,
    SUBJECT_TYPE_NAMES,
    State,
    is_sms_pilot,
)
from web.audit import filters_from_request, log_access
from web.auth import current_user, home_for, role_required
from web.db import get_session
from web.evidence import evidence_read
from web.services import get_archive, get_calendar, get_face_gate, get_settings

bp = Blueprint("counter", __name__)
PAGE_SIZE = 25


def load_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        abort(404)
    return case


@bp.get("/")
def index() -> Any:
    user = current_user()
    return redirect(home_for(user) if user else url_for("auth.login"))


@bp.get("/cases")
@role_required(*STAFF_ROLES)
def case_list() -> Any:
    filters = filters_from_request()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    rows, total, deadlines = case_list_with_deadlines(get_session(), filters=filters, limit=PAGE_SIZE,
                                                      offset=(page - 1) * PAGE_SIZE, now=_now(), calendar=get_calendar())
    return render_template(
        "counter/case_list.html", cases=rows, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        filters=filters, query=filters.as_dict(), state=filters.state, states=STATE_NAMES, provinces=PROVINCES,
        subject_types=SUBJECT_TYPE_NAMES, deadlines=deadlines, words=COUNTER_WORDS,
    )


def _form_data() -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k not in ("website_domain", "website_name")}
    data["website_domain"] = request.form.getlist("website_domain")
    data["website_name"] = request.form.getlist("website_name")
    return data


def _case_form_page(form: dict[str, Any], save: Callable[[case_service.CaseInput], tuple[int, Text]], case: Case | None = None,
                    errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    """The case form: on POST validate and `save` (which returns the case id and the flash text), committing only on success;
    otherwise show the form with every error in both languages. `case` is the case being corrected, if any."""
    errors = dict(errors or {})
    if request.method == "POST":
        form = _form_data()
        session = get_session()
        try:
            case_id, message = save(case_service.validate_case_input(form))
            session.commit()
        except case_service.FormErrors as err:
            session.rollback()
            errors, status = err.errors, 400
        except KioskError as err:
            session.rollback()
            errors, status = {"form": err.text}, err.status
        else:
            flash((message.zh, message.en))
            return redirect(url_for("counter.case_page", case_id=case_id))
    return render_template(
        "counter/new_case.html", form=form, errors=errors, provinces=PROVINCES, subject_types=SUBJECT_TYPE_NAMES,
        id_types=ID_TYPES, case=case,
    ), status


@bp.route("/cases/new", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def new_case() -> Any:
    def save(data: case_service.CaseInput) -> tuple[int, Text]:
        case = case_service.create_case(get_session(), data, current_user(), get_settings().kiosk_name)
        return case.id, Text("已创建案件 " + case.number, "Case created: " + case.number)

    blank = {"subject_type": "enterprise", "province": "", "website_domain": [""], "website_name": [""]}
    return _case_form_page(blank, save)


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def edit_case(case_id: int) -> Any:
    case = load_case(get_session(), case_id)

    def save(data: case_service.CaseInput) -> tuple[int, Text]:
        changed = case_service.update_case(get_session(), case, data, current_user())
        return case.id, Text(f"已保存（修改了{len(changed)}项）", f"Saved ({len(changed)} fields changed)")

    if request.method == "GET" and not case_service.is_editable(case):
        refused = {"form": Text("当前状态下不能修改备案信息", "The filing information cannot be changed in this state")}
        return _case_form_page(case_service.case_form_values(case), save, case, refused, 409)
    return _case_form_page(case_service.case_form_values(case), save, case)


def render_case(case: Case, error: KioskError | None = None, status: int = 200, form: dict[str, str] | None = None) -> Any:
    """The case page; `error` (a refused booking, say) is shown in the appointment section, `form` keeps the
    values sent."""
    session = get_session()
    user: User = current_user()
    return render_template(
        "counter/case.html", case=case, checklist=case_service.checklist(case),
        moves=case_service.available_moves(case, user), states=STATE_NAMES, provinces=PROVINCES,
        subject_types=SUBJECT_TYPE_NAMES, id_types=ID_TYPES, sms_pilot=is_sms_pilot(case.province),
        deadline=case_deadline_status(session, case, _now(), get_calendar()), words=COUNTER_WORDS,
        appointment=case_appointment(session, case, get_settings().kiosk_name, _now()), statuses=STATUS_NAMES,
        error=error, form=form or {}, face=face_match_view(session, case),
        stale={s.attachment.id: s for s in stale_documents(case)},
    ), status


@bp.get("/cases/<int:case_id>")
@role_required(*STAFF_ROLES)
def case_page(case_id: int) -> Any:
    return render_case(load_case(get_session(), case_id))


@bp.post("/cases/<int:case_id>/move")
@role_required(*STAFF_ROLES)
def move(case_id: int) -> Any:
    session = get_session()
    case = load_case(session, case_id)
    move_name, gate = request.form.get("move", ""), get_face_gate()
    try:
        if move_name == "finish_verification" and gate is not None:
            gate.prepare(session, case, current_user(), request.remote_addr or "")
            session.commit()  # the match and a block are kept even when the move is refused
        case_service.move_case(
            session, case, move_name, current_user(),
            reason=request.form.get("reason"), record_number=request.form.get("record_number"),
            archive=get_archive(), face_gate=gate,
        )
        session.commit()
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
        return redirect(url_for("counter.case_page", case_id=case_id)), 303
    new_state = STATE_NAMES[State(case.state)]
    flash((f"案件已转为：{new_state.zh}", f"The case is now: {new_state.en}"))
    return redirect(url_for("counter.case_page", case_id=case_id)), 303


@bp.post("/cases/<int:case_id>/face-approval")
@role_required(*STAFF_ROLES)
def face_approval(case_id: int) -> Any:
    """A supervisor or an admin at this screen approves finishing despite a face mismatch (name + password)."""
    session = get_session()
    case = load_case(session, case_id)
    address = request.remote_addr or ""
    try:
        approver = second_user(session, request.form.get("approver", ""), request.form.get("approver_password", ""),
                               address)
    except KioskError as err:
        session.commit()  # keep the failed-login count and its audit event
        flash((err.text.zh, err.text.en), "error")
        return redirect(url_for("counter.case_page", case_id=case_id, _anchor="identity")), 303
    try:
        approve_face_mismatch(session, case, requested_by=current_user(), approved_by=approver,
                              reason=request.form.get("reason", ""), remote_addr=address)
        session.commit()
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
        return redirect(url_for("counter.case_page", case_id=case_id, _anchor="identity")), 303
    flash(("已核准：可以完成核验", "Approved: the verification can be finished"))
    return redirect(url_for("counter.case_page", case_id=case_id, _anchor="identity")), 303


@bp.get("/cases/<int:case_id>/faces/<int:index>/<side>")
@evidence_read("view", lambda kw: f"case_id:{kw['case_id']}")
@role_required(*STAFF_ROLES)
def face_crop(case_id: int, index: int, side: str) -> Any:
    """One face crop of the stored match (the booth photo's or the ID portrait's), decrypted for staff and logged."""
    case = load_case(get_session(), case_id)
    sha = face_crop_sha256(case, index, side)
    if sha is None:
        abort(404)
    log_access("view", f"case:{case.number}", {"face_crop": f"{index}:{side}", "sha256": sha})
    return get_archive().store.get(sha), 200, {"Cache-Control": "no-store", "Content-Type": "image/jpeg"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@bp.get("/day")
@role_required(*STAFF_ROLES)
def day_view() -> Any:
    plans = upcoming(get_session(), get_settings().kiosk_name, beijing_date(_now()))
    return render_template("counter/day.html", plans=plans, words=COUNTER_WORDS, states=STATE_NAMES)


@bp.post("/appointments/<int:appointment_id>/attendance")
@role_required(*STAFF_ROLES)
def attendance(appointment_id: int) -> Any:
    session = get_session()
    try:
        appointment = record_attendance(session, appointment_id, request.form.get("outcome", ""), current_user(),
                                        now=_now())
        session.commit()
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
        return redirect(url_for("counter.day_view")), 303
    if appointment.status == "arrived":
        return redirect(url_for("counter.case_page", case_id=appointment.case_id)), 303
    return redirect(url_for("counter.day_view")), 303


@bp.get("/dashboard")
@role_required(*STAFF_ROLES)
def dashboard_page() -> Any:
    figures = dashboard(get_session(), now=_now(), calendar=get_calendar(), kiosk_name=get_settings().kiosk_name)
    return render_template("counter/dashboard.html", f=figures, words=COUNTER_WORDS, states=STATE_NAMES,
                           statuses=STATUS_NAMES)


@bp.get("/notices")
@role_required(*STAFF_ROLES)
def notices_page() -> Any:
    status = request.args.get("status") or None
    rows = outbox(get_session(), status=status)
    return render_template("counter/notices.html", rows=rows, status=status, statuses=NOTICE_STATUS_NAMES,
                           words=COUNTER_WORDS)
