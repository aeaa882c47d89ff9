"""Filing types as data, tested exhaustively over filing type × subject type × province, and their moves."""

import pytest
from sqlalchemy import select

from kiosk import cases, filing
from kiosk.cases import FormErrors
from kiosk.filing import FILING_RULES, FilingType, OnApproval, RecordRef, required_attachments_for
from kiosk.models import User
from kiosk.text import KioskError
from kiosk.workflow import (
    DOMAIN_CERTIFICATE_PROVINCES,
    FINGERPRINT_PROVINCES_FOR_INDIVIDUALS,
    PROVINCES,
    SMS_PILOT_PROVINCES,
    AttachmentKind,
    State,
    SubjectType,
    required_attachments,
)
from tests.core.test_cases import complete_attachments

from .conftest import new_case, staff

K = AttachmentKind
TYPES = [t.value for t in FilingType]
SUBJECTS = [s.value for s in SubjectType]
WITH_PHOTO = {"first_filing", "new_website", "new_access", "change_website"}


def kinds(filing_type, subject, province):
    return [r.kind for r in required_attachments_for(filing_type, subject, province)]


@pytest.mark.parametrize("province", sorted(PROVINCES))
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("filing_type", TYPES)
def test_checklist_of_every_type_subject_and_province(filing_type, subject, province):
    got = kinds(filing_type, subject, province)
    base = [r.kind for r in required_attachments(subject, province)]
    assert got == [k for k in base if k in got], "kept in the base checklist's order"
    assert K.VERIFICATION_SHEET in got, "every filing is signed"
    assert (K.VERIFICATION_PHOTO in got) == (filing_type in WITH_PHOTO)
    assert (K.DOMAIN_CERTIFICATE in got) == (province in DOMAIN_CERTIFICATE_PROVINCES and filing_type in WITH_PHOTO)
    if filing_type in ("first_filing", "new_access"):
        assert got == base
    if subject == "individual":
        assert K.SUBJECT_CERTIFICATE not in got and K.LEADER_ID_FRONT not in got
        assert K.PRINCIPAL_ID_FRONT in got and K.PRINCIPAL_ID_BACK in got, "an individual always shows their ID"
    else:
        assert (K.SUBJECT_CERTIFICATE in got) == (filing_type != "change_website")
        assert (K.PRINCIPAL_ID_FRONT in got) == (filing_type not in ("new_website", "change_website"))
        assert (K.LEADER_ID_FRONT in got) == (filing_type in WITH_PHOTO)
    sheet = next(r for r in required_attachments_for(filing_type, subject, province) if r.kind is K.VERIFICATION_SHEET)
    if filing_type.startswith("cancel"):
        assert "注销申请" in sheet.note.zh
    elif subject == "individual":
        assert ("手印" in sheet.note.zh) == (province in FINGERPRINT_PROVINCES_FOR_INDIVIDUALS)


def test_every_type_has_a_rule_and_names():
    assert set(FILING_RULES) == set(FilingType)
    assert len({r.name.zh for r in FILING_RULES.values()}) == len(FilingType)
    refs = {t: FILING_RULES[t].record_ref for t in FilingType}
    assert refs == {
        FilingType.FIRST_FILING: RecordRef.NONE, FilingType.NEW_WEBSITE: RecordRef.SUBJECT,
        FilingType.NEW_ACCESS: RecordRef.WEBSITE, FilingType.CHANGE_SUBJECT: RecordRef.SUBJECT,
        FilingType.CHANGE_WEBSITE: RecordRef.WEBSITE, FilingType.CANCEL_WEBSITE: RecordRef.WEBSITE,
        FilingType.CANCEL_SUBJECT: RecordRef.SUBJECT,
    }
    assert [t for t in FilingType if FILING_RULES[t].needs_previous_provider] == [FilingType.NEW_ACCESS]


@pytest.mark.parametrize("province", sorted(PROVINCES))
@pytest.mark.parametrize("filing_type", TYPES)
def test_moves_of_every_type_and_province(filing_type, province):
    rule = FILING_RULES[FilingType(filing_type)]
    sms = rule.sms_verification and province in SMS_PILOT_PROVINCES
    names = {m.name for m in filing.moves_for(State.AT_ADMINISTRATION, province, filing_type)}
    assert ("await_sms" in names) == sms
    assert ("approve" in names) == (not sms)
    # every filing can still reach approval and every return from draft
    seen, frontier = {State.DRAFT}, [State.DRAFT]
    while frontier:
        for move in filing.moves_for(frontier.pop(), province, filing_type):
            if move.target not in seen:
                seen.add(move.target)
                frontier.append(move.target)
    expected = set(State) if sms else set(State) - {State.SMS_PENDING}
    assert seen == expected


def form(filing_type, record="", provider=""):
    return {"filing_type": filing_type, "existing_record_number": record, "previous_provider": provider}


@pytest.mark.parametrize(
    "filing_type, record, provider, field, code",
    [
        ("new_website", "", "", "existing_record_number", "须填写主体备案号"),
        ("new_website", "苏ICP备2025012345号-1", "", "existing_record_number", "不带“-序号”"),
        ("new_website", "京ICP备2025012345号", "", "existing_record_number", "省份简称"),
        ("new_access", "苏ICP备2025012345号", "某云", "existing_record_number", "带“-序号”"),
        ("new_access", "苏ICP备2025012345号-1", "", "previous_provider", "原接入服务商"),
        ("cancel_website", "", "", "existing_record_number", "须填写网站备案号"),
        ("change_subject", "苏ICP备2025012345号-3", "", "existing_record_number", "主体备案号"),
        ("atlantis_filing", "", "", "filing_type", "未知的备案类型"),
    ],
)
def test_bad_filing_input_names_the_field(filing_type, record, provider, field, code):
    with pytest.raises(FormErrors) as err:
        filing.validate_filing_input(form(filing_type, record, provider), "jiangsu")
    assert field in err.value.errors and code in err.value.errors[field].zh


