"""The words staff read for each check (kiosk.checkresult.describe with each photo check's metadata) and the
grey band arithmetic (kiosk.checkresult.grade). No models: results are built by hand."""

from __future__ import annotations

import pytest

from kiosk.checkresult import (
    FAIL,
    PASS,
    UNCERTAIN,
    Check,
    Limit,
    describe,
    failed,
    grade,
    passed,
    skipped,
    uncertain,
)
from kiosk.photo.checks import CHECKS, CHECKS_BY_CODE
from kiosk.photo.checks import describe as describe_photo
from kiosk.photo.checks.base import band
from kiosk.photo.config import JudgeConfig
from kiosk.text import Text


def test_head_turn_in_words() -> None:
    result = failed("frontal", reason="head_turned", message=Text("请正对镜头", "Face the camera"),
                    value=23.4, threshold=20.0, measure="yaw")
    text = describe_photo(result)
    assert text.zh == "头部左右偏转 23°（上限 20°）"
    assert text.en == "Head turned 23° (limit 20°)"


def test_each_head_axis_has_its_own_name() -> None:
    names = {m: describe_photo(passed("frontal", value=3.0, threshold=12.0, measure=m)).en
             for m in ("yaw", "pitch", "roll")}
    assert names == {"yaw": "Head turned 3° (limit 12°)", "pitch": "Head raised or lowered 3° (limit 12°)",
                     "roll": "Head tilted 3° (limit 12°)"}


def test_fractions_are_shown_as_percent() -> None:
    text = describe_photo(uncertain("centred", reason="off_centre", message=Text("确认", "Confirm"), value=0.081,
                                    threshold=0.07))
    assert text.zh == "偏离画面中心（占画面宽度） 8%（上限 7%）"
    assert text.en == "Off centre (of the frame width) 8% (limit 7%)"


def test_minimum_and_range_limits() -> None:
    assert describe_photo(failed("sharp", reason="blurred", message=Text("模糊", "Blurred"), value=0.9,
                                 threshold=1.2)).en == "Sharpness 0.90 (minimum 1.20)"
    assert describe_photo(passed("exposure", value=131.0, threshold="70.0..225.0")).zh == \
        "面部亮度（0–255） 131（范围 70–225）"


def test_a_result_without_a_value_gives_name_and_message() -> None:
    text = describe_photo(skipped("hat", reason="no_person", message=Text("画面中没有人，未检查", "No one: not checked")))
    assert text.zh == "帽子/头饰特征（1.00 为限值）：画面中没有人，未检查"


def test_every_photo_check_has_words() -> None:
    for check in CHECKS:
        assert check.name is not None and check.name.zh and check.name.en, check.code
        for measure in check.measures.values():
            assert measure.name.zh and measure.name.en, check.code


def test_document_checks_still_construct_with_three_fields() -> None:
    """The shared registry entry keeps its defaults: Check(code, run, description) works as before."""
    check = Check("screen", lambda obs, cfg: passed("screen"), "not a photo of a screen")
    assert check.name is None and check.limit is None and check.measures == {}
    assert describe(passed("screen", value=1.5, threshold=2.0), check).en == "screen 2"


@pytest.mark.parametrize(("value", "expected"), [(17.9, PASS), (18.1, UNCERTAIN), (20.0, UNCERTAIN), (22.9, UNCERTAIN),
                                                 (23.1, FAIL)])
def test_grade_max_with_a_band(value: float, expected: str) -> None:
    assert grade(value, 20.0, (2.0, 3.0)) == expected


@pytest.mark.parametrize(("value", "expected"), [(1.19, FAIL), (1.2, UNCERTAIN), (1.34, UNCERTAIN), (1.36, PASS)])
def test_grade_min_with_a_band(value: float, expected: str) -> None:
    assert grade(value, 1.2, (0.0, 0.15), Limit.MIN) == expected


def test_bands_follow_their_limit() -> None:
    """Bands are fractions of the limit: a stricter profile narrows them, a limit of 0 has none."""
    cfg = JudgeConfig()
    assert band(cfg.max_yaw, cfg.yaw_band) == pytest.approx((1.5, 3.0))
    assert band(5.0, cfg.yaw_band) == pytest.approx((0.375, 0.75))
    assert band(0.0, cfg.centre_band) == (0.0, 0.0)


def test_registry_by_code() -> None:
    assert set(CHECKS_BY_CODE) == {c.code for c in CHECKS}
