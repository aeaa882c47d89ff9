"""The calibration page's camera check (calibration.camera_check) on generated curtains
(tests/calibration/curtains.py: folds 0.08, light fall-off 0.18, noise σ 2.5, the wordmark at WORDMARK_REGION,
filling the frame); each test says what it changed. Every item passes, warns or fails with words saying what to
adjust and its limits with units."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from calibration.camera_check import CHECK_CODES, check_camera, summary
from tests.calibration.curtains import WORDMARK_REGION, curtain

WHOLE = (0.0, 0.0, 1.0, 1.0)


def items(still: np.ndarray, wordmark=WORDMARK_REGION, **kw) -> dict[str, dict]:
    return {item["code"]: item for item in check_camera(still, WHOLE, wordmark, **kw)}


@pytest.mark.parametrize("colour", ["blue", "white", "grey", "red"])
def test_a_well_lit_sharp_curtain_passes_every_item(colour: str) -> None:
    result = items(curtain(colour, wordmark=True))
    assert list(result) == list(CHECK_CODES)
    assert summary(list(result.values())) == dict.fromkeys(CHECK_CODES, "pass")
    for item in result.values():
        assert item["value"] and item["limit"]["zh"] and item["limit"]["en"] and item["message"]["zh"]


def test_resolution_below_800x600_fails_and_below_1280x720_warns() -> None:
    """Made: the same curtain at 640×480 and 1024×576."""
    small = items(curtain("blue", wordmark=True, size=(640, 480)))["resolution"]
    assert small["status"] == "fail" and small["value"] == "640×480 px" and "800×600" in small["message"]["zh"]
    medium = items(curtain("blue", wordmark=True, size=(1024, 576)))["resolution"]
    assert medium["status"] == "fail"  # 576 < 600 on the short side
    assert items(curtain("blue", wordmark=True, size=(1024, 768)))["resolution"]["status"] == "warn"
    assert items(curtain("blue", wordmark=True, size=(720, 1280)))["resolution"]["status"] == "pass"  # portrait


def test_a_dark_curtain_fails_exposure_saying_turn_on_the_light() -> None:
    """Made: the blue curtain's pixels times 0.25 (a lamp off)."""
    dark = (curtain("blue", wordmark=True).astype(np.float32) * 0.25).astype(np.uint8)
    exposure = items(dark)["exposure"]
    assert exposure["status"] == "fail"
    assert exposure["message"] == {"zh": "画面偏暗：请开灯或调高曝光", "en": "Too dark: turn on the light or raise exposure"}
    assert "/ 255" in exposure["value"] and "/ 255" in exposure["limit"]["en"]
    dim = (curtain("blue", wordmark=True).astype(np.float32) * 0.42).astype(np.uint8)
    assert items(dim)["exposure"]["status"] == "warn"


def test_a_burnt_out_white_curtain_fails_exposure_saying_lower_it() -> None:
    """Made: the white curtain times 1.3, clipped at 255 (overexposed)."""
    bright = np.clip(curtain("white", wordmark=True).astype(np.float32) * 1.3, 0, 255).astype(np.uint8)
    exposure = items(bright)["exposure"]
    assert exposure["status"] == "fail" and "过曝" in exposure["message"]["zh"]
    assert exposure["clipped_bright"] > 0.10


def test_a_yellow_cast_on_a_white_curtain_fails_white_balance_naming_the_cast() -> None:
    """Made: the white curtain with blue lowered by 40 and red raised by 5 (warm light, auto white balance off)."""
    warm = curtain("white", wordmark=True).astype(np.int16)
    warm[..., 0] -= 40
    warm[..., 2] += 5
    wb = items(np.clip(warm, 0, 255).astype(np.uint8))["white_balance"]
    assert wb["status"] == "fail" and "偏黄" in wb["message"]["zh"] and "yellowish" in wb["message"]["en"]
    assert "ΔC" in wb["value"] and "中性" in wb["limit"]["zh"]


def test_a_coloured_curtain_is_compared_with_the_previous_calibration() -> None:
    """Made: the blue curtain checked against its own colour (pass) and against the red curtain's (fail)."""
    blue = curtain("blue", wordmark=True)
    first = items(blue)["white_balance"]
    assert first["status"] == "pass" and first["reference_lab"] is None  # the first calibration sets it
    same = items(blue, reference_lab=first["lab"])["white_balance"]
    assert same["status"] == "pass" and same["delta_c"] < 1
    red_lab = items(curtain("red", wordmark=True))["white_balance"]["lab"]
    assert items(blue, reference_lab=red_lab)["white_balance"]["status"] == "fail"


def test_a_blurred_picture_fails_focus_on_the_wordmark_and_on_the_bare_curtain() -> None:
    """Made: the curtain through a Gaussian blur of σ 3 px (out of focus)."""
    sharp = curtain("blue", wordmark=True)
    blurred = cv2.GaussianBlur(sharp, (0, 0), 3)
    on_wordmark = items(blurred)["focus"]
    assert on_wordmark["status"] == "fail" and on_wordmark["on"] == "wordmark" and "调焦" in on_wordmark["message"]["zh"]
    assert items(blurred, wordmark=None)["focus"]["status"] == "fail"
    assert items(sharp, wordmark=None)["focus"] | {} and items(sharp, wordmark=None)["focus"]["on"] == "curtain"
    assert items(sharp, wordmark=None)["focus"]["status"] == "pass"
