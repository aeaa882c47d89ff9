"""Case workflow rules in one place: subject types, provinces, required attachments, states and allowed moves.

Pure rules, no database: `kiosk.cases` applies them to stored cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.roles import STAFF_ROLES, Role
from kiosk.text import KioskError, Text


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    name: Text
    abbr: str  # the one character that starts the record number, e.g. 京


# ICP filing covers the 31 mainland provincial-level divisions. The abbreviations are those used in record
# numbers (Sichuan files as 蜀, Gansu as 陇, Yunnan as 滇, Guizhou as 黔).
PROVINCES: dict[str, Province] = {
    p.code: p
    for p in [
        Province("beijing", Text("北京", "Beijing"), "京"),
        Province("tianjin", Text("天津", "Tianjin"), "津"),
        Province("hebei", Text("河北", "Hebei"), "冀"),
        Province("shanxi", Text("山西", "Shanxi"), "晋"),
        Province("inner_mongolia", Text("内蒙古", "Inner Mongolia"), "蒙"),
        Province("liaoning", Text("辽宁", "Liaoning"), "辽"),
        Province("jilin", Text("吉林", "Jilin"), "吉"),
        Province("heilongjiang", Text("黑龙江", "Heilongjiang"), "黑"),
        Province("shanghai", Text("上海", "Shanghai"), "沪"),
        Province("jiangsu", Text("江苏", "Jiangsu"), "苏"),
        Province("zhejiang", Text("浙江", "Zhejiang"), "浙"),
        Province("anhui", Text("安徽", "Anhui"), "皖"),
        Province("fujian", Text("福建", "Fujian"), "闽"),
        Province("jiangxi", Text("江西", "Jiangxi"), "赣"),
        Province("shandong", Text("山东", "Shandong"), "鲁"),
        Province("henan", Text("河南", "Henan"), "豫"),
        Province("hubei", Text("湖北", "Hubei"), "鄂"),
        Province("hunan", Text("湖南", "Hunan"), "湘"),
        Province("guangdong", Text("广东", "Guangdong"), "粤"),
        Province("guangxi", Text("广西", "Guangxi"), "桂"),
        Province("hainan", Text("海南", "Hainan"), "琼"),
        Province("chongqing", Text("重庆", "Chongqing"), "渝"),
        Province("sichuan", Text("四川", "Sichuan"), "蜀"),
        Province("guizhou", Text("贵州", "Guizhou"), "黔"),
        Province("yunnan", Text("云南", "Yunnan"), "滇"),
        Province("tibet", Text("西藏", "Tibet"), "藏"),
        Province("shaanxi", Text("陕西", "Shaanxi"), "陕"),
        Province("gansu", Text("甘肃", "Gansu"), "陇"),
        Province("qinghai", Text("青海", "Qinghai"), "青"),
        Province("ningxia", Text("宁夏", "Ningxia"), "宁"),
        Province("xinjiang", Text("新疆", "Xinjiang"), "新"),
    ]
}

DOMAIN_CERTIFICATE_PROVINCES = frozenset(
    {"jiangsu", "hunan", "shaanxi", "fujian", "xinjiang", "jilin", "yunnan", "shanghai"}
)
# Individuals in these provinces press their fingerprint beside their signature on the verification sheet (the
# Jiangxi and Xinjiang Communications Administrations' rules for individual filings, as the access providers'
# per-province filing guides state them; `sheet_needs_fingerprint`). Checked by kiosk.documents.checks.fingerprint.
FINGERPRINT_PROVINCES_FOR_INDIVIDUALS = frozenset({"jiangxi", "xinjiang"})
SMS_PILOT_PROVINCES = frozenset(
    {
        "tianjin", "gansu", "tibet", "ningxia", "hainan", "xinjiang", "qinghai", "zhejiang", "sichuan", "fujian",
        "shaanxi", "chongqing", "guangxi", "yunnan", "shandong", "henan", "anhui", "hunan", "shanxi",
        "heilongjiang", "inner_mongolia", "hubei",
    }
)


class SubjectType(StrEnum):
    ENTERPRISE = "enterprise"
    GOVERNMENT = "government"
    INSTITUTION = "institution"
    SOCIAL_ORG = "social_org"
    INDIVIDUAL = "individual"


def sheet_needs_fingerprint(subject_type: str, province: str) -> bool:
    """Whether the verification sheet must carry the applicant's fingerprint (individuals in Jiangxi and Xinjiang)."""
    return subject_type == SubjectType.INDIVIDUAL and province in FINGERPRINT_PROVINCES_FOR_INDIVIDUALS


