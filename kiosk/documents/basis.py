"""What a document's checks compared with, and whether it still holds.

`expected_values(case, kind)` is what staff typed that a document of `kind` should show (names, ID type and
number, subject name, credit code, domains, and the rules that follow from subject type and province). When the
checks run, `snapshot` records it with the attachment as one SHA-256 per field (`Attachment.checked_against`: no
typed data copied). A later edit of the case that changes one of those fields makes the attachment stale
(`changed_fields`): it needs a re-check (kiosk.documents.desk.recheck, a new attachment row: the old one and any
sealed record stay as they were) before the case moves on (`require_current`, a guard of kiosk.cases). Fields
the checks do not use (a mobile number, a website's name) never make anything stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from kiosk.documents.kinds import KINDS
from kiosk.models import Attachment, AttachmentStatus, Case
from kiosk.text import KioskError, Text
from kiosk.workflow import (
    ATTACHMENT_NAMES,
    GB11643_ID_TYPES,
    AttachmentKind,
    SubjectType,
    sheet_needs_fingerprint,
)

# Whose ID card each kind is.
ID_CARD_KINDS = {"principal": ("principal_id_front", "principal_id_back"), "website_leader": ("leader_id_front", "leader_id_back")}

# What the pages call each field a check compares with (kiosk.words "basis_field").
BASIS_FIELD_NAMES: dict[str, Text] = {
    "name": Text("姓名", "name"),
    "id_type": Text("证件类型", "ID type"),
    "id_number": Text("证件号码", "ID number"),
    "subject_name": Text("主体名称", "subject name"),
    "credit_code": Text("统一社会信用代码", "credit code"),
    "domain": Text("网站域名", "domains"),
    "require_seal": Text("主体类型（是否须盖公章）", "subject type (whether a seal is needed)"),
    "require_fingerprint": Text("主体类型与省份（是否须按手印）", "subject type and province (whether a fingerprint is needed)"),
}


def expected_values(case: Case, kind: str) -> dict[str, Any]:
    """What staff typed into the case that a document of `kind` should show."""
    out: dict[str, Any] = {}
    for role, kinds in ID_CARD_KINDS.items():
        if kind in kinds:
            person = case.person(role) or (case.person("principal") if case.subject_type == SubjectType.INDIVIDUAL else None)
            if person is not None:
                out["id_type"] = person.id_type
                if person.id_type in GB11643_ID_TYPES:
                    out.update(name=person.name, id_number=person.id_number)
    if kind == "subject_certificate":
        out["subject_name"] = case.subject_name
        if case.subject_cert_type == "credit_code":
            out["credit_code"] = case.subject_cert_number
    if kind in ("verification_sheet", "domain_certificate"):
        out["domain"] = [w.domain for w in case.websites]
    if kind == "verification_sheet":
        out["subject_name"] = case.subject_name
        out["require_seal"] = case.subject_type != SubjectType.INDIVIDUAL
        out["require_fingerprint"] = sheet_needs_fingerprint(case.subject_type, case.province)
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def snapshot(expected: dict[str, Any]) -> dict[str, str]:
    """One hash per typed field the checks compared with (stored with the attachment)."""
    return {key: _digest(value) for key, value in sorted(expected.items())}


def changed_fields(case: Case, att: Attachment) -> list[str]:
    """The fields the attachment's checks compared with that differ from the case now (empty: still current, or
    checked before snapshots were kept)."""
    if att.checked_against is None or att.kind not in KINDS:
        return []
    now = snapshot(expected_values(case, att.kind))
    then = att.checked_against
    return sorted(key for key in set(now) | set(then) if now.get(key) != then.get(key))


@dataclass(frozen=True)
class StaleDocument:
    attachment: Attachment
    fields: list[str]

    @property
    def label(self) -> Text:
        """"主体负责人身份证（人像面）（姓名）" / "Principal's ID card (portrait side) (name)"."""
        kind = ATTACHMENT_NAMES[AttachmentKind(self.attachment.kind)]
        names = [BASIS_FIELD_NAMES.get(f, Text(f, f)) for f in self.fields]
        return Text(f"{kind.zh}（{'、'.join(n.zh for n in names)}）", f"{kind.en} ({', '.join(n.en for n in names)})")


def stale_documents(case: Case) -> list[StaleDocument]:
    """The case's current documents (checked or accepted) whose checks compared with data that has changed since."""
    out = []
    for att in case.attachments:
        if att.status in (AttachmentStatus.CHECKED, AttachmentStatus.ACCEPTED):
            fields = changed_fields(case, att)
            if fields:
                out.append(StaleDocument(att, fields))
    return out


def require_current(case: Case) -> None:
    """KioskError(checks_stale, 409) naming each stale document and the changed fields; nothing when none is."""
    stale = stale_documents(case)
    if stale:
        raise KioskError(
            "checks_stale",
            Text("录入信息已修改，以下材料需重新核验：" + "；".join(s.label.zh for s in stale),
                 "The typed data changed; re-check these documents first: " + "; ".join(s.label.en for s in stale)),
            status=409,
        )
