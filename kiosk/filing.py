"""Filing types as data: first filing, new website, new access, changes and cancellations.

Each type says which record number it refers to (the filed subject's or the filed website's), whether it records
the previous provider, which attachments of the subject type × province checklist it needs, whether the
Administration's SMS verification applies, what approval does to the record number, and whether the
public-security (公安) filing follows. `kiosk.cases` asks this module for a case's checklist, its moves and the
record number an approval sets. Pure rules plus three small session steps (set the filing, set registrars).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from kiosk import validators
from kiosk.models import AuditEvent, Case, User
from kiosk.text import KioskError, Text
from kiosk.workflow import (
    AttachmentKind,
    Move,
    Requirement,
    State,
    SubjectType,
    find_move,
    moves_from,
    parse_province,
    parse_subject_type,
    required_attachments,
)


class FilingType(StrEnum):
    FIRST_FILING = "first_filing"  # 首次备案: neither subject nor website filed yet
    NEW_WEBSITE = "new_website"  # 新增网站: a new website on a filed subject
    NEW_ACCESS = "new_access"  # 新增接入: a filed website moves (or adds) its access to this provider
    CHANGE_SUBJECT = "change_subject"  # 变更主体信息
    CHANGE_WEBSITE = "change_website"  # 变更网站信息
    CANCEL_WEBSITE = "cancel_website"  # 注销网站
    CANCEL_SUBJECT = "cancel_subject"  # 注销主体


class RecordRef(StrEnum):
    """Which existing record number the filing refers to."""

    NONE = "none"
    SUBJECT = "subject"  # the subject's number, e.g. 京ICP备2025012345号
    WEBSITE = "website"  # a website's number, e.g. 京ICP备2025012345号-1


class OnApproval(StrEnum):
    """What the Administration's approval does to the record number."""

    NEW_NUMBER = "new_number"  # a new subject number with its first website (typed in by staff)
    NEW_WEBSITE_NUMBER = "new_website_number"  # the subject's number followed by -N (typed in by staff)
    KEEP = "keep"  # the filed number stays
    CANCEL = "cancel"  # the filed number is cancelled


K = AttachmentKind
ALL_KINDS = frozenset(AttachmentKind)
SUBJECT_DOCS = frozenset({K.SUBJECT_CERTIFICATE, K.PRINCIPAL_ID_FRONT, K.PRINCIPAL_ID_BACK})
LEADER_DOCS = frozenset({K.LEADER_ID_FRONT, K.LEADER_ID_BACK})
ONSITE_DOCS = frozenset({K.VERIFICATION_PHOTO, K.VERIFICATION_SHEET, K.DOMAIN_CERTIFICATE})


@dataclass(frozen=True, slots=True)
class FilingRule:
    type: FilingType
    name: Text
    record_ref: RecordRef
    on_approval: OnApproval
    attachments: frozenset[AttachmentKind]  # kept from the subject type × province checklist
    needs_previous_provider: bool = False
    sms_verification: bool = True  # the Administration's SMS check in pilot provinces
    public_security_filing: bool = False  # the 30-day 公安 filing follows approval
    sheet_note: Text | None = None  # replaces the checklist's note on the verification sheet
    next_step_done: Text | None = None  # what the applicant reads once approved


