"""Cases: validated creation, the attachment checklist, and state moves that apply kiosk.workflow's rules.

Nothing is half-saved: every function works inside the caller's session and raises before changing anything
when the input is wrong; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk import filing, notices, validators
from kiosk.documents.basis import require_current
from kiosk.models import (
    Attachment,
    AttachmentStatus,
    AttemptStatus,
    AuditEvent,
    Case,
    CaseEvent,
    Person,
    PhotoAttempt,
    Setting,
    User,
    Website,
    utcnow,
)
from kiosk.text import KioskError, Text
from kiosk.workflow import (
    EDITABLE_STATES,
    GB11643_ID_TYPES,
    ID_TYPES,
    OPEN_STATES,
    SUBJECT_CERTIFICATES,
    AttachmentKind,
    Guard,
    Move,
    Requirement,
    State,
    SubjectType,
    parse_province,
    parse_subject_type,
)

MAX_WEBSITES = 20
PERSON_ROLES = {"principal": Text("主体负责人", "principal"), "website_leader": Text("网站负责人", "website leader")}


class FormErrors(KioskError):
    """Several field errors at once: {field name: Text}."""

    def __init__(self, errors: dict[str, Text]) -> None:
        first = next(iter(errors.values()))
        super().__init__("invalid_form", Text(f"请更正以下内容：{first.zh}", f"Please correct the form: {first.en}"))
        self.errors = errors

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "fields": {k: v.as_dict() for k, v in self.errors.items()}}


@dataclass
class CaseInput:
    """What staff type into the new-case form, after validation."""

    subject_type: str
    subject_name: str
    subject_cert_type: str
    subject_cert_number: str
    province: str
    websites: list[tuple[str, str]]  # (domain, website name)
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> name, id_type, id_number, mobile


def _person(data: dict[str, Any], role: str, errors: dict[str, Text]) -> dict[str, str]:
    label = PERSON_ROLES[role]
    out: dict[str, str] = {}
    prefix = f"{role}_"

    def take(key: str, fn: Callable[[], str]) -> None:
        try:
            out[key] = fn()
        except KioskError as err:
            errors[prefix + key] = Text(f"{label.zh}：{err.text.zh}", f"{label.en.capitalize()}: {err.text.en}")

    take("name", lambda: validators.check_text(data.get(prefix + "name", ""), Text("姓名", "the name"), max_length=100))
    id_type = data.get(prefix + "id_type") or "resident_id"
    if id_type not in ID_TYPES:
        errors[prefix + "id_type"] = Text(f"{label.zh}：未知的证件类型", f"{label.en.capitalize()}: unknown ID type")
    out["id_type"] = id_type
    raw_number = data.get(prefix + "id_number", "")
    if id_type in GB11643_ID_TYPES:
        take("id_number", lambda: validators.check_id_number(raw_number).number)
    else:
        take("id_number", lambda: validators.check_text(raw_number, Text("证件号码", "the ID number"), max_length=32).upper())
    take("mobile", lambda: validators.check_mobile(data.get(prefix + "mobile", "")))
    take("email", lambda: validators.check_email(data.get(prefix + "email", "")))  # optional, for notices
    return out


def validate_case_input(data: dict[str, Any]) -> CaseInput:
    """Validate a new-case form (a flat dict of strings, websites as lists). Raises FormErrors naming every bad
    field, in both languages."""
    errors: dict[str, Text] = {}
    subject_type = province = ""
    try:
        subject_type = parse_subject_type(data.get("subject_type", "")).value
    except KioskError as err:
        errors["subject_type"] = err.text
    try:
        province = parse_province(data.get("province", "")).code
    except KioskError as err:
        errors["province"] = err.text
    try:
        subject_name = validators.check_text(data.get("subject_name", ""), Text("主体名称", "the subject name"))
    except KioskError as err:
        errors["subject_name"] = err.text
        subject_name = ""
    cert_type = SUBJECT_CERTIFICATES[SubjectType(subject_type)][0] if subject_type else ""
    cert_number = ""
    raw_cert = data.get("subject_cert_number", "")
    try:
        if cert_type == "credit_code":
            cert_number = validators.check_credit_code(raw_cert)
        elif cert_type == "resident_id":
            cert_number = validators.check_id_number(raw_cert or data.get("principal_id_number", "")).number
    except KioskError as err:
        errors["subject_cert_number"] = err.text

    domains = data.get("website_domain") or []
    names = data.get("website_name") or []
    if isinstance(domains, str):
        domains = [domains]
    if isinstance(names, str):
        names = [names]
    websites: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, raw_domain in enumerate(domains):
        raw_name = names[i] if i < len(names) else ""
        if not (raw_domain or "").strip() and not (raw_name or "").strip():
            continue
        try:
            domain = validators.check_domain(raw_domain)
            name = validators.check_text(raw_name, Text("网站名称", "the website name"), max_length=100)
        except KioskError as err:
            errors[f"website_{i}"] = err.text
            continue
        if domain in seen:
            errors[f"website_{i}"] = Text("域名重复", "The same domain is listed twice")
        seen.add(domain)
        websites.append((domain, name))
    if not websites and not any(k.startswith("website_") for k in errors):
        errors["website_0"] = Text("至少填写一个网站", "Add at least one website")
    if len(websites) > MAX_WEBSITES:
        errors["website_0"] = Text(f"一次最多{MAX_WEBSITES}个网站", f"At most {MAX_WEBSITES} websites per case")

    people = {"principal": _person(data, "principal", errors)}
    if subject_type == SubjectType.INDIVIDUAL:
        people["website_leader"] = dict(people["principal"])  # individuals lead their own websites
        if cert_number and people["principal"].get("id_number") and cert_number != people["principal"]["id_number"]:
            errors["subject_cert_number"] = Text("个人主体的证件号码应与负责人身份证号码一致",
                                                 "For an individual the certificate number is the principal's ID number")
    else:
        people["website_leader"] = _person(data, "website_leader", errors)
        principal, leader = people["principal"], people["website_leader"]
        if (principal.get("id_number") and principal.get("id_number") == leader.get("id_number")
                and principal.get("id_type") == leader.get("id_type") and principal.get("name") != leader.get("name")):
            # one ID number is one person: the same number under two names is a typing error or a borrowed card
            errors["website_leader_id_number"] = Text(
                "网站负责人与主体负责人的证件号码相同但姓名不同：同一证件号码只能属于同一人",
                "The website leader has the principal's ID number under another name: one ID number is one person")
    if errors:
        raise FormErrors(errors)
    return CaseInput(subject_type, subject_name, cert_type, cert_number, province, websites, people)


def find_open_duplicate(
    session: Session, cert_number: str, domains: list[str], *, exclude_id: int | None = None
) -> Case | None:
    """An open case (other than `exclude_id`) for the same subject certificate number and any of the same domains."""
    stmt = (
        select(Case)
        .join(Website)
        .where(Case.subject_cert_number == cert_number, Case.state.in_([s.value for s in OPEN_STATES]))
        .where(Website.domain.in_(domains))
    )
    if exclude_id is not None:
        stmt = stmt.where(Case.id != exclude_id)
    return session.scalars(stmt).first()


def _duplicate_error(duplicate: Case) -> KioskError:
    return KioskError(
        "duplicate_case",
        Text(f"该主体和域名已有未完成的案件 {duplicate.number}", f"An open case {duplicate.number} exists for this subject and domain"),
        status=409,
    )


def _next_case_number(session: Session, today: dt.date) -> str:
    """The next case number of the day, BK-YYYYMMDD-NNNN.

    The day's counter is a row in `settings` locked with SELECT ... FOR UPDATE, so kiosks sharing one
    PostgreSQL database take numbers one after the other (SQLite serialises writers anyway).
    """
    prefix = f"BK-{today:%Y%m%d}-"
    key = f"case_seq:{today:%Y%m%d}"
    lock = select(Setting).where(Setting.key == key).with_for_update()
    row = session.scalars(lock).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                session.add(Setting(key=key, value=b"0"))
        except IntegrityError:  # another kiosk created the counter first
            pass
        row = session.scalars(lock).one()
    last = session.scalar(select(func.max(Case.number)).where(Case.number.like(prefix + "%")))
    n = max(int(row.value or b"0"), int(last.rsplit("-", 1)[1]) if last else 0) + 1
    row.value = str(n).encode()
    return f"{prefix}{n:04d}"


def create_case(session: Session, data: CaseInput, actor: User, kiosk_name: str = "") -> Case:
    """Store a validated case in state draft with its first timeline event. Refuses a duplicate open case."""
    duplicate = find_open_duplicate(session, data.subject_cert_number, [d for d, _ in data.websites])
    if duplicate is not None:
        raise _duplicate_error(duplicate)
    for attempt in range(5):
        number = _next_case_number(session, utcnow().date())
        case = Case(
            number=number,
            state=State.DRAFT.value,
            subject_type=data.subject_type,
            subject_name=data.subject_name,
            subject_cert_type=data.subject_cert_type,
            subject_cert_number=data.subject_cert_number,
            province=data.province,
            kiosk_name=kiosk_name,
            created_by_id=actor.id,
            websites=[Website(domain=d, name=n) for d, n in data.websites],
            people=[Person(role=role, **fields) for role, fields in data.people.items()],
        )
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
        except IntegrityError:  # another kiosk took the same number: try the next one
            if attempt == 4:
                raise
            continue
        session.add(CaseEvent(case_id=case.id, actor_id=actor.id, move="create", to_state=case.state))
        return case
    raise AssertionError("unreachable")


def case_form_values(case: Case) -> dict[str, Any]:
    """The new-case form's fields filled from a stored case (for the edit page)."""
    values: dict[str, Any] = {
        "subject_type": case.subject_type, "province": case.province, "subject_name": case.subject_name,
        "subject_cert_number": case.subject_cert_number,
        "website_domain": [w.domain for w in case.websites], "website_name": [w.name for w in case.websites],
    }
    for person in case.people:
        for key in ("name", "id_type", "id_number", "mobile", "email"):
            values[f"{person.role}_{key}"] = getattr(person, key)
    return values


