"""Counter staff: per-attachment document pages. Upload a scan (or take it with the document camera), see the
normalised image, every check, what was read against what was typed, and accept (with a written override
reason when a check failed) or reject. The steps are kiosk.documents.desk's; any error (bad file, failed check
run, storage) leaves the case unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from capture import Camera
from kiosk.approvals import ACTION_NAMES, second_user
from kiosk.cases import current_attachment
from kiosk.documents import basis, desk
from kiosk.documents.kinds import kind_spec
from kiosk.models import Attachment, AttachmentStatus, Case
from kiosk.roles import STAFF_ROLES
from kiosk.text import KioskError, Text
from kiosk.workflow import ATTACHMENT_NAMES, AttachmentKind
from web.auth import current_user, role_required
from web.db import get_session
from web.evidence import evidence_read
from web.services import get_archive, get_settings

log = logging.getLogger(__name__)
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
bp = Blueprint("documents", __name__)


def checker() -> desk.DocumentChecker:
    """The app's document checker (thresholds and OCR engine from Settings; a test's OCR_ENGINE if given)."""
    found = current_app.extensions.get("kiosk.document_checker")
    if found is None:
        found = current_app.extensions["kiosk.document_checker"] = desk.DocumentChecker.from_settings(
            get_settings(), engine=current_app.config.get("OCR_ENGINE"))
    return found


def document_camera() -> Callable[[], Camera] | None:
    """Opens the document camera (a test's DOCUMENT_CAMERA_FACTORY, else settings.document_camera); None if none."""
    return current_app.config.get("DOCUMENT_CAMERA_FACTORY") or desk.camera_factory(get_settings())


def _load(session: Session, case_id: int, kind: str) -> Case:
    case = session.get(Case, case_id)
    if case is None or not desk.is_document_kind(kind):
        abort(404)
    return case


def _page(case: Case, kind: str, error: KioskError | None = None, status: int = 200) -> Any:
    name = ATTACHMENT_NAMES.get(AttachmentKind(kind), kind_spec(kind).name)
    return render_template(
        "documents/attachment.html", case=case, kind=kind, name=name, att=current_attachment(case, kind),
        history=desk.earlier_attachments(case, kind), expected=desk.expected_values(case, kind),
        editable=desk.documents_editable(case), error=error, labels=desk.FIELD_LABELS,
        camera=document_camera() is not None, approvals=_approvals_needed(case, kind), stale=_stale(case, kind),
    ), status


def _stale(case: Case, kind: str) -> basis.StaleDocument | None:
    att = current_attachment(case, kind)
    fields = basis.changed_fields(case, att) if att is not None else []
    return basis.StaleDocument(att, fields) if att is not None and fields else None


def _approvals_needed(case: Case, kind: str) -> list[Text]:
    att = current_attachment(case, kind)
    return [ACTION_NAMES[action] for action in desk.approvals_needed(att)] if att is not None and not att.passed else []


def _refused(session: Session, case_id: int, kind: str, err: KioskError) -> Any:
    session.rollback()
    session.expire_all()
    return _page(_load(session, case_id, kind), kind, error=err, status=err.status)


@bp.get("/cases/<int:case_id>/documents/<kind>")
@evidence_read("view", lambda kw: f"case_id:{kw['case_id']}")
@role_required(*STAFF_ROLES)
def attachment(case_id: int, kind: str) -> Any:
    return _page(_load(get_session(), case_id, kind), kind)


def _take_in(case_id: int, kind: str, data: bytes, filename: str) -> Any:
    session = get_session()
    case = _load(session, case_id, kind)
    try:
        intake = desk.take_in(session, get_archive().store, checker(), case, kind, data, filename, current_user())
        session.commit()
    except KioskError as err:
        log.info("document upload refused for case %s %s: %s", case_id, kind, err.code)
        return _refused(session, case_id, kind, err)
    except Exception:
        session.rollback()
        log.exception("document upload failed for case %s %s", case_id, kind)
        raise
    if intake.other_side is not None:
        flash(("同一页上的另一面也已识别并保存", "The other side on the same sheet was read and saved too"))
    if intake.attachment.passed:
        flash(("检查全部通过，请核对原件后确认", "Every check passed: compare with the original and accept"))
    else:
        flash(("有检查未通过，请查看原因", "Some checks failed: see why below"), "error")
    return redirect(url_for("documents.attachment", case_id=case_id, kind=kind)), 303


@bp.post("/cases/<int:case_id>/documents/<kind>")
@evidence_read("view", lambda kw: f"case_id:{kw['case_id']}")
@role_required(*STAFF_ROLES)
def upload(case_id: int, kind: str) -> Any:
    file = request.files.get("file")
    if file is None or not file.filename:
        case = _load(get_session(), case_id, kind)
        err = KioskError("upload_missing", Text("请选择要上传的文件", "Choose a file to upload"))
        return _page(case, kind, error=err, status=400)
    try:
        data = file.read()
    finally:
        file.close()  # large uploads are spooled to a temporary file
    return _take_in(case_id, kind, data, file.filename)


@bp.post("/cases/<int:case_id>/documents/<kind>/capture")
@evidence_read("view", lambda kw: f"case_id:{kw['case_id']}")
@role_required(*STAFF_ROLES)
def capture(case_id: int, kind: str) -> Any:
    try:
        data = desk.read_document_camera(document_camera())
    except KioskError as err:
        return _page(_load(get_session(), case_id, kind), kind, error=err, status=err.status)
    return _take_in(case_id, kind, data, "document-camera.jpg")


def _attachment_row(session: Session, case_id: int, kind: str, att_id: int) -> tuple[Case, Attachment]:
    case = _load(session, case_id, kind)
    att = session.get(Attachment, att_id)
    if att is None or att.case_id != case.id or att.kind != kind:
        abort(404)
    return case, att


@bp.post("/cases/<int:case_id>/documents/<kind>/<int:att_id>/decide")
@role_required(*STAFF_ROLES)
def decide(case_id: int, kind: str, att_id: int) -> Any:
    """Accept (a failed document needs a written override reason) or reject the current attachment."""
    session = get_session()
    case, att = _attachment_row(session, case_id, kind, att_id)
    address = request.remote_addr or ""
    approver = None
    if request.form.get("approver"):
        try:
            approver = second_user(session, request.form["approver"], request.form.get("approver_password", ""), address)
        except KioskError as err:
            session.commit()  # keep the failed-login count and its audit event
            return _refused(session, case_id, kind, err)
    try:
        status = desk.decide(session, case, att, request.form.get("decision", ""), request.form.get("reason"),
                             current_user(), address, approver=approver)
        session.commit()
    except KioskError as err:
        return _refused(session, case_id, kind, err)
    flash(("已确认", "Accepted") if status == AttachmentStatus.ACCEPTED else ("已退回", "Rejected"))
    return redirect(url_for("documents.attachment", case_id=case_id, kind=kind)), 303


@bp.post("/cases/<int:case_id>/documents/<kind>/<int:att_id>/recheck")
@role_required(*STAFF_ROLES)
def recheck(case_id: int, kind: str, att_id: int) -> Any:
    """Check the file again against the case as typed now (after an edit made its checks stale); like `decide`,
    logged as an audit event (attachment_rechecked) and answered with a redirect to the page."""
    session = get_session()
    case, att = _attachment_row(session, case_id, kind, att_id)
    try:
        new = desk.recheck(session, get_archive().store, checker(), case, att, current_user(), request.remote_addr or "")
        session.commit()
    except KioskError as err:
        return _refused(session, case_id, kind, err)
    if new.passed:
        flash(("已按当前录入信息重新核验，检查全部通过，请确认", "Re-checked against the case as typed now: every check passed, accept it"))
    else:
        flash(("已按当前录入信息重新核验：有检查未通过，请查看原因", "Re-checked against the case as typed now: some checks failed, see why"), "error")
    return redirect(url_for("documents.attachment", case_id=case_id, kind=kind)), 303


@bp.get("/cases/<int:case_id>/documents/<kind>/<int:att_id>/<which>")
@evidence_read("download", lambda kw: f"attachment:{kw['att_id']}")
@role_required(*STAFF_ROLES)
def image(case_id: int, kind: str, att_id: int, which: str) -> Any:
    """The normalised JPEG or the original upload, decrypted for staff; never cached."""
    _case, att = _attachment_row(get_session(), case_id, kind, att_id)
    if which == "normalised" and att.normalised_sha256:
        sha, media_type = att.normalised_sha256, "image/jpeg"
    elif which == "original":
        sha, media_type = att.original_sha256, att.media_type or "application/octet-stream"
    else:
        abort(404)
    data = get_archive().store.get(sha)
    headers = {"Cache-Control": "no-store", "Content-Type": media_type}
    if which == "original":
        # images open in the browser (never sniffed: nosniff and a fixed image type); anything else is a download
        how = "inline" if media_type in INLINE_IMAGE_TYPES else "attachment"
        headers["Content-Disposition"] = f'{how}; filename="attachment-{att.id}-original"'
    return data, 200, headers
