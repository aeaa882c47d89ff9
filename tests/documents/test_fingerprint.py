"""The fingerprint beside the signature on Jiangxi and Xinjiang individuals' sheets (kiosk.documents.checks.
fingerprint), with the canned OCR engine.

The prints are drawn by tests/documents/specimens._fingerprint: concentric, slightly squashed loops with a 0.5 mm
ridge period, wobbling with a few random low harmonics of the angle, broken where a smoothed noise field is low,
inside a ragged oval that fades at its edge, ink strength varying per pixel; in red ink-pad colour or dark ink,
pasted into the sheet's 手印 box beside the signature. The sheets are A4 at 300 dpi, scanned on the flatbed."""

from __future__ import annotations

import pytest

from kiosk.documents import specimens as S
from kiosk.documents.basis import expected_values
from kiosk.documents.inspect import inspect_document
from kiosk.models import Case
from kiosk.workflow import sheet_needs_fingerprint
from tests.documents.canned_ocr import CannedOcr
from tests.documents.conftest import TODAY

EXPECTED = {"require_fingerprint": True, "require_seal": False, "domain": "example-specimen.cn"}


def _fingerprint(fingerprint: str, *, expected: dict | None = None, drop_label: bool = False):
    flat = S.verification_sheet(sealed=False, fingerprint=fingerprint)
    lines = tuple(line for line in S.printed_lines(flat) if not (drop_label and line[0] == "手印："))
    report = inspect_document("verification_sheet", S.jpeg_bytes(S.flatbed(flat, margin=0.02)), "sheet.jpg",
                              EXPECTED if expected is None else expected, today=TODAY, engine=CannedOcr(lines))
    [result] = [r for r in report.results if r.code == "fingerprint"]
    return result


@pytest.mark.parametrize("ink", ["red", "dark"])
def test_a_pressed_fingerprint_passes(ink: str) -> None:
    result = _fingerprint(ink)
    assert result.status == "pass" and result.details["found_by"] == "label", result
    assert result.value is not None and result.value > 0.7  # measured 0.84-0.87
    assert 10 <= result.details["width_mm"] <= 20 and 12 <= result.details["height_mm"] <= 24


def test_the_template_area_is_used_when_the_label_is_not_read() -> None:
    result = _fingerprint("red", drop_label=True)
    assert result.status == "pass" and result.details["found_by"] == "template"


def test_an_empty_box_fails() -> None:
    result = _fingerprint("empty")
    assert result.status == "fail" and result.reason == "fingerprint_missing" and "手印" in result.message.zh


def test_a_red_seal_in_the_box_is_not_a_fingerprint() -> None:
    """A 20 mm round red seal where the print should be: fingertip-sized and red, but a ring, a star and glyphs
    on paper, no ridges (measured 0.09)."""
    result = _fingerprint("seal")
    assert result.status == "fail" and result.reason == "fingerprint_missing"
    [blob] = result.details["blobs"]
    assert blob["score"] < 0.2 and blob["ridge_density"] < 1.0


def test_sheets_that_need_none_skip_the_check() -> None:
    result = _fingerprint("empty", expected={**EXPECTED, "require_fingerprint": False})
    assert result.status == "skipped" and result.reason == "fingerprint_not_required"


@pytest.mark.parametrize("subject_type, province, needed", [
    ("individual", "jiangxi", True), ("individual", "xinjiang", True), ("individual", "beijing", False),
    ("enterprise", "jiangxi", False),
])
def test_the_rule_decides_which_sheets_need_one(subject_type: str, province: str, needed: bool) -> None:
    assert sheet_needs_fingerprint(subject_type, province) is needed
    case = Case(subject_type=subject_type, province=province, subject_name="样本", websites=[], people=[])
    assert expected_values(case, "verification_sheet")["require_fingerprint"] is needed