def is_editable(case: Case) -> bool:
    """The filing information may be corrected while the case is a draft, on site, or returned."""
    return case.state in EDITABLE_STATES


def update_case(session: Session, case: Case, data: CaseInput, actor: User) -> list[str]:
    """Correct a case's filing information (while it is a draft, on site, or returned). Returns the names of the
    fields that changed, recorded with who made the change; sealed evidence is untouched (sealing again writes a
    correction manifest). Refuses other states and changes that would duplicate another open case."""
    if not is_editable(case):
        raise KioskError("case_not_editable", Text("当前状态下不能修改备案信息", "The filing information cannot be changed in this state"),
                         status=409)
    duplicate = find_open_duplicate(session, data.subject_cert_number, [d for d, _ in data.websites], exclude_id=case.id)
    if duplicate is not None:
        raise _duplicate_error(duplicate)
    before = case_form_values(case)
    case.subject_type, case.subject_name = data.subject_type, data.subject_name
    case.subject_cert_type, case.subject_cert_number = data.subject_cert_type, data.subject_cert_number
    case.province = data.province
    if [(w.domain, w.name) for w in case.websites] != data.websites:
        registrars = {w.domain: w.registrar for w in case.websites}  # kept for the domains that stay
        case.websites = [Website(domain=d, name=n, registrar=registrars.get(d, "")) for d, n in data.websites]
    for role, fields in data.people.items():
        person = case.person(role)
        if person is None:
            case.people.append(Person(role=role, **fields))
        else:
            for key, value in fields.items():
                setattr(person, key, value)
    session.flush()
    after = case_form_values(case)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        session.add(AuditEvent(actor_id=actor.id, action="case_edited", target=f"case:{case.id}", detail={"fields": changed}))
    return changed


