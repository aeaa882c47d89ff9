"""What each attachment kind is: its family (ID card side, certificate, sheet), physical size, whether its scan
is stored encrypted, and which checks run on it (an explicit list per family)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.text import KioskError, Text

ID_FRONT = "id_front"
ID_BACK = "id_back"
CERTIFICATE = "certificate"
SHEET = "sheet"
DOMAIN = "domain"

CARD_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1, the resident identity card
A4_MM = (210.0, 297.0)

IMAGE_CHECKS = ("colour", "edges", "resolution", "sharpness", "glare", "screen", "appended_data")

FAMILY_CHECKS: dict[str, tuple[str, ...]] = {
    ID_FRONT: IMAGE_CHECKS + ("side", "id_number", "case_match"),
    ID_BACK: IMAGE_CHECKS + ("side", "validity"),
    CERTIFICATE: IMAGE_CHECKS + ("credit_code", "validity", "case_match"),
    SHEET: IMAGE_CHECKS + ("seal", "signature", "fingerprint", "case_match", "sheet_subject"),
    DOMAIN: IMAGE_CHECKS + ("validity", "case_match"),
}


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    family: str
    name: Text
    encrypt: bool  # ID and licence scans are personal data: stored encrypted
    card: bool  # an ID-1 card (fixed size and aspect) rather than a sheet of paper
    pair: str | None = None  # the other side of the same card

    @property
    def checks(self) -> tuple[str, ...]:
        return FAMILY_CHECKS[self.family]


KINDS: dict[str, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec("subject_certificate", CERTIFICATE, Text("主体证件", "Subject certificate"), True, False),
        KindSpec("principal_id_front", ID_FRONT, Text("主体负责人身份证人像面", "Principal's ID, portrait side"), True, True, "principal_id_back"),
        KindSpec("principal_id_back", ID_BACK, Text("主体负责人身份证国徽面", "Principal's ID, emblem side"), True, True, "principal_id_front"),
        KindSpec("leader_id_front", ID_FRONT, Text("网站负责人身份证人像面", "Website leader's ID, portrait side"), True, True, "leader_id_back"),
        KindSpec("leader_id_back", ID_BACK, Text("网站负责人身份证国徽面", "Website leader's ID, emblem side"), True, True, "leader_id_front"),
        KindSpec("verification_sheet", SHEET, Text("核验单", "Verification sheet"), False, False),
        KindSpec("domain_certificate", DOMAIN, Text("域名证书", "Domain certificate"), False, False),
    )
}


def kind_spec(kind: str) -> KindSpec:
    """The spec of a document kind; KioskError for anything else (the verification photo is the booth's)."""
    try:
        return KINDS[kind]
    except KeyError:
        raise KioskError(
            "document_kind_unknown", Text("不是可上传的证件类型", f"{kind!r} is not a document kind that can be uploaded")
        ) from None
