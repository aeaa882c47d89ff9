"""Four eyes: a second, different user with an approver role approves; everything else is refused and nothing is
written."""

import pytest
from sqlalchemy import func, select

from kiosk import accounts, approvals
from kiosk.approvals import ApprovalAction
from kiosk.models import Approval, AuditEvent, Case, User
from kiosk.text import KioskError
from tests.conftest import PASSWORDS


@pytest.fixture
def case_and_users(core):
    with core.db.session() as s:
        case = Case(number="BK-20261202-0001", state="onsite_verification", subject_type="individual",
                    subject_name="刘假名", subject_cert_type="resident_id", subject_cert_number="x", province="beijing",
                    created_by_id=core.users["staff"])
        s.add(case)
        s.commit()
        return core, case.id


def users(s, core):
    return {role: s.get(User, uid) for role, uid in core.users.items()}


@pytest.mark.parametrize("approver", ["supervisor", "admin"])
def test_a_supervisor_or_admin_approves_a_staff_decision(case_and_users, approver):
    core, case_id = case_and_users
    with core.db.session() as s:
        u = users(s, core)
        case = s.get(Case, case_id)
        approvals.record_approval(s, case=case, action=ApprovalAction.ACCEPT_ID_MISMATCH, target="attachment:1",
                                  requested_by=u["staff"], approved_by=u[approver], reason=" 身份证换发，旧证号码 ")
        s.commit()
        found = approvals.find_approval(s, case_id, "accept_id_mismatch", "attachment:1")
        assert found is not None and found.approved_by_id == u[approver].id and found.reason == "身份证换发，旧证号码"
        assert approvals.find_approval(s, case_id, "accept_id_mismatch", "attachment:2") is None
        assert approvals.find_approval(s, case_id, "accept_face_mismatch", "attachment:1") is None
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approval")) == 1


@pytest.mark.parametrize("requester, approver, reason, code", [
    ("staff", "staff", "理由", "approval_same_person"),
    ("supervisor", "supervisor", "理由", "approval_same_person"),
    ("staff", "auditor", "理由", "approval_not_allowed"),
    ("supervisor", "staff", "理由", "approval_not_allowed"),
    ("staff", "supervisor", "   ", "approval_reason_required"),
    ("staff", "supervisor", "长" * 501, "approval_reason_too_long"),
])
def test_refused_approvals_write_nothing(case_and_users, requester, approver, reason, code):
    core, case_id = case_and_users
    with core.db.session() as s:
        u = users(s, core)
        with pytest.raises(KioskError) as err:
            approvals.record_approval(s, case=s.get(Case, case_id), action="override_identity_check", target="t",
                                      requested_by=u[requester], approved_by=u[approver], reason=reason)
        assert err.value.code == code
        assert s.scalar(select(func.count()).select_from(Approval)) == 0


def test_an_inactive_supervisor_cannot_approve(case_and_users):
    core, case_id = case_and_users
    with core.db.session() as s:
        u = users(s, core)
        u["supervisor"].active = False
        with pytest.raises(KioskError) as err:
            approvals.record_approval(s, case=s.get(Case, case_id), action="accept_face_mismatch", target="t",
                                      requested_by=u["staff"], approved_by=u["supervisor"], reason="理由")
        assert err.value.code == "approval_not_allowed"


def test_unknown_action_is_refused(case_and_users):
    core, case_id = case_and_users
    with core.db.session() as s:
        u = users(s, core)
        with pytest.raises(ValueError):
            approvals.record_approval(s, case=s.get(Case, case_id), action="approve_everything", target="t",
                                      requested_by=u["staff"], approved_by=u["supervisor"], reason="理由")


def test_the_approver_confirms_with_their_own_password(case_and_users):
    core, _case_id = case_and_users
    with core.db.session() as s:
        assert approvals.second_user(s, "supervisor", PASSWORDS["supervisor"]).username == "supervisor"
        with pytest.raises(KioskError):
            approvals.second_user(s, "supervisor", "wrong password")
        assert accounts.count_users(s) == len(PASSWORDS)