SUBJECT_TYPE_NAMES: dict[SubjectType, Text] = {
    SubjectType.ENTERPRISE: Text("企业", "Enterprise"),
    SubjectType.GOVERNMENT: Text("政府机关", "Government body"),
    SubjectType.INSTITUTION: Text("事业单位", "Public institution"),
    SubjectType.SOCIAL_ORG: Text("社会团体", "Social organisation"),
    SubjectType.INDIVIDUAL: Text("个人", "Individual"),
}

# The subject's certificate: its name and the type of number on it.
SUBJECT_CERTIFICATES: dict[SubjectType, tuple[str, Text]] = {
    SubjectType.ENTERPRISE: ("credit_code", Text("营业执照", "Business licence")),
    SubjectType.GOVERNMENT: ("credit_code", Text("统一社会信用代码证书", "Unified social credit code certificate")),
    SubjectType.INSTITUTION: ("credit_code", Text("事业单位法人证书", "Public institution legal person certificate")),
    SubjectType.SOCIAL_ORG: ("credit_code", Text("社会团体法人登记证书", "Social organisation registration certificate")),
    SubjectType.INDIVIDUAL: ("resident_id", Text("居民身份证", "Resident identity card")),
}

ID_TYPES: dict[str, Text] = {
    "resident_id": Text("居民身份证", "Resident identity card"),
    "residence_permit": Text("港澳台居民居住证", "Residence permit for HK, Macao and Taiwan residents"),
    "hk_macao_permit": Text("港澳居民来往内地通行证", "Mainland travel permit for HK and Macao residents"),
    "taiwan_permit": Text("台湾居民来往大陆通行证", "Mainland travel permit for Taiwan residents"),
    "passport": Text("护照", "Passport"),
}
# ID types whose number follows GB 11643 (and so has a check digit to verify).
GB11643_ID_TYPES = frozenset({"resident_id", "residence_permit"})


class AttachmentKind(StrEnum):
    SUBJECT_CERTIFICATE = "subject_certificate"
    PRINCIPAL_ID_FRONT = "principal_id_front"
    PRINCIPAL_ID_BACK = "principal_id_back"
    LEADER_ID_FRONT = "leader_id_front"
    LEADER_ID_BACK = "leader_id_back"
    VERIFICATION_PHOTO = "verification_photo"
    VERIFICATION_SHEET = "verification_sheet"
    DOMAIN_CERTIFICATE = "domain_certificate"


