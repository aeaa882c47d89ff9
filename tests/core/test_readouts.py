"""Check results in words (kiosk.readouts): name, value with unit, limit with direction, for every photo and
document check and from every stored form of a result (CheckResult, its JSON, a CheckResultRow)."""

from __future__ import annotations

import re

import pytest

from kiosk.checkresult import Check, Limit, describe, failed, passed
from kiosk.documents.checks import CHECKS as DOCUMENT_CHECKS
from kiosk.documents.checks import MEASURES
from kiosk.models import CheckResultRow
from kiosk.photo.checks import CHECKS as PHOTO_CHECKS
from kiosk.readouts import REGISTRIES, readout
from kiosk.text import Text

# a bare pair of numbers ("26.9258 / 15.0") or a float with more than two decimals is not a reading
BARE = re.compile(r"\d+(\.\d+)?\s*/\s*\d+(\.\d+)?|\d\.\d{3,}")


def test_the_examples_of_the_issue() -> None:
    assert readout(passed("sharpness", value=0.62, threshold=0.4), "document_check") == Text(
        "清晰度 0.62（下限 0.40）", "Sharpness 0.62 (minimum 0.40)")
    assert readout(failed("frontal", reason="head_turned", message=Text("请正对镜头", "Face the camera"), value=12.3,
                          threshold=20.0, measure="yaw"), "photo_check") == Text(
        "头部左右偏转 12°（上限 20°）", "Head turned 12° (limit 20°)")
    assert readout(passed("exposure", value=132.4, threshold="60.0..200.0"), "photo_check").zh == \
        "面部亮度（0–255） 132（范围 60–200）"


def test_percent_pixels_counts_and_days() -> None:
    assert readout(passed("glare", value=0.0004, threshold=0.002), "document_check").en == \
        "Glare (of the document) 0.04% (limit 0.20%)"
    assert readout(passed("resolution", value=1203.4, threshold=1000.0, unit="px"), "document_check").zh == \
        "证件宽度 1203 px（下限 1000 px）"
    assert readout(passed("resolution", value=301.2, threshold=290.0, unit="dpi"), "document_check").en == \
        "Scan resolution 301 dpi (minimum 290 dpi)"
    assert readout(failed("case_match", reason="mismatch", message=Text("不一致", "Differs"), value=2.0, threshold=0),
                   "document_check") == Text("与录入信息不一致的项 2（应为 0）", "Fields differing from the case 2 (must be 0)")
    assert readout(passed("validity", value=45.0, threshold=3), "document_check") == Text(
        "剩余有效期 45天（下限 3个月）", "Validity left 45 days (minimum 3 months)")
    assert readout(passed("single_person", value=1.0, threshold=1.0), "photo_check").en == \
        "People in the picture 1 (limit 1)"


def test_milliseconds_and_a_limit_in_its_own_unit() -> None:
    """A unit that is no symbol takes a space ("850 ms"), in the value and in its limit."""
    timing = Check("ocr_time", lambda obs, cfg: passed("ocr_time"), name=Text("识别耗时", "OCR time"), unit="ms",
                   limit=Limit.MAX)
    assert describe(passed("ocr_time", value=849.6, threshold=1500), timing) == Text(
        "识别耗时 850 ms（上限 1500 ms）", "OCR time 850 ms (limit 1500 ms)")


def test_a_result_without_a_number_reads_its_message() -> None:
    text = readout(passed("id_number", threshold="GB 11643", message=Text("身份证号码校验通过", "ID number valid")),
                   "document_check")
    assert text == Text("身份证号码校验：身份证号码校验通过", "ID number check: ID number valid")


def test_stored_forms_read_the_same() -> None:
    """The verdict's JSON, the evidence snapshot's row form and a CheckResultRow give the same words."""
    result = failed("sharpness", reason="blurred", message=Text("模糊", "Blurred"), value=0.3123, threshold=0.4)
    row = CheckResultRow.from_result(0, result.as_dict())
    snapshot = {"code": row.code, "status": row.status, "value": row.value, "threshold": row.threshold,
                "reason": row.reason, "message": {"zh": row.message_zh, "en": row.message_en}}
    expected = Text("清晰度 0.31（下限 0.40）", "Sharpness 0.31 (minimum 0.40)")
    assert {readout(form, "document_check") for form in (result, result.as_dict(), row, snapshot)} == {expected}


def test_every_document_check_declares_its_measure() -> None:
    assert set(MEASURES) == set(DOCUMENT_CHECKS)
    for code, check in DOCUMENT_CHECKS.items():
        assert check.name is not None and check.name.zh and check.name.en, code


@pytest.mark.parametrize(("kind", "code"), [(kind, code) for kind, table in REGISTRIES.items() for code in table])
def test_every_check_reads_with_its_unit_and_limit(kind: str, code: str) -> None:
    """Each check's reading of an awkward float: its declared words, at most its decimals, its limit's direction."""
    check = REGISTRIES[kind][code]
    assert check.name is not None, f"{code} declares no name, unit or limit"
    for key, m in [(None, check.measure()), *check.measures.items()]:
        result = failed(code, reason="x", message=Text("x", "x"), value=26.9258, threshold=15.0,
                        **({"measure": key} if key else {}))
        text = readout(result, kind)
        assert text.zh.startswith(m.name.zh) and text.en.startswith(m.name.en), (code, key, text)
        assert not BARE.search(text.zh) and not BARE.search(text.en), (code, key, text)
        if m.limit is not None:
            word = {Limit.MIN: "下限", Limit.MAX: "上限", Limit.RANGE: "范围", Limit.EQUAL: "应为"}[m.limit]
            assert f"（{word} " in text.zh, (code, key, text)


def test_the_photo_registry_is_complete() -> None:
    assert set(REGISTRIES["photo_check"]) == {c.code for c in PHOTO_CHECKS}
