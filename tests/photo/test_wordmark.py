"""The wordmark check on real people placed on generated curtains (tests/calibration/curtains.py: folds 8 %,
light fall-off 18 %, camera noise and the white "BEIAN" wordmark top right; tests/photo/scenes.py `cut_out` +
`on_background`: the person cut out of a real good photo with the segmentation model, at booth framing,
480x640). Calibrated with calibration.backdrop_model from three empty frames, the wordmark's box marked."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from calibration.backdrop_model import model_from_frames
from kiosk.photo import JudgeConfig, PhotoJudge, load_image
from kiosk.photo.result import CheckResult
from tests.calibration.curtains import BOOTH, WORDMARK, WORDMARK_REGION, curtain
from tests.photo.conftest import PHOTOS
from tests.photo.scenes import CutOut, cut_out, on_background

pytestmark = pytest.mark.slow

CHEST_REGION = (0.30, 0.55, 0.70, 0.70)  # a wordmark behind the person's chest


@pytest.fixture(scope="module")
def person(judge: PhotoJudge) -> CutOut:
    return cut_out(judge, load_image(PHOTOS / "pass_hv_test4_standing_arms_down.jpg"))


def calibrated(colour: str, region: tuple[float, float, float, float] = WORDMARK_REGION,
               frames: list[np.ndarray] | None = None) -> JudgeConfig:
    frames = frames or [curtain(colour, wordmark=True, size=BOOTH, seed=i) for i in range(3)]
    return JudgeConfig.from_dict(model_from_frames(frames, wordmark=region)["thresholds"])


def judged(cfg: JudgeConfig, frame: np.ndarray) -> tuple[dict[str, str | None], CheckResult | None]:
    """The results that did not pass (code -> reason) and the wordmark result."""
    with PhotoJudge(cfg) as judge:
        verdict = judge.judge(frame)
    return {r.code: r.reason for r in verdict.results if r.status not in ("pass", "skipped")}, verdict.result("wordmark")


@pytest.mark.parametrize("colour", ["blue", "grey"])
def test_the_wordmark_as_calibrated_passes(person: CutOut, colour: str) -> None:
    """Made: the person on a new frame (other noise) of the calibrated curtain."""
    bad, result = judged(calibrated(colour), on_background(person, curtain(colour, wordmark=True, size=BOOTH, seed=7)))
    assert bad == {} and result is not None and result.status == "pass"


@pytest.mark.parametrize("colour", ["blue", "grey"])
def test_a_curtain_hung_back_to_front_fails_wordmark_only(person: CutOut, colour: str) -> None:
    """Made: the same scene, the wordmark's box flipped left to right in place (curtains.curtain mirrored=True)."""
    scene = on_background(person, curtain(colour, wordmark=True, mirrored=True, size=BOOTH, seed=7))
    bad, result = judged(calibrated(colour), scene)
    assert bad == {"wordmark": "mirrored"}
    assert result is not None and result.message.zh.startswith("幕布标识左右颠倒（镜像）")


def test_a_mirroring_camera_fails_wordmark_only(person: CutOut) -> None:
    """Made: the scene on the blue curtain flipped left to right as a whole (a camera set to mirror): the
    wordmark now reads mirrored on the other side."""
    scene = np.ascontiguousarray(on_background(person, curtain("blue", wordmark=True, size=BOOTH, seed=7))[:, ::-1])
    assert judged(calibrated("blue"), scene)[0] == {"wordmark": "mirrored"}


def test_a_curtain_without_the_wordmark_fails_wordmark_only(person: CutOut) -> None:
    """Made: the person on the grey curtain without a wordmark (another curtain hung), calibrated with it."""
    scene = on_background(person, curtain("grey", size=BOOTH, seed=7))
    assert judged(calibrated("grey"), scene)[0] == {"wordmark": "not_visible"}


def with_chest_wordmark(frame: np.ndarray) -> np.ndarray:
    out = frame.copy()
    w, h = BOOTH
    cv2.putText(out, WORDMARK, (int(0.34 * w), int(0.65 * h)), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 3,
                cv2.LINE_AA)
    return out


def test_a_wordmark_behind_the_person_is_not_judged(person: CutOut) -> None:
    """Made: the wordmark drawn at chest height in the middle of the blue curtain (marked there at calibration);
    the person stands in front of it: wordmark is skipped ("covered") with words, nothing fails."""
    frames = [with_chest_wordmark(curtain("blue", size=BOOTH, seed=i)) for i in range(3)]
    cfg = calibrated("blue", CHEST_REGION, frames)
    bad, result = judged(cfg, on_background(person, with_chest_wordmark(curtain("blue", size=BOOTH, seed=7))))
    assert bad == {}
    assert result is not None and result.status == "skipped" and result.reason == "covered"
    assert result.message.zh == "幕布标识被人挡住，未检查"


def test_without_a_marked_wordmark_the_check_says_not_calibrated() -> None:
    """Made: the blank default configuration (no profile) on a plain grey frame."""
    with PhotoJudge() as judge:
        result = judge.judge(np.full((640, 480, 3), 128, np.uint8)).result("wordmark")
    assert result is not None and result.status == "skipped" and result.reason == "not_calibrated"
