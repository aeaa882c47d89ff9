"""What was read matches what staff typed into the case (ID number and name; credit code and subject name;
domain). Fields the case does not give are not compared; a typed field that could not be read fails."""

from __future__ import annotations

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "case_match"

FIELD_NAMES = {
    "name": Text("姓名", "name"),
    "id_number": Text("身份证号码", "ID number"),
    "credit_code": Text("统一社会信用代码", "credit code"),
    "subject_name": Text("主体名称", "subject name"),
    "domain": Text("域名", "domain"),
}


def _norm(value: str) -> str:
    return "".join(str(value).split()).upper().replace("（", "(").replace("）", ")")


def compare(
    readings: dict, expected: dict, fields: tuple[str, ...], any_domain: bool = False
) -> list[dict[str, str | None]]:
    """Mismatches: one dict per typed field whose reading differs or is missing.

    Domains: every typed domain must be read (the sheet lists them all), or with `any_domain` one of them (a
    domain certificate is for one domain of the case)."""
    out: list[dict[str, str | None]] = []
    for fld in fields:
        typed = expected.get(fld)
        if not typed:
            continue
        if fld == "domain":
            read_list = readings.get("domains") or []
            wanted = [typed] if isinstance(typed, str) else list(typed)
            if any_domain and any(d.lower() in read_list for d in wanted):
                continue
            for d in wanted:
                if d.lower() not in read_list:
                    out.append({"field": fld, "typed": d, "read": ", ".join(read_list) or None})
            continue
        read = readings.get(fld)
        if not read or _norm(read) != _norm(typed):
            out.append({"field": fld, "typed": str(typed), "read": read})
    return out


MATCH_FIELDS = {
    "id_front": ("name", "id_number"),
    "certificate": ("credit_code", "subject_name"),
    "domain": ("domain",),
    "sheet": ("domain",),
}


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    fields = MATCH_FIELDS.get(obs.spec.family, ())
    compared = [f for f in fields if obs.expected.get(f)]
    if not compared:
        return skipped(CODE, reason="nothing_typed", message=Text("案件中无可比对的信息", "Nothing typed in the case to compare"))
    mismatches = compare(obs.readings, obs.expected, fields, any_domain=obs.spec.family == "domain")
    if mismatches:
        names_zh = "、".join(FIELD_NAMES[str(m["field"])].zh for m in mismatches)
        names_en = ", ".join(FIELD_NAMES[str(m["field"])].en for m in mismatches)
        return failed(CODE, reason="mismatch", value=float(len(mismatches)), threshold=0,
                      message=Text(f"识别结果与录入信息不一致：{names_zh}", f"What was read differs from what was typed: {names_en}"),
                      mismatches=mismatches)
    return passed(CODE, value=0.0, threshold=0, message=Text("与录入信息一致", "Matches the case"), compared=compared)