def test_good_filing_input():
    got = filing.validate_filing_input(form("new_access", " 苏ICP备2025012345号-2 ", "某某云计算有限公司"), "jiangsu")
    assert got == filing.FilingInput(FilingType.NEW_ACCESS, "苏ICP备2025012345号-2", "某某云计算有限公司")
    first = filing.validate_filing_input(form("", "ignored", "ignored"), "jiangsu")
    assert first == filing.FilingInput(FilingType.FIRST_FILING, None, None)


class SealRecorder(list):
    """Stands in for the archive: records each sealing (these tests are about filing types, not evidence)."""

    def seal_case(self, *args) -> None:
        self.append(args)


def drive_to_administration(session, case):
    user = staff(session)
    cases.move_case(session, case, "start_verification", user)
    complete_attachments(session, case, user)
    cases.move_case(session, case, "finish_verification", user, archive=SealRecorder())
    auditor = session.scalars(select(User).where(User.username == "admin")).one()  # four eyes: not the verifier
    cases.move_case(session, case, "pass_audit", auditor)
    cases.move_case(session, case, "submit_to_administration", user)


def test_checklist_of_a_case_follows_its_filing_type(db):
    with db.session() as s:
        case = new_case(s, filing_type="change_subject", record="苏ICP备2025012345号")
        assert [i.requirement.kind for i in cases.checklist(case)] == [
            K.SUBJECT_CERTIFICATE, K.PRINCIPAL_ID_FRONT, K.PRINCIPAL_ID_BACK, K.VERIFICATION_SHEET]
        cases.move_case(s, case, "start_verification", staff(s))
        complete_attachments(s, case, staff(s))
        cases.move_case(s, case, "finish_verification", staff(s), archive=SealRecorder())  # no photo needed for a change of subject
        assert case.state == State.AWAITING_AUDIT


def test_new_website_approval_takes_the_subjects_number(db):
    with db.session() as s:
        case = new_case(s, filing_type="new_website", record="苏ICP备2025012345号")
        drive_to_administration(s, case)
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, "approve", staff(s), record_number="苏ICP备2025099999号-2")
        assert err.value.code == "record_number_not_of_subject"
        cases.move_case(s, case, "approve", staff(s), record_number="苏ICP备2025012345号-2")
        assert case.record_number == "苏ICP备2025012345号-2"


@pytest.mark.parametrize("filing_type, record", [("new_access", "浙ICP备2025012345号-1"), ("cancel_website", "浙ICP备2025012345号-1"),
                                                 ("change_subject", "浙ICP备2025012345号")])
def test_kept_and_cancelled_numbers_in_a_pilot_province(db, filing_type, record):
    with db.session() as s:
        case = new_case(s, filing_type=filing_type, record=record, provider="原服务商", province="zhejiang")
        drive_to_administration(s, case)
        rule = FILING_RULES[FilingType(filing_type)]
        if rule.sms_verification:
            cases.move_case(s, case, "await_sms", staff(s))
            final = "approve_after_sms"
        else:
            assert "await_sms" not in {m.name for m in cases.available_moves(case, staff(s))}
            final = "approve"
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, final, staff(s), record_number="浙ICP备2025000001号-1")
        assert err.value.code == "record_number_changed"
        cases.move_case(s, case, final, staff(s))
        assert case.state == State.APPROVED and case.record_number == record
        assert (filing.outcome_name(case) is not None) == (rule.on_approval is OnApproval.CANCEL)


def test_filing_type_fixed_once_submitted(db):
    with db.session() as s:
        case = new_case(s)
        drive_to_administration(s, case)
        with pytest.raises(KioskError) as err:
            filing.set_filing(s, case, filing.FilingInput(FilingType.NEW_WEBSITE, "苏ICP备2025012345号", None), staff(s))
        assert err.value.code == "filing_not_editable"


def test_registrars_kept_when_websites_edited(db):
    with db.session() as s:
        case = new_case(s, province="beijing", subject_cert_number="91350100M000100Y43")
        filing.set_registrars(s, case, {"example.cn": "阿里云计算有限公司"}, staff(s))
        with pytest.raises(KioskError):
            filing.set_registrars(s, case, {"other.cn": "x"}, staff(s))
        values = cases.case_form_values(case)
        values["website_domain"] = ["example.cn", "second.cn"]
        values["website_name"] = ["示例网", "第二个"]
        cases.update_case(s, case, cases.validate_case_input(values), staff(s))
        assert [(w.domain, w.registrar) for w in case.websites] == [("example.cn", "阿里云计算有限公司"), ("second.cn", "")]


def test_public_security_filing_recorded(db):
    import datetime as dt

    with db.session() as s:
        case = new_case(s)
        with pytest.raises(KioskError) as err:
            filing.record_public_security_filing(s, case, staff(s), "苏公网安备32010202000001号", dt.datetime.now(dt.UTC))
        assert err.value.code == "public_security_not_due"
        drive_to_administration(s, case)
        cases.move_case(s, case, "approve", staff(s), record_number="苏ICP备2025012345号-1")
        with pytest.raises(KioskError) as err:
            filing.record_public_security_filing(s, case, staff(s), "苏公网安备123号", dt.datetime.now(dt.UTC))
        assert err.value.code == "public_security_number"
        filing.record_public_security_filing(s, case, staff(s), "苏公网安备 32010202000001号", dt.datetime.now(dt.UTC))
        assert case.public_security_number == "苏公网安备32010202000001号"