class ChecklistStatus(StrEnum):
    """Where a checklist item stands: missing, or the status of what the case has for it."""

    MISSING = "missing"  # nothing uploaded or taken yet
    CHECKED = AttachmentStatus.CHECKED.value  # checked by the kiosk, waiting for staff
    ACCEPTED = AttachmentStatus.ACCEPTED.value
    REJECTED = AttachmentStatus.REJECTED.value


@dataclass(frozen=True)
class ChecklistItem:
    requirement: Requirement
    complete: bool
    attachment: Attachment | None = None
    photo: PhotoAttempt | None = None
    status: ChecklistStatus = ChecklistStatus.MISSING


def current_attachment(case: Case, kind: str) -> Attachment | None:
    """The newest attachment of `kind` that has not been superseded."""
    rows = [a for a in case.attachments if a.kind == kind and a.status != AttachmentStatus.SUPERSEDED]
    return rows[-1] if rows else None


def accepted_photo(case: Case) -> PhotoAttempt | None:
    """The verification photo staff accepted (None until they do)."""
    rows = [p for p in case.photo_attempts if p.status == AttemptStatus.ACCEPTED]
    return rows[-1] if rows else None


def checklist(case: Case) -> list[ChecklistItem]:
    """Each required attachment with what the case has for it. An item is complete once staff accepted it."""
    items = []
    for req in filing.case_requirements(case):
        if req.kind is AttachmentKind.VERIFICATION_PHOTO:
            photo = accepted_photo(case)
            latest = case.photo_attempts[-1] if case.photo_attempts else None
            status = ChecklistStatus.ACCEPTED if photo else (ChecklistStatus.CHECKED if latest else ChecklistStatus.MISSING)
            items.append(ChecklistItem(req, photo is not None, photo=photo or latest, status=status))
            continue
        att = current_attachment(case, req.kind.value)
        status = ChecklistStatus(att.status) if att else ChecklistStatus.MISSING
        items.append(ChecklistItem(req, status == ChecklistStatus.ACCEPTED, attachment=att, status=status))
    return items


class FaceGate(Protocol):
    """What the face-match guard needs: kiosk.identity.case_match.FaceGate (None: face matching is off)."""

    def require(self, session: Session, case: Case) -> None: ...


