"""What a case's verification sheet holds, as plain data: built from the case, hashed, split into pages.

Province rules printed on the sheet: in Beijing each domain is followed by its registrar; organisations get the
official-seal box; individuals in Jiangxi and Xinjiang the fingerprint box; individuals in Guangdong sign the
pledge printed above their signature (`PLEDGES`: a provider replaces the wording when its Administration changes it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from kiosk.filing import FILING_RULES, RECORD_REF_NAMES, RecordRef, parse_filing_type
from kiosk.models import Case
from kiosk.text import KioskError, Text
from kiosk.workflow import (
    ID_TYPES,
    PROVINCES,
    SUBJECT_CERTIFICATES,
    SUBJECT_TYPE_NAMES,
    SubjectType,
    sheet_needs_fingerprint,
)

REGISTRAR_PROVINCES = frozenset({"beijing"})
PLEDGES: dict[str, Text] = {
    "guangdong": Text(
        "本人承诺：所提交的备案信息真实、准确、完整，本人为所备案网站的实际开办者和负责人；网站不用于从事经营性活动，"
        "不涉及新闻、出版、教育、医疗保健、药品和医疗器械、文化、广播电影电视节目等需前置审批的内容；不将备案号转借他人使用。"
        "如有违反，本人愿承担由此产生的一切法律责任。",
        "I pledge that the filing information is true, accurate and complete and that I run and answer for the websites "
        "filed; they are not used for business and carry no content that needs prior approval; I lend the record number "
        "to no one. I answer for any breach.",
    ),
}


@dataclass(frozen=True, slots=True)
class SheetWebsite:
    name: str
    domain: str
    registrar: str | None  # printed after the domain where the province asks for it


@dataclass(frozen=True, slots=True)
class SheetPerson:
    role: str
    name: str
    id_type: str
    id_number: str
    mobile: str
    email: str


@dataclass(frozen=True, slots=True)
class SheetContent:
    """Everything the sheet prints about the case (not when nor by whom it was printed)."""

    case_number: str
    provider_name: str
    filing_type: str
    filing_name: str
    existing_record_label: str | None
    existing_record_number: str | None
    previous_provider: str | None
    subject_type: str
    subject_type_name: str
    subject_name: str
    certificate_name: str
    subject_cert_number: str
    province: str
    province_name: str
    principal: SheetPerson
    leader: SheetPerson
    websites: tuple[SheetWebsite, ...]
    individual: bool
    seal_box: bool
    fingerprint_box: bool
    pledge: str | None

    def canonical(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def sheet_problems(case: Case) -> list[Text]:
    """What the case lacks before its sheet can be printed (empty when it can)."""
    problems = []
    if case.province in REGISTRAR_PROVINCES:
        missing = [w.domain for w in case.websites if not w.registrar.strip()]
        if missing:
            problems.append(Text("北京的核验单须在每个域名后注明注册商，尚未填写：" + "、".join(missing),
                                 "Beijing sheets name each domain's registrar; missing for: " + ", ".join(missing)))
    if case.person("principal") is None or case.person("website_leader") is None:
        problems.append(Text("缺少主体负责人或网站负责人信息", "The principal or the website leader is missing"))
    return problems


def _person(case: Case, role: str) -> SheetPerson:
    p = case.person(role)
    assert p is not None
    return SheetPerson(role, p.name, ID_TYPES.get(p.id_type, Text(p.id_type, p.id_type)).zh, p.id_number, p.mobile, p.email)


def build_content(case: Case, provider_name: str) -> SheetContent:
    """The sheet's content for `case`; raises KioskError(sheet_incomplete) naming what is missing."""
    problems = sheet_problems(case)
    if problems:
        raise KioskError("sheet_incomplete", Text("；".join(p.zh for p in problems), "; ".join(p.en for p in problems)),
                         status=409)
    rule = FILING_RULES[parse_filing_type(case.filing_type)]
    subject = SubjectType(case.subject_type)
    individual = subject is SubjectType.INDIVIDUAL
    registrar = case.province in REGISTRAR_PROVINCES
    return SheetContent(
        case_number=case.number,
        provider_name=provider_name,
        filing_type=rule.type.value,
        filing_name=rule.name.zh,
        existing_record_label=RECORD_REF_NAMES[rule.record_ref].zh if rule.record_ref is not RecordRef.NONE else None,
        existing_record_number=case.existing_record_number,
        previous_provider=case.previous_provider,
        subject_type=subject.value,
        subject_type_name=SUBJECT_TYPE_NAMES[subject].zh,
        subject_name=case.subject_name,
        certificate_name=SUBJECT_CERTIFICATES[subject][1].zh,
        subject_cert_number=case.subject_cert_number,
        province=case.province,
        province_name=PROVINCES[case.province].name.zh,
        principal=_person(case, "principal"),
        leader=_person(case, "website_leader"),
        websites=tuple(SheetWebsite(w.name, w.domain, w.registrar if registrar else None) for w in case.websites),
        individual=individual,
        seal_box=not individual,
        fingerprint_box=sheet_needs_fingerprint(subject.value, case.province),
        pledge=PLEDGES[case.province].zh if individual and case.province in PLEDGES else None,
    )
