"""clothing_colour on real people placed on generated curtains (tests/calibration/curtains.py: folds 8 %, light
fall-off 18 %, camera noise, the wordmark; tests/photo/scenes.py `cut_out` + `on_background`: the person cut out
of a real good photo with the segmentation model, at booth framing, 480x640; `recolour_clothes`: the shirt given
the curtain's colour). Calibrated with calibration.backdrop_model from three empty frames of the same curtain."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.backdrop_model import model_from_frames
from kiosk.photo import JudgeConfig, PhotoJudge, load_image
from tests.calibration.curtains import BOOTH, WORDMARK_REGION, curtain
from tests.photo.conftest import PHOTOS
from tests.photo.scenes import CutOut, cut_out, on_background, recolour_clothes

pytestmark = pytest.mark.slow

PEOPLE = ("pass_hv_test4_standing_arms_down.jpg", "pass_fr_kit_harington_centred_crop.jpg")


@pytest.fixture(scope="module")
def people(judge: PhotoJudge) -> dict[str, CutOut]:
    return {name: cut_out(judge, load_image(PHOTOS / name)) for name in PEOPLE}


def calibrated(colour: str) -> tuple[JudgeConfig, tuple[float, float, float]]:
    """The configuration and the curtain's measured colour (CIELAB)."""
    thresholds = model_from_frames([curtain(colour, wordmark=True, size=BOOTH, seed=i) for i in range(3)],
                                   wordmark=WORDMARK_REGION)["thresholds"]
    lab = thresholds["backdrop_lab"]
    return JudgeConfig.from_dict(thresholds), (lab[0], lab[1], lab[2])


def not_passed(cfg: JudgeConfig, frame: np.ndarray) -> dict[str, str | None]:
    with PhotoJudge(cfg) as judge:
        verdict = judge.judge(frame)
    return {r.code: r.reason for r in verdict.results if r.status not in ("pass", "skipped")}


@pytest.mark.parametrize("colour", ["blue", "grey"])
def test_own_clothes_pass_and_a_curtain_coloured_shirt_fails_clothing_colour_only(
        judge: PhotoJudge, people: dict[str, CutOut], colour: str) -> None:
    """Made: each person in their own clothes (white shirt, dark jacket) on a new frame of the calibrated curtain,
    then the same person with the shirt recoloured to the curtain's measured colour."""
    cfg, lab = calibrated(colour)
    back = curtain(colour, wordmark=True, size=BOOTH, seed=7)
    for person in people.values():
        assert not_passed(cfg, on_background(person, back)) == {}
        shirt = recolour_clothes(judge, person, lab)
        assert not_passed(cfg, on_background(shirt, back)) == {"clothing_colour": "melts_into_curtain"}


def test_a_white_shirt_on_the_white_curtain_fails_clothing_colour_only(people: dict[str, CutOut]) -> None:
    """Made: the person in their own white shirt on the white curtain (no recolouring): it melts into it."""
    cfg, _lab = calibrated("white")
    scene = on_background(people[PEOPLE[0]], curtain("white", wordmark=True, size=BOOTH, seed=7))
    assert not_passed(cfg, scene) == {"clothing_colour": "melts_into_curtain"}
