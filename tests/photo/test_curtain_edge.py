"""curtain_edge on real people placed on generated curtains (tests/calibration/curtains.py: folds 8 %, light
fall-off 18 %, camera noise, the wordmark top right; tests/photo/scenes.py `cut_out` + `on_background`: the person
cut out of a real good photo with the segmentation model, at booth framing, 480x640). Calibrated with
calibration.backdrop_model from three empty frames of the same curtain (the wordmark's box marked)."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.backdrop_model import model_from_frames
from kiosk.photo import JudgeConfig, PhotoJudge, load_image
from tests.calibration.curtains import BOOTH, WALL, WORDMARK_REGION, curtain
from tests.photo.conftest import PHOTOS
from tests.photo.scenes import CutOut, cut_out, on_background

pytestmark = pytest.mark.slow

PEOPLE = ("pass_hv_test4_standing_arms_down.jpg", "pass_fr_kit_harington_centred_crop.jpg")


@pytest.fixture(scope="module")
def people(judge: PhotoJudge) -> dict[str, CutOut]:
    return {name: cut_out(judge, load_image(PHOTOS / name)) for name in PEOPLE}


def calibrated(colour: str) -> JudgeConfig:
    frames = [curtain(colour, wordmark=True, size=BOOTH, seed=i) for i in range(3)]
    return JudgeConfig.from_dict(model_from_frames(frames, wordmark=WORDMARK_REGION)["thresholds"])


def not_passed(cfg: JudgeConfig, frame: np.ndarray) -> dict[str, str | None]:
    with PhotoJudge(cfg) as judge:
        verdict = judge.judge(frame)
    return {r.code: r.reason for r in verdict.results if r.status not in ("pass", "skipped")}


@pytest.mark.parametrize("colour", ["blue", "grey"])
def test_people_on_the_calibrated_curtain_pass(people: dict[str, CutOut], colour: str) -> None:
    """Made: each person on a new frame (other noise) of the curtain that was calibrated (grey: the curtain
    closest to the beige wall): nothing fails, curtain_edge measures no foreign region."""
    cfg = calibrated(colour)
    for person in people.values():
        scene = on_background(person, curtain(colour, wordmark=True, size=BOOTH, seed=7))
        assert not_passed(cfg, scene) == {}


@pytest.mark.parametrize("colour", ["blue", "grey"])
def test_the_wall_beside_the_curtain_fails_curtain_edge_only(people: dict[str, CutOut], colour: str) -> None:
    """Made: the same scenes, but the curtain has slipped: the beige wall shows in a strip 6 % of the frame wide
    down the left side (the calibration saw the curtain fill the frame)."""
    cfg = calibrated(colour)
    for person in people.values():
        scene = on_background(person, curtain(colour, wordmark=True, size=BOOTH, seed=7, wall=(0.06, 0.0, 1.0, 1.0)))
        assert not_passed(cfg, scene) == {"curtain_edge": "foreign_background"}


def test_a_door_frame_inside_the_curtain_fails_curtain_edge_only(people: dict[str, CutOut]) -> None:
    """Made: the blue curtain with a beige rectangle (an opening in it, a door behind) at x 4-20 %, y 35-75 %,
    touching neither the frame border nor the person: found by its straight edges."""
    cfg = calibrated("blue")
    back = curtain("blue", wordmark=True, size=BOOTH, seed=7)
    back[int(0.35 * BOOTH[1]):int(0.75 * BOOTH[1]), int(0.04 * BOOTH[0]):int(0.20 * BOOTH[0])] = WALL
    scene = on_background(people[PEOPLE[0]], back)
    assert not_passed(cfg, scene) == {"curtain_edge": "foreign_background"}
    with PhotoJudge(cfg) as judge:
        result = judge.judge(scene).result("curtain_edge")
    assert result is not None and result.details["regions_with_edge"] == 1
