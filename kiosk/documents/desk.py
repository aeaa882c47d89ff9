"""The counter's document steps: a scan (an upload or a frame of the document camera) is checked and read
(`kiosk.documents.inspect`) and stored as the case's attachment of its kind; staff then accept it (a failed check
needs a written reason, which is audited) or reject it.

Storage: the original bytes and the normalised JPEG go to the evidence blob store (encrypted for ID and licence
scans) and a new Attachment row, with one CheckResultRow per check, supersedes the previous one, which stays
stored. Nothing is changed when a step fails: the functions raise before writing rows, and the caller rolls back.
The attachment is sealed with the rest of the case's evidence when the on-site verification finishes.

`DocumentChecker.from_settings` is the one way to get the thresholds (the profile's "documents" section) and the
OCR engine (`settings.ocr_engine`) from Settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import cv2
from sqlalchemy.orm import Session

from capture import Camera, CameraError, open_source
from kiosk.approvals import ApprovalAction, record_approval
from kiosk.archive.store import BlobStore, record_blob
from kiosk.cases import current_attachment, is_editable
from kiosk.checkresult import CheckStatus
from kiosk.documents.basis import ID_CARD_KINDS, changed_fields, expected_values, snapshot
from kiosk.documents.inspect import DocumentReport, inspect_document, recheck_document, stored_lines
from kiosk.documents.intake import sniff_media_type
from kiosk.documents.kinds import KINDS, kind_spec
from kiosk.documents.ocr import OcrEngine, engine_for, get_engine
from kiosk.documents.result import jsonable
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.filenames import safe_filename
from kiosk.models import Attachment, AttachmentStatus, AuditEvent, Case, CheckResultRow, User
from kiosk.settings import Settings
from kiosk.text import KioskError, Text
from kiosk.validators import MAX_REASON

# What the pages call each reading.
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
# Readings kept with the attachment (the side keywords only decide which side a card is).
HIDDEN_READINGS = ("front_keywords", "back_keywords")


def is_document_kind(kind: str) -> bool:
    return kind in KINDS


def documents_editable(case: Case) -> bool:
    """Documents may change while the case is prepared or corrected, not once it has moved on."""
    return is_editable(case)


def require_editable(case: Case) -> None:
    if not documents_editable(case):
        raise KioskError(
            "documents_locked",
            Text("案件当前状态不能更改材料", "Documents cannot be changed in the case's current state"),
            status=409,
        )


def earlier_attachments(case: Case, kind: str) -> list[Attachment]:
    """The case's other attachments of `kind` (superseded or decided before), newest first."""
    now = current_attachment(case, kind)
    return [a for a in reversed(case.attachments) if a.kind == kind and a is not now]


@dataclass(frozen=True)
class DocumentChecker:
    """Checks and reads scans with the kiosk's thresholds and OCR engine (made on first use: it loads models)."""

    thresholds: DocumentThresholds = field(default_factory=DocumentThresholds)
    engine: Callable[[], OcrEngine] = get_engine

    @classmethod
    def from_settings(cls, settings: Settings, engine: OcrEngine | None = None) -> DocumentChecker:
        """Thresholds from the profile's "documents" section (defaults without a profile), the OCR engine of
        `settings` (or `engine`, e.g. a fake in tests)."""
        thresholds = DocumentThresholds.from_profile(settings.profile) if settings.profile else DocumentThresholds()
        return cls(thresholds, (lambda: engine) if engine is not None else (lambda: engine_for(settings)))

    def inspect(self, kind: str, data: bytes, filename: str, expected: dict[str, Any]) -> DocumentReport:
        return inspect_document(kind, data, filename, expected, thresholds=self.thresholds, engine=self.engine())


@dataclass(frozen=True)
class Intake:
    """The stored attachment, and the card's other side when one sheet held both."""

    attachment: Attachment
    other_side: Attachment | None = None


def take_in(session: Session, store: BlobStore, checker: DocumentChecker, case: Case, kind: str, data: bytes,
            filename: str, actor: User) -> Intake:
    """Check, read and store one scan as `case`'s attachment of `kind` (see the module docstring). Raises
    KioskError for a case whose documents are locked or an unusable upload; the caller commits."""
    require_editable(case)
    filename = safe_filename(filename)
    report = checker.inspect(kind, data, filename, expected_values(case, kind))
    media_type = sniff_media_type(data) or "application/octet-stream"
    att = store_report(session, store, case, kind, report, data, filename, media_type, actor)
    other = report.other_side
    other_att = None
    if other is not None and other.kind in KINDS:
        other_att = store_report(session, store, case, other.kind, other, data, filename, media_type, actor)
    return Intake(att, other_att)


