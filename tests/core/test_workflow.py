"""Workflow rules: required attachments per subject type and province, SMS pilots, states and moves."""

import pytest

from kiosk.text import KioskError
from kiosk.workflow import (
    DOMAIN_CERTIFICATE_PROVINCES,
    MOVES,
    PROVINCES,
    SMS_PILOT_PROVINCES,
    AttachmentKind,
    State,
    SubjectType,
    find_move,
    moves_from,
    required_attachments,
)

K = AttachmentKind


def kinds(subject, province):
    return [r.kind for r in required_attachments(subject, province)]


def test_enterprise_in_beijing():
    assert kinds("enterprise", "beijing") == [
        K.SUBJECT_CERTIFICATE, K.PRINCIPAL_ID_FRONT, K.PRINCIPAL_ID_BACK, K.LEADER_ID_FRONT, K.LEADER_ID_BACK,
        K.VERIFICATION_PHOTO, K.VERIFICATION_SHEET,
    ]


@pytest.mark.parametrize("province", sorted(PROVINCES))
@pytest.mark.parametrize("subject", [s.value for s in SubjectType])
def test_domain_certificate_only_in_its_provinces(subject, province):
    has_domain_cert = K.DOMAIN_CERTIFICATE in kinds(subject, province)
    assert has_domain_cert == (province in DOMAIN_CERTIFICATE_PROVINCES)
    assert K.VERIFICATION_PHOTO in kinds(subject, province)
    assert K.VERIFICATION_SHEET in kinds(subject, province)


def test_domain_certificate_provinces_exactly():
    assert DOMAIN_CERTIFICATE_PROVINCES == {"jiangsu", "hunan", "shaanxi", "fujian", "xinjiang", "jilin", "yunnan", "shanghai"}


def test_individual_needs_no_licence_nor_leader_id():
    k = kinds("individual", "beijing")
    assert K.SUBJECT_CERTIFICATE not in k and K.LEADER_ID_FRONT not in k
    assert k[:3] == [K.PRINCIPAL_ID_FRONT, K.PRINCIPAL_ID_BACK, K.VERIFICATION_PHOTO]


@pytest.mark.parametrize("province, fingerprint", [("jiangxi", True), ("xinjiang", True), ("beijing", False), ("jiangsu", False)])
def test_fingerprint_on_sheet_for_individuals(province, fingerprint):
    sheet = next(r for r in required_attachments("individual", province) if r.kind is K.VERIFICATION_SHEET)
    assert ("手印" in sheet.note.zh) == fingerprint
    org_sheet = next(r for r in required_attachments("enterprise", province) if r.kind is K.VERIFICATION_SHEET)
    assert "手印" not in org_sheet.note.zh


def test_sms_pilot_provinces():
    assert len(SMS_PILOT_PROVINCES) == 22
    assert SMS_PILOT_PROVINCES <= set(PROVINCES)
    assert "beijing" not in SMS_PILOT_PROVINCES and "zhejiang" in SMS_PILOT_PROVINCES


def test_unknown_subject_or_province_refused():
    with pytest.raises(KioskError) as err:
        required_attachments("company", "beijing")
    assert err.value.code == "unknown_subject_type"
    with pytest.raises(KioskError) as err:
        required_attachments("enterprise", "atlantis")
    assert err.value.code == "unknown_province"


def test_31_provinces_with_unique_abbreviations():
    assert len(PROVINCES) == 31
    assert len({p.abbr for p in PROVINCES.values()}) == 31


def test_every_state_reachable_from_draft():
    seen, frontier = {State.DRAFT}, [State.DRAFT]
    while frontier:
        state = frontier.pop()
        for province in ("beijing", "zhejiang"):
            for move in moves_from(state, province):
                if move.target not in seen:
                    seen.add(move.target)
                    frontier.append(move.target)
    assert seen == set(State)


def test_withdraw_from_audit_back_to_draft():
    move = find_move(State.AWAITING_AUDIT, "withdraw", "beijing")
    assert move.target is State.DRAFT and move.needs_reason


def test_pilot_province_must_pass_sms_step():
    with pytest.raises(KioskError) as err:
        find_move(State.AT_ADMINISTRATION, "approve", "zhejiang")
    assert err.value.code == "illegal_move"
    assert find_move(State.AT_ADMINISTRATION, "await_sms", "zhejiang").target is State.SMS_PENDING
    assert find_move(State.SMS_PENDING, "approve_after_sms", "zhejiang").target is State.APPROVED


def test_non_pilot_has_no_sms_step():
    names = [m.name for m in moves_from(State.AT_ADMINISTRATION, "beijing")]
    assert "await_sms" not in names and "approve" in names


def test_illegal_move_message_names_allowed_moves():
    with pytest.raises(KioskError) as err:
        find_move(State.DRAFT, "approve", "beijing")
    assert "开始当面核验" in err.value.text.zh and "Start on-site verification" in err.value.text.en
    assert err.value.status == 409


def test_approved_is_final():
    assert moves_from(State.APPROVED, "beijing") == []
    assert all(m.source is not State.APPROVED for m in MOVES)
