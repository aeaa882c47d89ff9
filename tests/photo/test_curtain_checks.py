"""The curtain checks on booth scenes made from real people (tests/photo/scenes.py: cut out with the segmentation
model, placed at booth framing on the ID-photo blue, camera noise and JPEG), calibrated with
calibration.backdrop_model from frames of the same curtain without the person. Each test says how it was made."""

from __future__ import annotations

import numpy as np
import pytest

from calibration.backdrop_model import model_from_frames
from kiosk.photo import JudgeConfig, PhotoJudge, load_image
from tests.calibration.curtains import BOOTH, curtain
from tests.photo.conftest import PHOTOS
from tests.photo.scenes import BACKDROPS, FRAME, CutOut, booth_scene, camera_like, cut_out, on_background

pytestmark = pytest.mark.slow

WALL = np.array((150, 190, 215), np.float32)  # beige wall (BGR)
WALL_TOP = 0.12  # the wall shows above the curtain in the top 12 % of the frame


@pytest.fixture(scope="module")
def person(judge: PhotoJudge) -> CutOut:
    return cut_out(judge, load_image(PHOTOS / "pass_hv_test4_standing_arms_down.jpg"))


def empty_curtain(wall_top: float = 0.0, seed: int = 0) -> np.ndarray:
    width, height = FRAME
    frame = np.empty((height, width, 3), np.float32)
    frame[:] = BACKDROPS["blue"]
    frame[: int(wall_top * height)] = WALL
    return camera_like(frame, seed)


def with_wall_on_top(scene: np.ndarray) -> np.ndarray:
    """The backdrop-blue pixels (within 40 in RGB) of the top WALL_TOP of `scene` painted wall beige."""
    out = scene.astype(np.float32)
    band = out[: int(WALL_TOP * FRAME[1])]
    blue = np.linalg.norm(band - np.asarray(BACKDROPS["blue"], np.float32), axis=2) < 40
    band[blue] = WALL
    return camera_like(out)


def calibrated(frames: list[np.ndarray]) -> JudgeConfig:
    return JudgeConfig.from_dict(model_from_frames(frames)["thresholds"])


def failures(judge_cfg: JudgeConfig, frame: np.ndarray) -> dict[str, str]:
    with PhotoJudge(judge_cfg) as judge:
        verdict = judge.judge(frame)
    return {r.code: r.status for r in verdict.results if r.status not in ("pass", "skipped")}


def test_person_on_a_curtain_filling_the_frame_passes(person: CutOut) -> None:
    """Made: the person on the blue curtain; calibrated from three empty frames of it (region = whole frame)."""
    cfg = calibrated([empty_curtain(seed=i) for i in range(3)])
    assert cfg.curtain_region == pytest.approx((0, 0, 1, 1), abs=0.01)
    assert failures(cfg, booth_scene(person, "blue")) == {}


def test_head_above_the_curtain_fails_curtain_head_only(person: CutOut) -> None:
    """Made: the same scene with the wall above the curtain in the top 12 % (the head top is at 6 %); calibrated
    from empty frames with the same wall: curtain_head fails (head_above_curtain) and nothing else."""
    cfg = calibrated([empty_curtain(WALL_TOP, seed=i) for i in range(3)])
    assert cfg.curtain_region is not None and cfg.curtain_region[1] == pytest.approx(WALL_TOP, abs=0.01)
    scene = with_wall_on_top(booth_scene(person, "blue"))
    with PhotoJudge(cfg) as judge:
        verdict = judge.judge(scene)
    head = verdict.result("curtain_head")
    assert head is not None and head.status == "fail" and head.reason == "head_above_curtain"
    assert {r.code for r in verdict.results if r.status not in ("pass", "skipped")} == {"curtain_head"}


def test_a_shoulder_off_a_narrow_curtain_fails_curtain_head_only(person: CutOut) -> None:
    """Made: the person on a generated blue curtain (tests/calibration/curtains.py: folds, fall-off, noise) only 70 %
    of the frame wide, the beige wall to its right; calibrated from three empty frames of it (region x 0-0.70):
    the left shoulder joint (at x 0.78) lies beyond the curtain: curtain_head fails (shoulder_off_curtain) and
    nothing else (the wall outside the calibrated region is not a backdrop colour mismatch)."""
    wall = (0.0, 0.0, 0.70, 1.0)
    cfg = calibrated([curtain("blue", size=BOOTH, wall=wall, seed=i) for i in range(3)])
    assert cfg.curtain_region is not None and cfg.curtain_region[2] == pytest.approx(0.70, abs=0.01)
    with PhotoJudge(cfg) as judge:
        verdict = judge.judge(on_background(person, curtain("blue", size=BOOTH, wall=wall, seed=7)))
    head = verdict.result("curtain_head")
    assert head is not None and head.status == "fail" and head.reason == "shoulder_off_curtain"
    assert {r.code for r in verdict.results if r.status not in ("pass", "skipped")} == {"curtain_head"}


def test_without_a_profile_every_curtain_check_is_skipped_as_not_calibrated(person: CutOut) -> None:
    """Made: the person on the plain blue backdrop, judged with the built-in configuration (no profile): each
    backdrop check is skipped with "未校准" words, none fails (kiosk.profiles.attempt_label then never says 全部通过)."""
    with PhotoJudge() as judge:
        verdict = judge.judge(booth_scene(person, "blue"))
    for code in ("backdrop", "curtain_head", "curtain_edge", "wordmark", "clothing_colour"):
        result = verdict.result(code)
        assert result is not None and result.status == "skipped" and result.reason == "not_calibrated", code
        assert "未校准" in result.message.zh
