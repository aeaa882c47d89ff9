"""Document checks: one module per check, each with `CODE` and `check(obs, thresholds) -> CheckResult`.

`CHECKS` is the explicit registry, each entry with the words staff read for its value (`MEASURES`: name, unit,
direction of the limit, decimals; tests/core/test_readouts.py fails on a check without one); `run_document_checks` runs the kind's list through the shared executor
(kiosk.checkresult.run_checks: a check that raises becomes an `error` result and the others still run).
"""

from __future__ import annotations

from typing import Any

from kiosk.checkresult import Check, CheckResult, Limit, Measure, run_checks
from kiosk.documents.checks import (
    appended,
    case_match,
    colour,
    credit_code,
    edges,
    fingerprint,
    glare,
    id_number,
    resolution,
    screen,
    seal,
    sharpness,
    sheet_subject,
    side,
    signature,
    validity,
)
from kiosk.documents.observation import Observation
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

MODULES = (colour, edges, resolution, sharpness, glare, screen, side, id_number, credit_code, validity, case_match, seal,
           signature, appended, sheet_subject, fingerprint)

# How staff read each check's value and limit (DocumentThresholds holds the limits and their units).
MEASURES: dict[str, Measure] = {
    colour.CODE: Measure(Text("色彩饱和度", "Colour saturation"), "", Limit.MIN, digits=1),
    edges.CODE: Measure(Text("被截断的边", "Edges cut off"), "", Limit.EQUAL),
    resolution.CODE: Measure(Text("分辨率", "Resolution"), "", Limit.MIN),
    sharpness.CODE: Measure(Text("清晰度", "Sharpness"), "", Limit.MIN, digits=2),
    glare.CODE: Measure(Text("反光面积（占证件）", "Glare (of the document)"), "%", Limit.MAX, scale=100.0, digits=2),
    screen.CODE: Measure(Text("屏幕网纹强度", "Screen pattern strength"), "", Limit.MAX, digits=2),
    side.CODE: Measure(Text("识别到本面的关键词", "Keywords of this side read"), "", Limit.MIN),
    id_number.CODE: Measure(Text("身份证号码校验", "ID number check")),
    credit_code.CODE: Measure(Text("统一社会信用代码校验", "Credit code check")),
    validity.CODE: Measure(Text("剩余有效期", "Validity left"), Text("天", "days"), Limit.MIN,
                           limit_unit=Text("个月", "months")),
    case_match.CODE: Measure(Text("与录入信息不一致的项", "Fields differing from the case"), "", Limit.EQUAL),
    seal.CODE: Measure(Text("公章圆环完整度", "Seal ring complete"), "%", Limit.MIN, scale=100.0),
    signature.CODE: Measure(Text("签字区墨迹比例", "Ink in the signature area"), "%", Limit.MIN, scale=100.0, digits=1),
    sheet_subject.CODE: Measure(Text("与录入主体名称不一致", "Differs from the typed subject name"), "", Limit.EQUAL),
    fingerprint.CODE: Measure(Text("手印纹线强度", "Fingerprint ridge strength"), "", Limit.MIN, digits=2),
    appended.CODE: Measure(Text("图像后附加数据", "Data after the image"), Text("字节", "bytes"), Limit.EQUAL),
}
# A check reporting one of several measures, keyed by its result's `measure` (or `unit`) detail.
SUB_MEASURES: dict[str, dict[str, Measure]] = {
    resolution.CODE: {"px": Measure(Text("证件宽度", "Card width"), "px", Limit.MIN),
                      "dpi": Measure(Text("扫描分辨率", "Scan resolution"), "dpi", Limit.MIN)},
}


def _entry(module: Any) -> Check[Observation, DocumentThresholds]:
    m = MEASURES[module.CODE]
    return Check(module.CODE, module.check, (module.__doc__ or "").strip().split("\n")[0], name=m.name, unit=m.unit,
                 limit=m.limit, scale=m.scale, digits=m.digits, measures=SUB_MEASURES.get(module.CODE, {}),
                 limit_unit=m.limit_unit)


CHECKS: dict[str, Check[Observation, DocumentThresholds]] = {m.CODE: _entry(m) for m in MODULES}
# Checks that compare the document with what staff typed (kiosk.documents.basis): a re-check runs these again.
CASE_DATA_CHECKS = frozenset({case_match.CODE, seal.CODE, sheet_subject.CODE, fingerprint.CODE})
# The scaled copies of a sheet the image checks read (Observation.scaled): made while the OCR runs (inspect).
SHEET_COPY_WIDTHS = frozenset({colour.WIDTH, glare.WIDTH, seal.WIDTH, sharpness.SHEET_WIDTH})
CHECK_ERROR = Text("检查出错，请人工核对", "The check failed to run: check by eye")


def run_document_checks(obs: Observation, codes: tuple[str, ...], cfg: DocumentThresholds) -> tuple[CheckResult, ...]:
    """Run the kind's checks (`codes`, in order) through the shared executor."""
    return run_checks((CHECKS[code] for code in codes), obs, cfg, error_message=CHECK_ERROR)