FILING_RULES: dict[FilingType, FilingRule] = {
    r.type: r
    for r in [
        FilingRule(
            FilingType.FIRST_FILING, Text("首次备案", "First filing"), RecordRef.NONE, OnApproval.NEW_NUMBER, ALL_KINDS,
            public_security_filing=True,
        ),
        # The subject is filed (its certificate is checked again: it may have changed or expired); the new website's
        # leader is verified in person. The principal's ID was verified at the subject's filing.
        FilingRule(
            FilingType.NEW_WEBSITE, Text("新增网站", "New website"), RecordRef.SUBJECT, OnApproval.NEW_WEBSITE_NUMBER,
            frozenset({K.SUBJECT_CERTIFICATE}) | LEADER_DOCS | ONSITE_DOCS, public_security_filing=True,
        ),
        # This provider has never verified the subject nor the website: everything, as for a first filing.
        FilingRule(
            FilingType.NEW_ACCESS, Text("新增接入", "New access"), RecordRef.WEBSITE, OnApproval.KEEP, ALL_KINDS,
            needs_previous_provider=True, public_security_filing=True,
        ),
        FilingRule(
            FilingType.CHANGE_SUBJECT, Text("变更主体信息", "Change of subject information"), RecordRef.SUBJECT,
            OnApproval.KEEP, SUBJECT_DOCS | {K.VERIFICATION_SHEET},
        ),
        FilingRule(
            FilingType.CHANGE_WEBSITE, Text("变更网站信息", "Change of website information"), RecordRef.WEBSITE,
            OnApproval.KEEP, LEADER_DOCS | ONSITE_DOCS,
        ),
        FilingRule(
            FilingType.CANCEL_WEBSITE, Text("注销网站", "Cancellation of a website"), RecordRef.WEBSITE,
            OnApproval.CANCEL, SUBJECT_DOCS | {K.VERIFICATION_SHEET}, sms_verification=False,
            sheet_note=Text("注销申请：须主体负责人签字（单位加盖公章）",
                            "Cancellation request: signed by the principal (organisations: with the official seal)"),
            next_step_done=Text("网站备案已注销，请停止该网站的接入服务", "The website's filing is cancelled; its access ends"),
        ),
        FilingRule(
            FilingType.CANCEL_SUBJECT, Text("注销主体", "Cancellation of the subject"), RecordRef.SUBJECT,
            OnApproval.CANCEL, SUBJECT_DOCS | {K.VERIFICATION_SHEET}, sms_verification=False,
            sheet_note=Text("注销申请：须主体负责人签字（单位加盖公章）",
                            "Cancellation request: signed by the principal (organisations: with the official seal)"),
            next_step_done=Text("主体及其全部网站的备案已注销", "The subject's filing and all its websites' are cancelled"),
        ),
    ]
}

RECORD_REF_NAMES: dict[RecordRef, Text] = {
    RecordRef.SUBJECT: Text("主体备案号", "the subject's record number"),
    RecordRef.WEBSITE: Text("网站备案号", "the website's record number"),
}


def parse_filing_type(value: str) -> FilingType:
    try:
        return FilingType(value or FilingType.FIRST_FILING)
    except ValueError:
        raise KioskError("unknown_filing_type", Text("未知的备案类型", f"Unknown filing type {value!r}")) from None


def rule_for(case: Case) -> FilingRule:
    return FILING_RULES[parse_filing_type(case.filing_type)]


def required_attachments_for(filing_type: str, subject_type: str, province: str) -> list[Requirement]:
    """The checklist of a filing type for this subject type and province, in checklist order.

    Starts from `kiosk.workflow.required_attachments` and keeps the kinds the filing type needs. Individuals are
    their own website leader and carry one ID card (filed as the principal's): a type that needs the leader's ID
    needs theirs. Raises KioskError for an unknown filing type, subject type or province.
    """
    rule = FILING_RULES[parse_filing_type(filing_type)]
    individual = parse_subject_type(subject_type) is SubjectType.INDIVIDUAL
    wanted = set(rule.attachments)
    if individual and wanted & LEADER_DOCS:
        wanted |= {K.PRINCIPAL_ID_FRONT, K.PRINCIPAL_ID_BACK}
    items = []
    for req in required_attachments(subject_type, province):
        if req.kind not in wanted:
            continue
        if req.kind is K.VERIFICATION_SHEET and rule.sheet_note is not None:
            req = Requirement(req.kind, req.name, rule.sheet_note)
        items.append(req)
    return items


def case_requirements(case: Case) -> list[Requirement]:
    return required_attachments_for(case.filing_type, case.subject_type, case.province)


