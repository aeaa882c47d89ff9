"""Case service and counter pages: validation, duplicates, moves with who/when/why, nothing half-saved."""

import pytest
from sqlalchemy import func, select

from kiosk import cases
from kiosk.models import Attachment, Case, CaseEvent, PhotoAttempt, User
from kiosk.text import KioskError
from kiosk.workflow import State
from tests.conftest import login, post
from web.db import get_database


def count_cases(app) -> int:
    with get_database(app).session() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_new_case_created_with_timeline(staff_client, app, enterprise_form):
    response = post(staff_client, "/cases/new", enterprise_form)
    assert response.status_code == 302
    page = staff_client.get(response.headers["Location"])
    html = page.data.decode()
    assert "草稿" in html and "南京示例科技有限公司" in html
    assert 'data-kind="domain_certificate"' in html  # Jiangsu asks for the domain certificate
    with get_database(app).session() as s:
        case = s.scalars(select(Case)).one()
        assert case.number.startswith("BK-") and case.state == "draft"
        assert [e.move for e in case.events] == ["create"]
        assert {p.role for p in case.people} == {"principal", "website_leader"}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("principal_id_number", "110105194912310021", "校验位"),
        ("subject_cert_number", "91350100M000100Y44", "校验"),
        ("website_domain", ["not a domain"], "域名"),
        ("province", "atlantis", "未知的省份"),
        ("subject_type", "company", "未知的主体类型"),
        ("subject_name", "名" * 5000, "过长"),
        ("principal_mobile", "12345", "手机"),
    ],
)
def test_bad_input_refused_nothing_saved(staff_client, app, enterprise_form, field, value, message):
    enterprise_form[field] = value
    response = post(staff_client, "/cases/new", enterprise_form)
    assert response.status_code == 400
    assert message in response.data.decode()
    assert count_cases(app) == 0


def test_english_messages(staff_client, enterprise_form):
    enterprise_form["principal_id_number"] = "110105194912310021"
    response = post(staff_client, "/cases/new?lang=en", enterprise_form)
    assert b"check digit" in response.data


def test_duplicate_open_case_refused(staff_client, app, enterprise_form):
    assert post(staff_client, "/cases/new", enterprise_form).status_code == 302
    again = post(staff_client, "/cases/new", enterprise_form)
    assert again.status_code == 409
    assert "未完成的案件" in again.data.decode()
    assert count_cases(app) == 1
    enterprise_form["website_domain"] = ["other-example.cn"]
    assert post(staff_client, "/cases/new", enterprise_form).status_code == 302


def test_individual_case(staff_client, app, enterprise_form):
    form = dict(enterprise_form, subject_type="individual", province="jiangxi", subject_name="张三",
                subject_cert_number="11010519491231002X")
    assert post(staff_client, "/cases/new", form).status_code == 302
    with get_database(app).session() as s:
        case = s.scalars(select(Case)).one()
        assert case.subject_cert_type == "resident_id"
        assert case.person("website_leader").id_number == case.person("principal").id_number


def make_case(app, enterprise_form, state: str = "draft") -> int:
    with get_database(app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        case = cases.create_case(s, cases.validate_case_input(enterprise_form), staff)
        case.state = state
        return case.id


def test_illegal_move_refused_with_message(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form)
    response = post(staff_client, f"/cases/{case_id}/move", {"move": "approve"}, follow_redirects=True)
    assert "不能执行此操作" in response.data.decode()
    with get_database(app).session() as s:
        assert s.get(Case, case_id).state == "draft"


def test_finish_needs_every_attachment(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form, "onsite_verification")
    response = post(staff_client, f"/cases/{case_id}/move", {"move": "finish_verification"}, follow_redirects=True)
    assert "尚未完成核验" in response.data.decode()
    with get_database(app).session() as s:
        assert s.get(Case, case_id).state == "onsite_verification"


def complete_attachments(session, case: Case, staff: User) -> None:
    for item in cases.checklist(case):
        if item.requirement.kind.value == "verification_photo":
            session.add(PhotoAttempt(case_id=case.id, image_sha256="a" * 64, image_size=1, width=1, height=1,
                                     passed=True, status="accepted"))
        else:
            session.add(Attachment(case_id=case.id, kind=item.requirement.kind.value, status="accepted",
                                   original_sha256="b" * 64, original_size=1, uploaded_by_id=staff.id))
    session.flush()
    session.refresh(case)


class SealRecorder(list):
    """Stands in for the archive: records each sealing."""

    def seal_case(self, *args) -> None:
        self.append(args)


def test_full_path_to_approval_records_who_when_why(app, enterprise_form):
    case_id = make_case(app, enterprise_form)
    with get_database(app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        case = s.get(Case, case_id)
        cases.move_case(s, case, "start_verification", staff)
        complete_attachments(s, case, staff)
        sealed = SealRecorder()
        cases.move_case(s, case, "finish_verification", staff, archive=sealed)
        assert len(sealed) == 1
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, "return_for_correction", staff)
        assert err.value.code == "reason_required"
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, "pass_audit", staff)  # four eyes: not by the user who verified on site
        assert err.value.code == "audit_by_verifier" and err.value.status == 403
        supervisor = s.scalars(select(User).where(User.role == "supervisor")).one()
        cases.move_case(s, case, "pass_audit", supervisor)
        cases.move_case(s, case, "submit_to_administration", staff)
        with pytest.raises(KioskError) as err:
            cases.move_case(s, case, "approve", staff, record_number="沪ICP备2025012345号-1")
        assert err.value.code == "record_number_province"
        assert case.state == State.AT_ADMINISTRATION
        cases.move_case(s, case, "approve", staff, record_number="苏ICP备2025012345号-1")
        assert case.state == "approved" and case.record_number == "苏ICP备2025012345号-1"
    with get_database(app).session() as s:
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)).all()
        assert [e.to_state for e in events] == [
            "draft", "onsite_verification", "awaiting_internal_audit", "internal_audit_passed", "at_administration", "approved",
        ]
        assert all(e.actor_id and e.at for e in events)