def verifier_id(case: Case) -> int | None:
    """The user who last finished the case's on-site verification (None before anyone did)."""
    finished = [e for e in case.events if e.move == "finish_verification"]
    return finished[-1].actor_id if finished else None


def _not_the_verifier(case: Case, actor: User) -> None:
    if verifier_id(case) == actor.id:
        raise KioskError(
            "audit_by_verifier",
            Text("内部审核须由另一位工作人员完成：您本人完成了本案的当面核验",
                 "The internal audit needs a second person: you finished this case's on-site verification"),
            status=403,
        )


def _check_guards(session: Session, case: Case, move: Move, actor: User, record_number: str | None,
                  face_gate: FaceGate | None) -> str | None:
    """Apply the move's guards; returns the validated record number when one is needed."""
    result = None
    for guard in move.guards:
        if guard is Guard.CHECKS_CURRENT:
            require_current(case)
        elif guard is Guard.ATTACHMENTS_COMPLETE:
            missing = [item.requirement.name for item in checklist(case) if not item.complete]
            if missing:
                raise KioskError(
                    "attachments_incomplete",
                    Text("以下材料尚未完成核验：" + "、".join(m.zh for m in missing),
                         "These items are not yet verified: " + ", ".join(m.en for m in missing)),
                    status=409,
                )
        elif guard is Guard.FACE_MATCH and face_gate is not None:
            face_gate.require(session, case)
        elif guard is Guard.NOT_VERIFIER:
            _not_the_verifier(case, actor)
        elif guard is Guard.RECORD_NUMBER:
            result = filing.approval_record_number(case, record_number)
    return result


class Sealer(Protocol):
    """What a sealing move needs: kiosk.archive.Archive (tests may pass a recorder)."""

    def seal_case(self, session: Session, case: Case, actor: User) -> object: ...

    def seal_decision(self, session: Session, case: Case, actor: User, event: CaseEvent) -> object: ...


def move_case(
    session: Session,
    case: Case,
    move_name: str,
    actor: User,
    *,
    reason: str | None = None,
    record_number: str | None = None,
    archive: Sealer | None = None,
    face_gate: FaceGate | None = None,
) -> CaseEvent:
    """Apply the move `move_name` to `case`, recording who, when and why.

    Raises KioskError (and changes nothing) when the move is not allowed from the case's state, the actor's role
    may not make it, a reason is required but missing, or a guard fails. A move that seals (finishing the on-site
    verification) seals the case's evidence through `archive` in the same transaction: if sealing fails, the
    caller rolls back and the case stays where it was. Every other move of a case sealed before (internal
    audit, submission, SMS step, approval with its record number, return, withdrawal) appends a signed decision
    manifest to the case's chain the same way. Such a move without an archive is a programming error
    (ValueError): evidence and decisions are never silently left unsealed.

    `face_gate` (kiosk.identity.case_match.FaceGate, given whenever face matching is on) guards finishing: the
    accepted photo's face must match the ID card portrait, or a second user must have approved the mismatch.
    Passing the internal audit needs a different user than the one who finished the verification (four eyes).
    """
    move = filing.find_case_move(case, move_name)
    if move.seals and archive is None:
        raise ValueError(f"the move {move.name!r} seals the case's evidence: pass the archive")
    if case.sealed_at is not None and archive is None:
        raise ValueError(f"case {case.number} is sealed: the move {move.name!r} is sealed as a decision, pass the archive")
    if actor.role not in move.roles:
        raise KioskError("forbidden_move", Text("您的角色不能执行此操作", "Your role may not make this move"), status=403)
    reason = (reason or "").strip() or None
    if move.needs_reason and not reason:
        raise KioskError("reason_required", Text("此操作需要填写原因", "This move needs a written reason"))
    if reason:
        reason = validators.check_text(reason, Text("原因", "the reason"), max_length=validators.MAX_REASON)
    checked_record = _check_guards(session, case, move, actor, record_number, face_gate)
    previous = case.state
    case.state = move.target.value
    if checked_record:
        case.record_number = checked_record
    if case.state != State.ONSITE:
        case.booth_token = None  # the booth screen is bound to a case only during on-site verification
    event = CaseEvent(case_id=case.id, actor_id=actor.id, move=move.name, from_state=previous, to_state=case.state, reason=reason)
    session.add(event)
    case.events.append(event)
    notices.enqueue_for_move(session, case, event)  # never raises: a notice must not break a move
    if move.seals:
        assert archive is not None  # checked above, before anything changed
        archive.seal_case(session, case, actor)  # after the event, so the sealed timeline includes this move
    elif case.sealed_at is not None:
        assert archive is not None  # checked above
        archive.seal_decision(session, case, actor, event)
    return event


def available_moves(case: Case, actor: User) -> list[Move]:
    return [m for m in filing.case_moves(case) if actor.role in m.roles]
