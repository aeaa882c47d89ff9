"""The verification sheet's subject name is compared with the case's (kiosk.documents.checks.sheet_subject), with
the canned OCR engine: the lines the specimen printed, or those lines edited the way OCR gets them wrong."""

from __future__ import annotations

import pytest

from kiosk.documents import specimens as S
from kiosk.documents.inspect import inspect_document
from kiosk.documents.ocr import TextLine
from kiosk.documents.readings import read_sheet_subject_name
from tests.documents.canned_ocr import CannedOcr
from tests.documents.conftest import TODAY

SUBJECT = "样本科技(北京)有限公司"


@pytest.fixture(scope="module")
def sheet() -> S.Image.Image:
    """The sealed, signed sheet of SUBJECT at 150 dpi (only the subject-name check is looked at here)."""
    return S.verification_sheet(subject=SUBJECT, dpi=150)


def _result(sheet, lines, typed: str):
    report = inspect_document("verification_sheet", S.jpeg_bytes(sheet), "sheet.jpg",
                              {"subject_name": typed, "domain": "example-specimen.cn"}, today=TODAY,
                              engine=CannedOcr(tuple(lines)))
    [result] = [r for r in report.results if r.code == "sheet_subject"]
    return report, result


def _reread(sheet, text: str) -> list:
    """The printed lines with the subject name read as `text`."""
    return [(text if t == SUBJECT else t, box) for t, box in S.printed_lines(sheet)]


def test_the_sheets_subject_matches_the_case(sheet) -> None:
    report, result = _result(sheet, S.printed_lines(sheet), SUBJECT)
    assert result.status == "pass" and report.readings["subject_name"] == SUBJECT


def test_ocr_spacing_and_full_width_brackets_are_forgiven(sheet) -> None:
    _report, result = _result(sheet, _reread(sheet, "样本科技 （北京） 有限公司"), SUBJECT)
    assert result.status == "pass"
    _report, result = _result(sheet, S.printed_lines(sheet), "样本科技（北京）有限公司")
    assert result.status == "pass"


@pytest.mark.parametrize("typed", ["另一科技(北京)有限公司", "样本科技(北京)有限公司上海分公司"])
def test_another_subject_on_the_sheet_fails(sheet, typed: str) -> None:
    report, result = _result(sheet, S.printed_lines(sheet), typed)
    assert result.status == "fail" and result.reason == "subject_name_mismatch" and not report.passed
    assert SUBJECT in result.message.zh and typed in result.message.zh and typed in result.message.en


def test_an_unread_subject_name_needs_staff(sheet) -> None:
    lines = [(t, box) for t, box in S.printed_lines(sheet) if t not in ("主体单位名称", SUBJECT)]
    report, result = _result(sheet, lines, SUBJECT)
    assert result.status == "uncertain" and result.reason == "subject_name_unread"
    assert not report.passed and "人工核对" in result.message.zh  # accepting it needs a written reason


def test_the_kiosks_own_sheet_label_is_read_beside_its_english_gloss() -> None:
    """kiosk.sheet prints "主办者名称 Subject name" in the label cell and the name in the next cell."""
    lines = [TextLine("主办者名称 Subject name", (100, 400, 380, 430), 0.95),
             TextLine("样本科技（北京）有限公司", (420, 402, 800, 428), 0.96),
             TextLine("网站名称", (100, 900, 220, 930), 0.95), TextLine("样本官网", (420, 900, 560, 930), 0.95)]
    assert read_sheet_subject_name(lines) == "样本科技（北京）有限公司"
    assert read_sheet_subject_name(lines[2:]) is None