def moves_for(state: str, province: str, filing_type: str) -> list[Move]:
    """The moves of a case of this filing type (cancellations skip the SMS verification step)."""
    rule = FILING_RULES[parse_filing_type(filing_type)]
    return moves_from(state, province, sms_verification=rule.sms_verification)


def case_moves(case: Case) -> list[Move]:
    return moves_for(case.state, case.province, case.filing_type)


def find_case_move(case: Case, name: str) -> Move:
    """The move `name` for this case, or KioskError(illegal_move) naming what is allowed instead."""
    return find_move(case.state, name, case.province, sms_verification=rule_for(case).sms_verification)


_SITE_SUFFIX = re.compile(r"-[1-9]\d{0,3}$")


def check_existing_record(value: str, ref: RecordRef, province: str) -> str:
    """Validate the record number a filing refers to: a subject's (no -N) or a website's (with -N)."""
    number = validators.check_record_number(value, parse_province(province).abbr)
    has_site = bool(_SITE_SUFFIX.search(number))
    if ref is RecordRef.SUBJECT and has_site:
        raise KioskError("record_number_not_subject",
                         Text("请填写主体备案号（不带“-序号”），例如 京ICP备2025012345号",
                              "Enter the subject's record number (without “-N”), e.g. 京ICP备2025012345号"))
    if ref is RecordRef.WEBSITE and not has_site:
        raise KioskError("record_number_not_website",
                         Text("请填写网站备案号（带“-序号”），例如 京ICP备2025012345号-1",
                              "Enter the website's record number (with “-N”), e.g. 京ICP备2025012345号-1"))
    return number


def approval_record_number(case: Case, typed: str | None) -> str:
    """The record number the Administration's approval leaves on the case (raises KioskError when wrong).

    A first filing takes the typed number; a new website takes a typed number that must be the subject's number
    followed by -N; a new access, a change or a cancellation keeps the filed number (a typed one must equal it).
    """
    rule = rule_for(case)
    abbr = parse_province(case.province).abbr
    if rule.on_approval is OnApproval.NEW_NUMBER:
        return validators.check_record_number(typed or "", abbr)
    existing = case.existing_record_number or ""
    if rule.on_approval is OnApproval.NEW_WEBSITE_NUMBER:
        number = validators.check_record_number(typed or "", abbr)
        if not (_SITE_SUFFIX.search(number) and number.rsplit("-", 1)[0] == existing):
            raise KioskError("record_number_not_of_subject",
                             Text(f"新增网站的备案号应为主体备案号加序号，例如 {existing}-2",
                                  f"A new website's record number is the subject's number and -N, e.g. {existing}-2"))
        return number
    if typed and typed.strip() != existing:
        raise KioskError("record_number_changed",
                         Text(f"此类备案不改变备案号，应为 {existing}", f"This filing keeps the record number {existing}"))
    return existing


@dataclass(frozen=True, slots=True)
class FilingInput:
    filing_type: FilingType
    existing_record_number: str | None
    previous_provider: str | None


def validate_filing_input(data: dict[str, str], province: str) -> FilingInput:
    """Validate the filing part of the new-case form: filing_type, existing_record_number, previous_provider.

    Raises kiosk.cases.FormErrors naming every bad field."""
    from kiosk.cases import FormErrors  # kiosk.cases imports this module

    errors: dict[str, Text] = {}
    try:
        filing_type = parse_filing_type(data.get("filing_type", ""))
    except KioskError as err:
        raise FormErrors({"filing_type": err.text}) from None
    rule = FILING_RULES[filing_type]
    record = provider = None
    if rule.record_ref is not RecordRef.NONE:
        raw = (data.get("existing_record_number") or "").strip()
        if not raw:
            name = RECORD_REF_NAMES[rule.record_ref]
            errors["existing_record_number"] = Text(f"{rule.name.zh}须填写{name.zh}", f"{rule.name.en} needs {name.en}")
        else:
            try:
                record = check_existing_record(raw, rule.record_ref, province)
            except KioskError as err:
                errors["existing_record_number"] = err.text
    if rule.needs_previous_provider:
        try:
            provider = validators.check_text(data.get("previous_provider", ""), Text("原接入服务商", "the previous provider"))
        except KioskError as err:
            errors["previous_provider"] = err.text
    if errors:
        raise FormErrors(errors)
    return FilingInput(filing_type, record, provider)