def store_report(session: Session, store: BlobStore, case: Case, kind: str, report: DocumentReport, data: bytes,
                 filename: str, media_type: str, actor: User) -> Attachment:
    """Blobs first (content-addressed, harmless if the transaction later fails), then the rows."""
    spec = kind_spec(kind)
    original = store.put(data, encrypt=spec.encrypt, media_type=media_type)
    normalised = store.put(report.normalised_jpeg, encrypt=spec.encrypt, media_type="image/jpeg")
    record_blob(session, original)
    record_blob(session, normalised)
    for old in case.attachments:
        if old.kind == kind and old.status != AttachmentStatus.SUPERSEDED:
            old.status = AttachmentStatus.SUPERSEDED
    summary = report.as_dict()
    readings = {k: v for k, v in summary["readings"].items() if k not in HIDDEN_READINGS}
    checks = [r.as_dict() for r in report.results]
    att = Attachment(
        case=case, kind=kind, status=AttachmentStatus.CHECKED, filename=filename[:255], media_type=media_type,
        original_sha256=original.sha256, original_size=original.size, normalised_sha256=normalised.sha256,
        encrypted=spec.encrypt, passed=report.passed, checks=checks,
        readings={"values": readings, "mismatches": list(summary["mismatches"]),
                  "lines": [line.as_dict() for line in report.lines], "size": [report.width, report.height],
                  "original_px": list(report.original_px), "appended_bytes": report.appended_bytes},
        uploaded_by_id=actor.id, checked_against=snapshot(expected_values(case, kind)),
    )
    session.add(att)
    session.flush()
    for position, result in enumerate(checks):
        session.add(CheckResultRow.from_result(position, result, attachment_id=att.id))
    return att


class Decision(StrEnum):
    """What staff decide on an attachment (the form's `decision` field)."""

    ACCEPT = "accept"
    REJECT = "reject"


# Failed checks of an ID card that only a second user may override (four eyes, kiosk.approvals).
IDENTITY_CHECKS = frozenset({"side", "id_number", "validity"})
ID_CARD_DOCUMENT_KINDS = frozenset(kind for kinds in ID_CARD_KINDS.values() for kind in kinds)


def approvals_needed(att: Attachment) -> dict[ApprovalAction, list[str]]:
    """The second-user approvals accepting `att` needs, with the failed checks each covers: a failed identity check
    of an ID card (side, ID number, validity) needs OVERRIDE_IDENTITY_CHECK; what was read differing from what was
    typed (case_match) needs ACCEPT_ID_MISMATCH. Uncertain readings (to confirm by eye) need none."""
    if att.kind not in ID_CARD_DOCUMENT_KINDS:
        return {}
    failed = [c["code"] for c in att.checks if c.get("status") == CheckStatus.FAIL]
    needed = {ApprovalAction.OVERRIDE_IDENTITY_CHECK: [c for c in failed if c in IDENTITY_CHECKS],
              ApprovalAction.ACCEPT_ID_MISMATCH: [c for c in failed if c == "case_match"]}
    return {action: codes for action, codes in needed.items() if codes}


def _second_approvals(session: Session, case: Case, att: Attachment, actor: User, approver: User | None, reason: str,
                      remote_addr: str) -> None:
    needed = approvals_needed(att)
    if not needed:
        return
    if approver is None:
        names = "、".join(c for codes in needed.values() for c in codes)
        raise KioskError("approval_required", Text(
            f"身份核验未通过（{names}）：须由另一位主管或管理员输入本人账号和密码核准",
            f"Identity checks failed ({names}): a supervisor or an admin other than you must approve with their own "
            "user name and password"), status=403)
    for action, codes in needed.items():
        record_approval(session, case=case, action=action, target=f"attachment:{att.id}", requested_by=actor,
                        approved_by=approver, reason=reason, detail={"kind": att.kind, "checks": codes},
                        remote_addr=remote_addr)


