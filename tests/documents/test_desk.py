"""The counter's document steps (kiosk.documents.desk) without Flask: a scan is checked, read and stored as the
case's attachment, superseding the previous one; staff accept it (a failed check needs a written reason, which
is audited) or reject it; nothing changes once the case has moved on. OCR is the canned engine."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from kiosk import cases
from kiosk.approvals import ApprovalAction
from kiosk.documents import desk
from kiosk.documents import specimens as S
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.models import Approval, Attachment, AttachmentStatus, AuditEvent, Case, CheckResultRow, User
from kiosk.text import KioskError
from tests.conftest import ENTERPRISE_FORM
from tests.documents.canned_ocr import CannedOcr

PRINCIPAL = S.Person("张三", "11010519491231002X")


@pytest.fixture(scope="module")
def front_card():
    return S.id_card_front(PRINCIPAL)


@pytest.fixture
def desk_case(core, front_card):
    checker = desk.DocumentChecker.from_settings(core.settings, engine=CannedOcr(S.printed_lines(front_card)))
    with core.db.session() as s:
        form = {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}
        case = cases.create_case(s, cases.validate_case_input(form), s.get(User, core.users["staff"]))
        cases.move_case(s, case, "start_verification", s.get(User, core.users["staff"]))
        return checker, case.id


def take_in(core, checker, case_id: int, data: bytes) -> int:
    with core.db.session() as s:
        intake = desk.take_in(s, core.archive.store, checker, s.get(Case, case_id), "principal_id_front", data,
                              "front.jpg", s.get(User, core.users["staff"]))
        assert intake.other_side is None
        return intake.attachment.id


def test_a_scan_is_checked_read_and_stored(core, desk_case, front_card) -> None:
    checker, case_id = desk_case
    data = S.jpeg_bytes(S.flatbed(front_card))
    att_id = take_in(core, checker, case_id, data)
    with core.db.session() as s:
        att = s.get(Attachment, att_id)
        assert att.status == AttachmentStatus.CHECKED and att.passed and att.encrypted
        assert att.readings["values"]["id_number"] == PRINCIPAL.number and att.readings["mismatches"] == []
        rows = s.scalars(select(CheckResultRow).where(CheckResultRow.attachment_id == att_id)).all()
        assert [r.code for r in rows] == [c["code"] for c in att.checks]
        assert core.archive.store.get(att.original_sha256) == data
    second = take_in(core, checker, case_id, S.jpeg_bytes(S.greyscale(S.flatbed(front_card))))
    with core.db.session() as s:
        assert s.get(Attachment, att_id).status == AttachmentStatus.SUPERSEDED  # kept, replaced
        assert cases.current_attachment(s.get(Case, case_id), "principal_id_front").id == second


def test_accepting_a_failed_scan_needs_a_reason_and_is_audited(core, desk_case, front_card) -> None:
    checker, case_id = desk_case
    att_id = take_in(core, checker, case_id, S.jpeg_bytes(S.greyscale(S.flatbed(front_card))))
    with core.db.session() as s:
        case, att, staff = s.get(Case, case_id), s.get(Attachment, att_id), s.get(User, core.users["staff"])
        assert not att.passed
        with pytest.raises(KioskError) as err:
            desk.decide(s, case, att, desk.Decision.ACCEPT, "  ", staff)
        assert err.value.code == "override_reason_required"
        with pytest.raises(KioskError) as err:
            desk.decide(s, case, att, "maybe", None, staff)
        assert err.value.code == "bad_decision"
        assert desk.decide(s, case, att, desk.Decision.ACCEPT, "原件为彩色", staff, "10.0.0.7") == AttachmentStatus.ACCEPTED
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "attachment_override")).one()
        assert event.detail["failed"] == ["colour"] and event.remote_addr == "10.0.0.7"


def test_documents_are_locked_once_the_case_moved_on(core, desk_case, front_card) -> None:
    checker, case_id = desk_case
    with core.db.session() as s:
        s.get(Case, case_id).state = "awaiting_internal_audit"
    with pytest.raises(KioskError) as err:
        take_in(core, checker, case_id, S.jpeg_bytes(S.flatbed(front_card)))
    assert err.value.code == "documents_locked"
    with core.db.session() as s:
        assert s.scalars(select(Attachment)).all() == []


def test_the_checker_takes_the_profiles_document_thresholds(core, tmp_path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"thresholds": {}, "documents": {"card_min_width_px": 1200}}))
    checker = desk.DocumentChecker.from_settings(dataclasses.replace(core.settings, profile=profile))
    assert checker.thresholds == dataclasses.replace(DocumentThresholds(), card_min_width_px=1200)
    assert desk.DocumentChecker.from_settings(core.settings).thresholds == DocumentThresholds()


def test_the_document_camera_is_a_setting(core) -> None:
    assert desk.camera_factory(core.settings) is None
    with pytest.raises(KioskError) as err:
        desk.read_document_camera(None)
    assert err.value.code == "document_camera_missing" and err.value.status == 503
    missing = desk.camera_factory(dataclasses.replace(core.settings, document_camera="/nonexistent/camera.mp4"))
    with pytest.raises(KioskError) as err:
        desk.read_document_camera(missing)
    assert err.value.code == "camera_source_unknown" and err.value.text.zh  # the camera's own words


def test_overriding_a_failed_identity_check_needs_a_second_user(core, desk_case) -> None:
    """An ID number with a wrong check digit: accepting it needs a written reason and a supervisor's approval."""
    checker, case_id = desk_case
    wrong = S.id_card_front(S.Person("张三", "110105194912310021"))
    checker = desk.DocumentChecker.from_settings(core.settings, engine=CannedOcr(S.printed_lines(wrong)))
    att_id = take_in(core, checker, case_id, S.jpeg_bytes(S.flatbed(wrong)))
    with core.db.session() as s:
        case, att = s.get(Case, case_id), s.get(Attachment, att_id)
        staff, supervisor = s.get(User, core.users["staff"]), s.get(User, core.users["supervisor"])
        needed = desk.approvals_needed(att)
        assert "id_number" in needed[ApprovalAction.OVERRIDE_IDENTITY_CHECK]
        with pytest.raises(KioskError) as err:
            desk.decide(s, case, att, desk.Decision.ACCEPT, "已核对原件", staff)
        assert err.value.code == "approval_required" and err.value.status == 403
        with pytest.raises(KioskError) as err:
            desk.decide(s, case, att, desk.Decision.ACCEPT, "已核对原件", staff, approver=staff)
        assert err.value.code == "approval_same_person"
        s.rollback()
    with core.db.session() as s:
        case, att = s.get(Case, case_id), s.get(Attachment, att_id)
        staff, supervisor = s.get(User, core.users["staff"]), s.get(User, core.users["supervisor"])
        assert att.status == AttachmentStatus.CHECKED and s.scalars(select(Approval)).all() == []
        desk.decide(s, case, att, desk.Decision.ACCEPT, "已核对原件", staff, approver=supervisor)
        assert att.status == AttachmentStatus.ACCEPTED
        approvals = {a.action: a for a in s.scalars(select(Approval))}
        identity = approvals[ApprovalAction.OVERRIDE_IDENTITY_CHECK]
        assert identity.target == f"attachment:{att_id}" and identity.approved_by_id == supervisor.id
        assert identity.requested_by_id == staff.id and "id_number" in identity.detail["checks"]