FILING_EDITABLE_STATES = frozenset({State.DRAFT, State.ONSITE, State.RETURNED_FOR_CORRECTION})


def set_filing(session: Session, case: Case, data: FilingInput, actor: User) -> None:
    """Give a case its filing type and what it refers to (while draft, on site or returned for correction)."""
    if case.state not in FILING_EDITABLE_STATES:
        raise KioskError("filing_not_editable", Text("当前状态下不能修改备案类型", "The filing type cannot be changed in this state"),
                         status=409)
    before = (case.filing_type, case.existing_record_number, case.previous_provider)
    case.filing_type = data.filing_type.value
    case.existing_record_number = data.existing_record_number
    case.previous_provider = data.previous_provider
    after = (case.filing_type, case.existing_record_number, case.previous_provider)
    if before != after:
        session.add(AuditEvent(actor_id=actor.id, action="filing_set", target=f"case:{case.id}",
                               detail={"filing_type": case.filing_type, "existing_record_number": case.existing_record_number,
                                       "previous_provider": case.previous_provider}))


def set_registrars(session: Session, case: Case, registrars: dict[str, str], actor: User) -> None:
    """Record each domain's registrar (printed after the domain on Beijing sheets). Unknown domains are refused."""
    by_domain = {w.domain: w for w in case.websites}
    unknown = sorted(set(registrars) - set(by_domain))
    if unknown:
        raise KioskError("unknown_domain", Text(f"本案件没有域名 {unknown[0]}", f"This case has no domain {unknown[0]}"))
    for domain, raw in registrars.items():
        by_domain[domain].registrar = validators.check_text(raw, Text("域名注册商", "the registrar"), required=False)
    session.add(AuditEvent(actor_id=actor.id, action="registrars_set", target=f"case:{case.id}",
                           detail={"domains": sorted(registrars)}))


def outcome_name(case: Case) -> Text | None:
    """For an approved case, what the approval means (a cancellation is not "filed")."""
    if case.state != State.APPROVED:
        return None
    rule = rule_for(case)
    if rule.on_approval is OnApproval.CANCEL:
        return Text("已注销", "Cancelled")
    return None


_PUBLIC_SECURITY_NUMBER = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])公网安备\s?(?P<digits>\d{14})号$")


def record_public_security_filing(
    session: Session, case: Case, actor: User, number: str, filed_at: dt.datetime
) -> None:
    """Record the applicant's public-security filing (e.g. 京公网安备11010502030143号) on an approved case: its
    30-day reminder ends. Refuses other states, filing types without it, and a malformed number."""
    if case.state != State.APPROVED or not rule_for(case).public_security_filing:
        raise KioskError("public_security_not_due",
                         Text("此案件无需办理公安备案或尚未通过备案", "This case has no public-security filing step"), status=409)
    match = _PUBLIC_SECURITY_NUMBER.match((number or "").strip())
    if not match:
        raise KioskError("public_security_number",
                         Text("公安备案号格式应如 京公网安备11010502030143号", "A public-security number looks like 京公网安备11010502030143号"))
    case.public_security_number = f"{match['abbr']}公网安备{match['digits']}号"
    case.public_security_filed_at = filed_at
    session.add(AuditEvent(actor_id=actor.id, action="public_security_filed", target=f"case:{case.id}",
                           detail={"number": case.public_security_number, "filed_at": filed_at.isoformat()}))