def decide(session: Session, case: Case, att: Attachment, decision: str, reason: str | None, actor: User,
           remote_addr: str = "", approver: User | None = None) -> AttachmentStatus:
    """Staff accept or reject the current attachment. Accepting one whose checks failed needs a written reason,
    kept with the attachment and in an audit event; a failed identity check of an ID card also needs a second
    user (`approver`, see `approvals_needed`). Returns the new status; KioskError when refused."""
    require_editable(case)
    if att.status == AttachmentStatus.SUPERSEDED:
        raise KioskError("attachment_superseded", Text("该文件已被新上传的文件取代", "A newer upload replaced this file"), 409)
    reason = (reason or "").strip()
    if decision == Decision.ACCEPT and changed_fields(case, att):
        raise KioskError("checks_stale", Text("录入信息已修改：请先重新核验该文件", "The typed data changed: re-check this file first"), 409)
    if decision == Decision.ACCEPT:
        if not att.passed and not reason:
            raise KioskError("override_reason_required",
                             Text("有检查未通过：接受前必须填写原因", "Some checks failed: write a reason to accept anyway"))
        if len(reason) > MAX_REASON:
            raise KioskError("reason_too_long", Text("原因过长", "The reason is too long"))
        if not att.passed:
            _second_approvals(session, case, att, actor, approver, reason, remote_addr)
        att.status = AttachmentStatus.ACCEPTED
        if not att.passed:
            att.override_reason = reason
            att.override_by_id = actor.id
            failed = [c["code"] for c in att.checks if not c.get("passed")]
            session.add(AuditEvent(actor_id=actor.id, action="attachment_override", target=f"attachment:{att.id}",
                                   detail={"case": case.number, "kind": att.kind, "failed": failed, "reason": reason},
                                   remote_addr=remote_addr))
    elif decision == Decision.REJECT:
        att.status = AttachmentStatus.REJECTED
    else:
        raise KioskError("bad_decision", Text("无效的操作", "Unknown decision"))
    return AttachmentStatus(att.status)


def recheck(session: Session, store: BlobStore, checker: DocumentChecker, case: Case, att: Attachment, actor: User,
            remote_addr: str = "") -> Attachment:
    """Check the current attachment again against the case as typed now (kiosk.documents.basis: after an edit made
    it stale). The checks that compare with typed data run again on the stored normalised copy and its OCR lines
    (kiosk.documents.inspect.recheck_document); the result is a new attachment row over the same stored files,
    waiting for staff to decide again, that supersedes `att` (which stays as it was, like everything sealed).
    Logged as an `attachment_rechecked` audit event with the changed fields and both verdicts."""
    require_editable(case)
    if att.status == AttachmentStatus.SUPERSEDED:
        raise KioskError("attachment_superseded", Text("该文件已被新上传的文件取代", "A newer upload replaced this file"), 409)
    if not att.normalised_sha256:
        raise KioskError("recheck_no_copy", Text("该文件没有规范化图像，请重新上传", "This file has no normalised copy: upload it again"), 409)
    changed = changed_fields(case, att)
    expected = expected_values(case, att.kind)
    result = recheck_document(att.kind, store.get(att.normalised_sha256), stored_lines(att.readings.get("lines", [])),
                              expected, list(att.checks), thresholds=checker.thresholds)
    att.status = AttachmentStatus.SUPERSEDED
    readings = {k: v for k, v in jsonable(result.readings).items() if k not in HIDDEN_READINGS}
    new = Attachment(
        case=case, kind=att.kind, status=AttachmentStatus.CHECKED, filename=att.filename, media_type=att.media_type,
        original_sha256=att.original_sha256, original_size=att.original_size, normalised_sha256=att.normalised_sha256,
        encrypted=att.encrypted, passed=result.passed, checks=list(result.checks),
        readings={**att.readings, "values": readings, "mismatches": jsonable(list(result.mismatches))},
        uploaded_by_id=att.uploaded_by_id, checked_against=snapshot(expected),
    )
    session.add(new)
    session.flush()
    for position, check in enumerate(new.checks):
        session.add(CheckResultRow.from_result(position, check, attachment_id=new.id))
    session.add(AuditEvent(actor_id=actor.id, action="attachment_rechecked", target=f"attachment:{new.id}",
                           detail={"case": case.number, "kind": att.kind, "previous": att.id, "changed": changed,
                                   "passed_before": att.passed, "passed": new.passed,
                                   "failed": [c["code"] for c in new.checks if not c.get("passed")]},
                           remote_addr=remote_addr))
    return new


# ---------------------------------------------------------------- the document camera

def camera_factory(settings: Settings) -> Callable[[], Camera] | None:
    """Opens the document camera of settings.document_camera; None when the kiosk has none."""
    spec = settings.document_camera
    return (lambda: open_source(spec)) if spec else None


def read_document_camera(open_camera: Callable[[], Camera] | None) -> bytes:
    """One still from the document camera as a JPEG: a few frames are read so the exposure settles. Raises
    KioskError when there is no document camera (503), it cannot be opened or gives no picture."""
    if open_camera is None:
        raise KioskError("document_camera_missing", Text("未配置文档摄像头", "No document camera is configured"), 503)
    no_picture = KioskError("document_camera_no_frame", Text("文档摄像头没有画面", "The document camera gave no picture"), 503)
    try:
        camera = open_camera()
        camera.open()
    except CameraError as exc:
        raise KioskError(exc.code, Text(exc.text.zh, exc.text.en), exc.status) from exc
    try:
        frame = None
        for _ in range(5):  # let exposure settle; keep the last good frame
            got = camera.read()
            if got is not None:
                frame = got
        if frame is None:
            raise no_picture
    finally:
        camera.close()
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise no_picture
    return buf.tobytes()

