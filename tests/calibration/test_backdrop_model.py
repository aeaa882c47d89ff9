"""The backdrop model from frames of the empty curtain (calibration.backdrop_model), on generated curtains
(tests/calibration/curtains.py: colour, folds, light fall-off, noise, wordmark, wall)."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.backdrop_model import median_frame, model_from_frames
from kiosk.photo.config import JudgeConfig
from tests.calibration.curtains import WORDMARK_REGION, curtain


@pytest.mark.parametrize("colour", ["blue", "white", "grey", "red"])
def test_a_curtain_filling_the_frame(colour: str) -> None:
    """Made: five noisy frames of a curtain with folds and fall-off filling the frame: the region is the whole
    frame, no edge shows, and the thresholds load."""
    frames = [curtain(colour, seed=i) for i in range(5)]
    model = model_from_frames(frames)
    backdrop = model["backdrop"]
    assert backdrop["fills_frame"] and backdrop["visible_edges"] == []
    assert backdrop["region"] == pytest.approx([0, 0, 1, 1], abs=0.01)
    assert backdrop["coverage"] > 0.97 and backdrop["lightness_falloff"] > 3  # folds and fall-off measured
    assert backdrop["frame_noise_delta_e"] < 3
    JudgeConfig.from_dict(model["thresholds"])


def test_a_curtain_with_the_wall_around_it() -> None:
    """Made: a blue curtain covering x 10-90 %, y 0-85 % of the frame, beige wall around: the region found is that
    box (within 2 %) and the left, right and bottom edges show."""
    frames = [curtain("blue", wall=(0.10, 0.0, 0.90, 0.85), seed=i) for i in range(3)]
    backdrop = model_from_frames(frames)["backdrop"]
    assert backdrop["region"] == pytest.approx([0.10, 0.0, 0.90, 0.85], abs=0.02)
    assert backdrop["visible_edges"] == ["left", "right", "bottom"] and not backdrop["fills_frame"]


def test_a_curtain_narrower_than_the_frame() -> None:
    """Made: a blue curtain covering only x 0-70 % of the frame, the beige wall over the rest (30 % of the frame,
    most of it inside the central area the colour is measured on): the wall does not widen the curtain's spread,
    so the region found stops at the curtain's edge and the right edge shows."""
    frames = [curtain("blue", wall=(0.0, 0.0, 0.70, 1.0), seed=i) for i in range(3)]
    model = model_from_frames(frames)
    assert model["backdrop"]["region"] == pytest.approx([0, 0, 0.70, 1], abs=0.01)
    assert model["backdrop"]["visible_edges"] == ["right"]
    assert model["camera"]["backdrop_spread_delta_e_p90"] < 12


def test_the_wordmark_template_is_kept_and_the_curtain_closes_over_it() -> None:
    """Made: blue curtain with the white wordmark top right; the admin marks its region."""
    frames = [curtain("blue", wordmark=True, seed=i) for i in range(3)]
    backdrop = model_from_frames(frames, wordmark=WORDMARK_REGION)["backdrop"]
    template = np.asarray(backdrop["wordmark"]["template"], np.uint8)
    assert max(template.shape) == 96 and template.max() > 200  # the white letters are in it
    assert backdrop["fills_frame"]


def test_median_frame_drops_a_passer_by() -> None:
    """Made: three frames, a dark block (someone walking past) in one of them: the median frame has no block."""
    frames = [curtain("grey", seed=i) for i in range(3)]
    frames[1] = frames[1].copy()
    frames[1][200:500, 300:500] = 0
    assert median_frame(frames)[200:500, 300:500].mean() > 100