def test_withdraw_needs_reason_and_is_recorded(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form, "awaiting_internal_audit")
    post(staff_client, f"/cases/{case_id}/move", {"move": "withdraw"})
    with get_database(app).session() as s:
        assert s.get(Case, case_id).state == "awaiting_internal_audit"
    post(staff_client, f"/cases/{case_id}/move", {"move": "withdraw", "reason": "申请人要求修改网站名称"})
    with get_database(app).session() as s:
        case = s.get(Case, case_id)
        assert case.state == "draft" and case.events[-1].reason == "申请人要求修改网站名称"


def test_move_without_csrf_refused(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form)
    response = staff_client.post(f"/cases/{case_id}/move", data={"move": "start_verification"})
    assert response.status_code == 400
    with get_database(app).session() as s:
        assert s.get(Case, case_id).state == "draft"


def test_auditor_cannot_move_cases(client, app, enterprise_form):
    case_id = make_case(app, enterprise_form)
    login(client, "auditor")
    assert post(client, f"/cases/{case_id}/move", {"move": "start_verification"}).status_code == 403


def test_case_list_filter(staff_client, app, enterprise_form):
    make_case(app, enterprise_form, "approved")
    assert "南京示例科技有限公司" in staff_client.get("/cases?state=approved").data.decode()
    assert "南京示例科技有限公司" not in staff_client.get("/cases?state=draft").data.decode()


def test_checklist_says_when_checks_failed(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form, "onsite_verification")
    with get_database(app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        s.add(Attachment(case_id=case_id, kind="subject_certificate", status="checked", passed=False,
                         original_sha256="c" * 64, original_size=1, uploaded_by_id=staff.id))
        s.add(Attachment(case_id=case_id, kind="principal_id_front", status="checked", passed=True,
                         original_sha256="d" * 64, original_size=1, uploaded_by_id=staff.id))
    html = staff_client.get(f"/cases/{case_id}").data.decode()
    licence_row = html.split('data-kind="subject_certificate"')[1].split("</tr>")[0]
    front_row = html.split('data-kind="principal_id_front"')[1].split("</tr>")[0]
    assert "检查未通过" in licence_row and "检查通过，待确认" in front_row


def test_staff_correct_a_returned_case(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form, "returned_for_correction")
    page = staff_client.get(f"/cases/{case_id}/edit")
    assert page.status_code == 200 and "南京示例科技有限公司" in page.data.decode()
    form = dict(enterprise_form, subject_name="南京示例科技股份有限公司", website_name=["示例网（新）"])
    assert post(staff_client, f"/cases/{case_id}/edit", form).status_code == 302
    with get_database(app).session() as s:
        case = s.get(Case, case_id)
        assert case.subject_name == "南京示例科技股份有限公司" and case.websites[0].name == "示例网（新）"
        from kiosk.models import AuditEvent

        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "case_edited")).one()
        assert event.detail["fields"] == ["subject_name", "website_name"]


def test_edit_refused_once_submitted_and_bad_input_changes_nothing(staff_client, app, enterprise_form):
    case_id = make_case(app, enterprise_form, "awaiting_internal_audit")
    response = post(staff_client, f"/cases/{case_id}/edit", dict(enterprise_form, subject_name="改名"))
    assert response.status_code == 409
    other = make_case(app, dict(enterprise_form, website_domain=["other.cn"]), "draft")
    bad = post(staff_client, f"/cases/{other}/edit", dict(enterprise_form, principal_id_number="110105194912310021"))
    assert bad.status_code == 400
    duplicate = post(staff_client, f"/cases/{other}/edit", enterprise_form)  # would duplicate the first, open case
    assert duplicate.status_code == 409
    with get_database(app).session() as s:
        assert s.get(Case, case_id).subject_name == "南京示例科技有限公司"
        assert [w.domain for w in s.get(Case, other).websites] == ["other.cn"]


def test_one_id_number_is_one_person(staff_client, app, enterprise_form):
    """The principal and the website leader may be one person (same number, same name), never two names on one number."""
    same = dict(enterprise_form, website_leader_name=enterprise_form["principal_name"],
                website_leader_id_number=enterprise_form["principal_id_number"])
    borrowed = dict(same, website_leader_name="王五")
    refused = post(staff_client, "/cases/new", borrowed)
    assert refused.status_code == 400 and "同一证件号码只能属于同一人" in refused.data.decode()
    assert count_cases(app) == 0
    assert post(staff_client, "/cases/new", same).status_code == 302
    assert count_cases(app) == 1
