"""Four eyes: decisions that one person may not take alone, approved by a second user.

At the counter the second person (a supervisor or an admin) comes to the screen and confirms with their own user
name and password (`second_user`), or approves from their own session; either way `record_approval` checks that the
approver is another active user with an approver role, writes an `Approval` row and an `AuditEvent`, and the
decision the approval covers then goes ahead (`find_approval` tells the rule that guards it).

Which decisions need it (each rule lives with the decision and asks `find_approval`):
- ACCEPT_ID_MISMATCH: accepting an ID card whose read name or number differ from what was typed;
- OVERRIDE_IDENTITY_CHECK: overriding a failed identity check of a document (ID number, side, validity);
- ACCEPT_FACE_MISMATCH: finishing the verification although the live face does not match the ID card portrait.
The rule that the internal audit is passed by someone other than the on-site verifier is a move guard in
kiosk.cases, not an approval.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk import accounts
from kiosk.models import Approval, AuditEvent, Case, User
from kiosk.roles import APPROVER_ROLES
from kiosk.text import KioskError, Text

MAX_REASON = 500


class ApprovalAction(StrEnum):
    ACCEPT_ID_MISMATCH = "accept_id_mismatch"
    OVERRIDE_IDENTITY_CHECK = "override_identity_check"
    ACCEPT_FACE_MISMATCH = "accept_face_mismatch"


ACTION_NAMES: dict[ApprovalAction, Text] = {
    ApprovalAction.ACCEPT_ID_MISMATCH: Text("接受与录入信息不一致的身份证", "Accept an ID card that differs from the typed data"),
    ApprovalAction.OVERRIDE_IDENTITY_CHECK: Text("放行未通过的证件身份核验", "Override a failed identity check of a document"),
    ApprovalAction.ACCEPT_FACE_MISMATCH: Text("接受与身份证照片不符的人脸", "Accept a face that does not match the ID card"),
}


def second_user(session: Session, username: str, password: str, remote_addr: str = "") -> User:
    """The approver confirming at this screen with their own name and password (same checks and lock-out as a
    login; a failure is a KioskError and is audited like one)."""
    return accounts.authenticate(session, username, password, remote_addr)


def record_approval(session: Session, *, case: Case, action: ApprovalAction | str, target: str, requested_by: User,
                    approved_by: User, reason: str, detail: dict[str, Any] | None = None,
                    remote_addr: str = "") -> Approval:
    """Record that `approved_by` approves `requested_by`'s decision `action` on `target` of `case`, for `reason`.

    KioskError (nothing written) when the reason is empty or too long, the approver is the requester, is inactive,
    or has no approver role (supervisor or admin)."""
    action = ApprovalAction(action)
    reason = (reason or "").strip()
    if not reason:
        raise KioskError("approval_reason_required", Text("请填写理由", "Please give a reason"))
    if len(reason) > MAX_REASON:
        raise KioskError("approval_reason_too_long",
                         Text(f"理由不能超过{MAX_REASON}个字", f"The reason may be at most {MAX_REASON} characters"))
    if approved_by.id == requested_by.id:
        raise KioskError("approval_same_person",
                         Text("此操作需要另一位主管或管理员确认，不能由本人确认",
                              "This needs a second person: a supervisor or an admin other than you"), status=403)
    if not approved_by.active or approved_by.role not in APPROVER_ROLES:
        raise KioskError("approval_not_allowed",
                         Text("确认人必须是在职的柜台主管或管理员", "The approver must be an active supervisor or admin"),
                         status=403)
    approval = Approval(case_id=case.id, action=str(action), target=target, reason=reason,
                        requested_by_id=requested_by.id, approved_by_id=approved_by.id, detail=dict(detail or {}))
    session.add(approval)
    session.add(AuditEvent(actor_id=approved_by.id, action="approval", target=f"case:{case.id}",
                           detail={"action": str(action), "target": target, "requested_by": requested_by.id,
                                   "reason": reason}, remote_addr=remote_addr))
    session.flush()
    return approval


def find_approval(session: Session, case_id: int, action: ApprovalAction | str, target: str) -> Approval | None:
    """The latest approval of `action` on `target` of the case, if any."""
    return session.scalars(
        select(Approval).where(Approval.case_id == case_id, Approval.action == str(ApprovalAction(action)),
                               Approval.target == target).order_by(Approval.id.desc()).limit(1)
    ).first()


def approvals_of(session: Session, case_id: int) -> list[Approval]:
    """Every approval given on a case, oldest first (for the case page, the sealed record and the pack)."""
    return list(session.scalars(select(Approval).where(Approval.case_id == case_id).order_by(Approval.id)))
