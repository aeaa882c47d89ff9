"""Counter staff: a kiosk's appointment slots (publish, close), a case's booking (book, reschedule, .ics file) and
its verification sheet (print as PDF, match the uploaded signed scan). The steps are kiosk.appointments.pages'
and kiosk.sheet.service's; a refused step shows its reason and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for

from kiosk.appointments import pages
from kiosk.appointments.slots import close_slot
from kiosk.counter_words import COUNTER_WORDS
from kiosk.roles import STAFF_ROLES
from kiosk.sheet.service import print_sheet
from kiosk.text import KioskError
from web.auth import current_user, role_required
from web.counter import load_case, render_case
from web.db import get_session
from web.services import get_calendar, get_settings

bp = Blueprint("appointments", __name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _slots_page(error: KioskError | None = None, status: int = 200) -> Any:
    kiosk_name = get_settings().kiosk_name
    return render_template("counter/slots.html", slots=pages.upcoming_slots(get_session(), kiosk_name, _now()),
                           kiosk_name=kiosk_name, error=error, form=request.form, words=COUNTER_WORDS), status


@bp.route("/slots", methods=["GET", "POST"])
@role_required(*STAFF_ROLES)
def slots() -> Any:
    if request.method == "GET":
        return _slots_page()
    session = get_session()
    try:
        result = pages.publish_from_form(session, request.form, kiosk_name=get_settings().kiosk_name,
                                         actor=current_user(), calendar=get_calendar(), now=_now())
        session.commit()
    except KioskError as err:
        session.rollback()
        return _slots_page(err, err.status)
    skipped = "、".join(d.isoformat() for d in result.closed_days)
    flash((f"已发布{len(result.created)}个时段，{result.existing}个已存在" + (f"；非工作日未发布：{skipped}" if skipped else ""),
           f"{len(result.created)} slots published, {result.existing} existed already"
           + (f"; non-working days skipped: {skipped}" if skipped else "")))
    return redirect(url_for("appointments.slots")), 303


@bp.post("/slots/<int:slot_id>/close")
@role_required(*STAFF_ROLES)
def close(slot_id: int) -> Any:
    session = get_session()
    try:
        close_slot(session, slot_id, current_user(), _now())
        session.commit()
    except KioskError as err:
        session.rollback()
        flash((err.text.zh, err.text.en), "error")
    else:
        flash(("时段已关闭", "The slot is closed"))
    return redirect(url_for("appointments.slots")), 303


def _booking_step(case_id: int, step: Any, done: tuple[str, str]) -> Any:
    """Run a booking step on the case from the posted form: on success back to the case page, else the case page
    again with the reason and the form's values (nothing changed)."""
    session = get_session()
    case = load_case(session, case_id)
    try:
        step(session, case, request.form, current_user(), now=_now())
        session.commit()
    except KioskError as err:
        session.rollback()
        return render_case(case, err, err.status, dict(request.form))
    flash(done)
    return redirect(url_for("counter.case_page", case_id=case_id) + "#appointment"), 303


@bp.post("/cases/<int:case_id>/appointment")
@role_required(*STAFF_ROLES)
def book(case_id: int) -> Any:
    return _booking_step(case_id, pages.book_from_form, ("已预约", "Booked"))


@bp.post("/cases/<int:case_id>/appointment/reschedule")
@role_required(*STAFF_ROLES)
def reschedule(case_id: int) -> Any:
    return _booking_step(case_id, pages.reschedule_from_form, ("已改约", "Rescheduled"))


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    """An attachment download; a Chinese file name is sent RFC 5987-encoded (with an ASCII fallback)."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename,
                         etag=False, last_modified=None, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cases/<int:case_id>/appointment.ics")
@role_required(*STAFF_ROLES)
def ics(case_id: int) -> Any:
    session = get_session()
    case = load_case(session, case_id)
    try:
        data = pages.case_ics(session, case, provider_name=get_settings().provider_name, now=_now())
    except KioskError as err:
        return render_case(case, err, err.status)
    return _download(data, f"{case.number}.ics", "text/calendar")


@bp.post("/cases/<int:case_id>/sheet")
@role_required(*STAFF_ROLES)
def sheet(case_id: int) -> Any:
    session = get_session()
    case = load_case(session, case_id)
    try:
        printed = print_sheet(session, case, current_user(), provider_name=get_settings().provider_name, now=_now())
        session.commit()
    except KioskError as err:
        session.rollback()
        return render_case(case, err, err.status)
    return _download(printed.pdf, printed.filename, "application/pdf")


@bp.post("/cases/<int:case_id>/sheet/match")
@role_required(*STAFF_ROLES)
def match(case_id: int) -> Any:
    session = get_session()
    case = load_case(session, case_id)
    upload = request.files.get("scan")
    try:
        result = pages.match_uploaded_scan(session, case, upload.read() if upload else b"", current_user(),
                                           provider_name=get_settings().provider_name)
        session.commit()
    except KioskError as err:
        session.rollback()
        return render_case(case, err, err.status)
    where = f"{result.sheet_id} {result.page}/{result.pages}"
    if result.current:
        flash((f"核验单 {where} 与本案件一致，有效", f"Sheet {where} matches this case and is current"))
    else:
        flash(("；".join(p.zh for p in result.problems), "; ".join(p.en for p in result.problems)), "error")
    return redirect(url_for("counter.case_page", case_id=case_id) + "#sheet"), 303
