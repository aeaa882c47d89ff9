"""Counter staff: per-attachment document pages. Upload a scan (or take it with the document camera), see the
normalised image, every check, what was read against what was typed, and accept (with a written override
reason when a check failed) or reject.

Uploads run `kiosk.documents.inspect.inspect_document`; the original bytes and the normalised JPEG go to the
blob store (encrypted for ID and licence scans) and a new Attachment row supersedes the previous one. Any
error (bad file, failed check run, storage) leaves the case unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

import cv2
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from kiosk.archive.store import record_blob
from kiosk.documents.inspect import DocumentReport, inspect_document
from kiosk.documents.kinds import KINDS, kind_spec
from kiosk.models import Attachment, AuditEvent, Case, CheckResultRow
from kiosk.text import KioskError, Text
from kiosk.workflow import ATTACHMENT_NAMES, GB11643_ID_TYPES, AttachmentKind, State, SubjectType
from web import services
from web.auth import current_user, role_required
from web.db import get_session

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)
STAFF_ROLES = ("staff", "admin")
# Documents may change while the case is being prepared or corrected, not once it has moved on.
EDITABLE_STATES = frozenset({State.DRAFT, State.ONSITE, State.RETURNED_FOR_CORRECTION, State.RETURNED_BY_ADMINISTRATION})
MAX_REASON = 1000
FIELD_LABELS: dict[str, Text] = {
    "name": Text("姓名", "Name"),
    "id_number": Text("身份证号码", "ID number"),
    "birth_date": Text("出生日期", "Birth date"),
    "expiry": Text("有效期至", "Valid until"),
    "authority": Text("签发机关", "Issued by"),
    "credit_code": Text("统一社会信用代码", "Credit code"),
    "subject_name": Text("名称", "Name of the subject"),
    "domains": Text("域名", "Domains"),
    "domain": Text("域名", "Domain"),
}
PERSON_ROLES = {"principal": ("principal_id_front", "principal_id_back"), "website_leader": ("leader_id_front", "leader_id_back")}


def _load(session: Session, case_id: int, kind: str) -> tuple[Case, str]:
    case = session.get(Case, case_id)
    if case is None or kind not in KINDS:
        abort(404)
    return case, kind


def _editable(case: Case) -> bool:
    return case.state in {s.value for s in EDITABLE_STATES}


def _require_editable(case: Case) -> None:
    if not _editable(case):
        raise KioskError(
            "documents_locked",
            Text("案件当前状态不能更改材料", "Documents cannot be changed in the case's current state"),
            status=409,
        )


def expected_values(case: Case, kind: str) -> dict[str, Any]:
    """What staff typed into the case that a document of `kind` should show."""
    out: dict[str, Any] = {}
    for role, kinds in PERSON_ROLES.items():
        if kind in kinds:
            person = case.person(role) or (case.person("principal") if case.subject_type == SubjectType.INDIVIDUAL else None)
            if person is not None and person.id_type in GB11643_ID_TYPES:
                out.update(name=person.name, id_number=person.id_number)
    if kind == "subject_certificate":
        out["subject_name"] = case.subject_name
        if case.subject_cert_type == "credit_code":
            out["credit_code"] = case.subject_cert_number
    if kind in ("verification_sheet", "domain_certificate"):
        out["domain"] = [w.domain for w in case.websites]
    if kind == "verification_sheet":
        out["require_seal"] = case.subject_type != SubjectType.INDIVIDUAL
    return out


def current(case: Case, kind: str) -> Attachment | None:
    rows = [a for a in case.attachments if a.kind == kind and a.status != "superseded"]
    return rows[-1] if rows else None


def _store_report(session: Session, case: Case, kind: str, report: DocumentReport, data: bytes, filename: str,
                  media_type: str) -> Attachment:
    """Blobs first (content-addressed, harmless if the transaction later fails), then the rows."""
    store = services.blob_store()
    spec = kind_spec(kind)
    original = store.put(data, encrypt=spec.encrypt, media_type=media_type)
    normalised = store.put(report.normalised_jpeg, encrypt=spec.encrypt, media_type="image/jpeg")
    record_blob(session, original)
    record_blob(session, normalised)
    for old in case.attachments:
        if old.kind == kind and old.status != "superseded":
            old.status = "superseded"
    readings = {k: v for k, v in report.as_dict()["readings"].items() if k not in ("front_keywords", "back_keywords")}
    att = Attachment(
        case=case, kind=kind, status="checked", filename=filename[:255], media_type=media_type,
        original_sha256=original.sha256, original_size=original.size, normalised_sha256=normalised.sha256,
        encrypted=spec.encrypt, passed=report.passed, checks=[r.as_dict() for r in report.results],
        readings={"values": readings, "mismatches": list(report.as_dict()["mismatches"]),
                  "lines": [line.as_dict() for line in report.lines], "size": [report.width, report.height]},
        uploaded_by_id=current_user().id,
    )
    session.add(att)
    session.flush()
    for pos, r in enumerate(report.results):
        session.add(CheckResultRow(
            attachment_id=att.id, position=pos, code=r.code, status=r.status,
            value=float(r.value) if r.value is not None else None,
            threshold=None if r.threshold is None else str(r.threshold)[:64], reason=r.reason[:64],
            message_zh=r.message.zh[:200], message_en=r.message.en[:200],
        ))
    return att


def _page(case: Case, kind: str, error: KioskError | None = None, status: int = 200) -> Any:
    att = current(case, kind)
    history = [a for a in case.attachments if a.kind == kind and a is not att]
    name = ATTACHMENT_NAMES.get(AttachmentKind(kind), kind_spec(kind).name)
    return render_template(
        "documents/attachment.html", case=case, kind=kind, name=name, att=att, history=history[::-1],
        expected=expected_values(case, kind), editable=_editable(case), error=error, labels=FIELD_LABELS,
        camera=bool(current_app.config.get("DOCUMENT_CAMERA") or current_app.config.get("DOCUMENT_CAMERA_FACTORY")),
    ), status


@bp.get("/cases/<int:case_id>/documents/<kind>")
@role_required(*STAFF_ROLES)
def attachment(case_id: int, kind: str) -> Any:
    case, kind = _load(get_session(), case_id, kind)
    return _page(case, kind)


def _process(case_id: int, kind: str, data: bytes, filename: str) -> Any:
    session = get_session()
    case, kind = _load(session, case_id, kind)
    try:
        _require_editable(case)
        report = inspect_document(kind, data, filename, expected_values(case, kind))
        from kiosk.documents.intake import sniff_media_type

        media_type = sniff_media_type(data) or "application/octet-stream"
        att = _store_report(session, case, kind, report, data, filename, media_type)
        other = report.other_side
        if other is not None and other.kind in KINDS:
            _store_report(session, case, other.kind, other, data, filename, media_type)
        session.commit()
    except KioskError as err:
        session.rollback()
        session.expire_all()
        log.info("document upload refused for case %s %s: %s", case_id, kind, err.code)
        return _page(session.get(Case, case_id), kind, error=err, status=err.status)
    except Exception:
        session.rollback()
        log.exception("document upload failed for case %s %s", case_id, kind)
        raise
    if report.other_side is not None:
        flash(("同一页上的另一面也已识别并保存", "The other side on the same sheet was read and saved too"))
    if att.passed:
        flash(("检查全部通过，请核对原件后确认", "Every check passed: compare with the original and accept"))
    else:
        flash(("有检查未通过，请查看原因", "Some checks failed: see why below"), "error")
    return redirect(url_for("documents.attachment", case_id=case_id, kind=kind)), 303


@bp.post("/cases/<int:case_id>/documents/<kind>")
@role_required(*STAFF_ROLES)
def upload(case_id: int, kind: str) -> Any:
    file = request.files.get("file")
    if file is None or not file.filename:
        session = get_session()
        case, kind = _load(session, case_id, kind)
        err = KioskError("upload_missing", Text("请选择要上传的文件", "Choose a file to upload"))
        return _page(case, kind, error=err, status=400)
    try:
        data = file.read()
    finally:
        file.close()  # large uploads are spooled to a temporary file
    return _process(case_id, kind, data, file.filename)


def _camera_frame() -> bytes:
    """One frame from the document camera (DOCUMENT_CAMERA_FACTORY or capture.open_source(DOCUMENT_CAMERA))."""
    factory = current_app.config.get("DOCUMENT_CAMERA_FACTORY")
    if factory is None:
        spec = current_app.config.get("DOCUMENT_CAMERA")
        if not spec:
            raise KioskError("document_camera_missing", Text("未配置文档摄像头", "No document camera is configured"), 503)
        from capture import open_source

        camera = open_source(spec)
    else:
        camera = factory()
    camera.open()
    try:
        frame = None
        for _ in range(5):  # let exposure settle; keep the last good frame
            got = camera.read()
            if got is not None:
                frame = got
        if frame is None:
            raise KioskError("document_camera_no_frame", Text("文档摄像头没有画面", "The document camera gave no picture"), 503)
    finally:
        camera.close()
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise KioskError("document_camera_no_frame", Text("文档摄像头没有画面", "The document camera gave no picture"), 503)
    return buf.tobytes()


@bp.post("/cases/<int:case_id>/documents/<kind>/capture")
@role_required(*STAFF_ROLES)
def capture(case_id: int, kind: str) -> Any:
    try:
        data = _camera_frame()
    except KioskError as err:
        session = get_session()
        case, kind = _load(session, case_id, kind)
        return _page(case, kind, error=err, status=err.status)
    return _process(case_id, kind, data, "document-camera.jpg")


def _attachment_row(session: Session, case_id: int, kind: str, att_id: int) -> tuple[Case, Attachment]:
    case, kind = _load(session, case_id, kind)
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
    decision = request.form.get("decision", "")
    reason = (request.form.get("reason") or "").strip()
    try:
        _require_editable(case)
        if att.status == "superseded":
            raise KioskError("attachment_superseded", Text("该文件已被新上传的文件取代", "A newer upload replaced this file"), 409)
        if decision == "accept":
            if not att.passed and not reason:
                raise KioskError("override_reason_required",
                                 Text("有检查未通过：接受前必须填写原因", "Some checks failed: write a reason to accept anyway"))
            if len(reason) > MAX_REASON:
                raise KioskError("reason_too_long", Text("原因过长", "The reason is too long"))
            att.status = "accepted"
            if not att.passed:
                att.override_reason = reason
                att.override_by_id = current_user().id
                failed = [c["code"] for c in att.checks if not c.get("passed")]
                session.add(AuditEvent(actor_id=current_user().id, action="attachment_override",
                                       target=f"attachment:{att.id}",
                                       detail={"case": case.number, "kind": kind, "failed": failed, "reason": reason},
                                       remote_addr=request.remote_addr or ""))
        elif decision == "reject":
            att.status = "rejected"
        else:
            raise KioskError("bad_decision", Text("无效的操作", "Unknown decision"))
        session.commit()
    except KioskError as err:
        session.rollback()
        session.expire_all()
        return _page(session.get(Case, case_id), kind, error=err, status=err.status)
    flash(("已确认", "Accepted") if att.status == "accepted" else ("已退回", "Rejected"))
    return redirect(url_for("documents.attachment", case_id=case_id, kind=kind)), 303


@bp.get("/cases/<int:case_id>/documents/<kind>/<int:att_id>/<which>")
@role_required(*STAFF_ROLES)
def image(case_id: int, kind: str, att_id: int, which: str) -> Any:
    """The normalised JPEG or the original upload, decrypted for staff; never cached."""
    session = get_session()
    _case, att = _attachment_row(session, case_id, kind, att_id)
    if which == "normalised" and att.normalised_sha256:
        sha, media_type = att.normalised_sha256, "image/jpeg"
    elif which == "original":
        sha, media_type = att.original_sha256, att.media_type or "application/octet-stream"
    else:
        abort(404)
    data = services.blob_store().get(sha)
    headers = {"Cache-Control": "no-store", "Content-Type": media_type}
    if which == "original":
        headers["Content-Disposition"] = f'attachment; filename="attachment-{att.id}-original"'
    return data, 200, headers