ATTACHMENT_NAMES: dict[AttachmentKind, Text] = {
    AttachmentKind.SUBJECT_CERTIFICATE: Text("主体证件", "Subject certificate"),
    AttachmentKind.PRINCIPAL_ID_FRONT: Text("主体负责人身份证（人像面）", "Principal's ID card (portrait side)"),
    AttachmentKind.PRINCIPAL_ID_BACK: Text("主体负责人身份证（国徽面）", "Principal's ID card (emblem side)"),
    AttachmentKind.LEADER_ID_FRONT: Text("网站负责人身份证（人像面）", "Website leader's ID card (portrait side)"),
    AttachmentKind.LEADER_ID_BACK: Text("网站负责人身份证（国徽面）", "Website leader's ID card (emblem side)"),
    AttachmentKind.VERIFICATION_PHOTO: Text("真实性核验照片", "Authenticity verification photo"),
    AttachmentKind.VERIFICATION_SHEET: Text("网站备案信息真实性核验单（签字盖章）", "Verification sheet (signed and sealed)"),
    AttachmentKind.DOMAIN_CERTIFICATE: Text("域名证书", "Domain certificate"),
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One attachment a case needs, with a note on what it must show."""

    kind: AttachmentKind
    name: Text
    note: Text | None = None


def required_attachments(subject_type: str, province: str) -> list[Requirement]:
    """The attachments a case of this subject type in this province needs, in checklist order.

    Organisations: their certificate, principal and website-leader ID (both sides), the verification photo and the
    signed and sealed verification sheet. Individuals are their own principal and website leader: ID both sides,
    the photo and the signed sheet (with a fingerprint in Jiangxi and Xinjiang). Some provinces add the domain
    certificate. Raises KioskError for an unknown subject type or province.
    """
    kind = parse_subject_type(subject_type)
    parse_province(province)
    k = AttachmentKind
    if kind is SubjectType.INDIVIDUAL:
        sheet_note = (
            Text("须签字并按手印", "Must be signed and carry the applicant's fingerprint")
            if province in FINGERPRINT_PROVINCES_FOR_INDIVIDUALS
            else Text("须本人签字", "Must be signed by the applicant")
        )
        items = [
            Requirement(k.PRINCIPAL_ID_FRONT, Text("身份证（人像面）", "ID card (portrait side)")),
            Requirement(k.PRINCIPAL_ID_BACK, Text("身份证（国徽面）", "ID card (emblem side)")),
            Requirement(k.VERIFICATION_PHOTO, ATTACHMENT_NAMES[k.VERIFICATION_PHOTO]),
            Requirement(k.VERIFICATION_SHEET, Text("网站备案信息真实性核验单（签字）", "Verification sheet (signed)"), sheet_note),
        ]
    else:
        items = [
            Requirement(k.SUBJECT_CERTIFICATE, SUBJECT_CERTIFICATES[kind][1]),
            Requirement(k.PRINCIPAL_ID_FRONT, ATTACHMENT_NAMES[k.PRINCIPAL_ID_FRONT]),
            Requirement(k.PRINCIPAL_ID_BACK, ATTACHMENT_NAMES[k.PRINCIPAL_ID_BACK]),
            Requirement(k.LEADER_ID_FRONT, ATTACHMENT_NAMES[k.LEADER_ID_FRONT]),
            Requirement(k.LEADER_ID_BACK, ATTACHMENT_NAMES[k.LEADER_ID_BACK]),
            Requirement(k.VERIFICATION_PHOTO, ATTACHMENT_NAMES[k.VERIFICATION_PHOTO]),
            Requirement(
                k.VERIFICATION_SHEET,
                ATTACHMENT_NAMES[k.VERIFICATION_SHEET],
                Text("须负责人签字并加盖单位公章", "Signed by the person in charge and sealed with the official seal"),
            ),
        ]
    if province in DOMAIN_CERTIFICATE_PROVINCES:
        items.append(Requirement(k.DOMAIN_CERTIFICATE, ATTACHMENT_NAMES[k.DOMAIN_CERTIFICATE]))
    return items


def parse_subject_type(value: str) -> SubjectType:
    try:
        return SubjectType(value)
    except ValueError:
        raise KioskError("unknown_subject_type", Text("未知的主体类型", f"Unknown subject type {value!r}")) from None


def parse_province(value: str) -> Province:
    try:
        return PROVINCES[value]
    except KeyError:
        raise KioskError("unknown_province", Text("未知的省份", f"Unknown province {value!r}")) from None


def is_sms_pilot(province: str) -> bool:
    return province in SMS_PILOT_PROVINCES


class State(StrEnum):
    DRAFT = "draft"
    ONSITE = "onsite_verification"
    AWAITING_AUDIT = "awaiting_internal_audit"
    AUDIT_PASSED = "internal_audit_passed"
    RETURNED_FOR_CORRECTION = "returned_for_correction"
    AT_ADMINISTRATION = "at_administration"
    SMS_PENDING = "sms_verification_pending"
    APPROVED = "approved"
    RETURNED_BY_ADMINISTRATION = "returned_by_administration"


STATE_NAMES: dict[State, Text] = {
    State.DRAFT: Text("草稿", "Draft"),
    State.ONSITE: Text("当面核验中", "On-site verification"),
    State.AWAITING_AUDIT: Text("待内部审核", "Waiting for internal audit"),
    State.AUDIT_PASSED: Text("内部审核通过", "Internal audit passed"),
    State.RETURNED_FOR_CORRECTION: Text("退回修改", "Returned for correction"),
    State.AT_ADMINISTRATION: Text("管局审核中", "At the Administration"),
    State.SMS_PENDING: Text("短信核验待完成", "SMS verification pending"),
    State.APPROVED: Text("已备案", "Approved"),
    State.RETURNED_BY_ADMINISTRATION: Text("管局退回", "Returned by the Administration"),
}

OPEN_STATES = frozenset(set(State) - {State.APPROVED})
# The filing information and the documents may change while the case is prepared or corrected, not once it moved on.
EDITABLE_STATES = frozenset({State.DRAFT, State.ONSITE, State.RETURNED_FOR_CORRECTION, State.RETURNED_BY_ADMINISTRATION})


class Guard(StrEnum):
    """Extra conditions some moves need, checked by kiosk.cases against the stored case."""

    CHECKS_CURRENT = "checks_current"  # no document's checks compared with typed data that changed since (re-check)
    ATTACHMENTS_COMPLETE = "attachments_complete"  # every required attachment present and accepted
    RECORD_NUMBER = "record_number"  # a valid record number for the case's province
    SMS_PILOT = "sms_pilot"  # only in SMS-verification pilot provinces
    NOT_SMS_PILOT = "not_sms_pilot"  # only outside them
    FACE_MATCH = "face_match"  # the live face matches the ID card portrait, or a second user approved (kiosk.identity)
    NOT_VERIFIER = "not_verifier"  # four eyes: made by someone other than the user who finished the verification


@dataclass(frozen=True, slots=True)
class Move:
    """One allowed step of a case from `source` to `target`. `seals`: the move seals the case's evidence in the
    archive (kiosk.cases.move_case then needs the archive)."""

    name: str
    source: State
    target: State
    label: Text
    needs_reason: bool = False
    guards: tuple[Guard, ...] = ()
    roles: frozenset[Role] = STAFF_ROLES
    seals: bool = False


MOVES: tuple[Move, ...] = (
    Move("start_verification", State.DRAFT, State.ONSITE, Text("开始当面核验", "Start on-site verification")),
    Move("back_to_draft", State.ONSITE, State.DRAFT, Text("退回草稿", "Back to draft"), needs_reason=True),
    Move(
        "finish_verification",
        State.ONSITE,
        State.AWAITING_AUDIT,
        Text("完成核验，提交内部审核", "Finish verification, submit for internal audit"),
        guards=(Guard.CHECKS_CURRENT, Guard.ATTACHMENTS_COMPLETE, Guard.FACE_MATCH),
        seals=True,
    ),
    Move("withdraw", State.AWAITING_AUDIT, State.DRAFT, Text("撤回", "Withdraw"), needs_reason=True),
    Move("pass_audit", State.AWAITING_AUDIT, State.AUDIT_PASSED, Text("内部审核通过", "Pass internal audit"),
         guards=(Guard.NOT_VERIFIER, Guard.CHECKS_CURRENT)),
    Move(
        "return_for_correction",
        State.AWAITING_AUDIT,
        State.RETURNED_FOR_CORRECTION,
        Text("退回修改", "Return for correction"),
        needs_reason=True,
    ),
    Move("reopen", State.RETURNED_FOR_CORRECTION, State.ONSITE, Text("重新核验", "Reopen for verification")),
    Move(
        "submit_to_administration",
        State.AUDIT_PASSED,
        State.AT_ADMINISTRATION,
        Text("提交管局", "Submit to the Administration"),
        guards=(Guard.CHECKS_CURRENT,),
    ),
    Move(
        "await_sms",
        State.AT_ADMINISTRATION,
        State.SMS_PENDING,
        Text("等待短信核验", "Wait for SMS verification"),
        guards=(Guard.SMS_PILOT,),
    ),
    Move(
        "approve",
        State.AT_ADMINISTRATION,
        State.APPROVED,
        Text("管局审核通过", "Approved by the Administration"),
        guards=(Guard.NOT_SMS_PILOT, Guard.RECORD_NUMBER),
    ),
    Move(
        "approve_after_sms",
        State.SMS_PENDING,
        State.APPROVED,
        Text("短信核验完成，已备案", "SMS verified, approved"),
        guards=(Guard.RECORD_NUMBER,),
    ),
    Move(
        "administration_return",
        State.AT_ADMINISTRATION,
        State.RETURNED_BY_ADMINISTRATION,
        Text("管局退回", "Returned by the Administration"),
        needs_reason=True,
    ),
    Move(
        "sms_return",
        State.SMS_PENDING,
        State.RETURNED_BY_ADMINISTRATION,
        Text("短信核验未通过，退回", "SMS verification failed, returned"),
        needs_reason=True,
    ),
    Move(
        "restart_after_return",
        State.RETURNED_BY_ADMINISTRATION,
        State.ONSITE,
        Text("重新核验", "Reopen for verification"),
    ),
)
MOVES_BY_NAME: dict[str, Move] = {m.name: m for m in MOVES}


def moves_from(state: str, province: str, *, sms_verification: bool = True) -> list[Move]:
    """The moves that may be offered for a case in `state` in `province` (guards on data are checked later).

    `sms_verification=False` for filings the Administration's SMS check does not apply to (kiosk.filing)."""
    pilot = is_sms_pilot(province) and sms_verification
    result = []
    for move in MOVES:
        if move.source != state:
            continue
        if Guard.SMS_PILOT in move.guards and not pilot:
            continue
        if Guard.NOT_SMS_PILOT in move.guards and pilot:
            continue
        result.append(move)
    return result


def find_move(state: str, name: str, province: str, *, sms_verification: bool = True) -> Move:
    """The move `name` from `state`, or KioskError(illegal_move) naming what is allowed instead."""
    move = MOVES_BY_NAME.get(name)
    allowed = moves_from(state, province, sms_verification=sms_verification)
    if move is None or move not in allowed:
        state_name = STATE_NAMES[State(state)]
        allowed_zh = "、".join(m.label.zh for m in allowed) or "无"
        allowed_en = ", ".join(m.label.en for m in allowed) or "none"
        raise KioskError(
            "illegal_move",
            Text(
                f"当前状态“{state_name.zh}”下不能执行此操作。可执行：{allowed_zh}",
                f"This move is not allowed in state “{state_name.en}”. Allowed: {allowed_en}",
            ),
            status=409,
        )
    return move
