"""Kiosk-like scenes derived from real photos (tests/photo/scenes.py says how each is made): real people cut
out with the segmentation model and placed at booth framing on plain backdrops in provider colours, with and
without a real hat taken from another photo. They test the geometry of a real booth, not only fashion shots."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from kiosk.photo import JudgeConfig, PhotoJudge, load_image
from kiosk.photo.checks import CHECK_CODES
from tests.photo.conftest import PHOTOS, PHOTOS_R3
from tests.photo.scenes import BACKDROPS, FRAME, CutOut, add_hat, booth_scene, camera_like, cut_out

pytestmark = pytest.mark.slow

# Good photos whose person is cut out (both arms visible hanging: the seated round-3 woman's arm is hidden).
PEOPLE = {
    "test4": PHOTOS / "pass_hv_test4_standing_arms_down.jpg",
    "hairband": PHOTOS / "pass_hv_test2_child_hairband.jpg",
    "kit": PHOTOS / "pass_fr_kit_harington_centred_crop.jpg",
    "blazer": PHOTOS_R3 / "pass_blazer_fr_alex_img1.jpg",
}
# Real caps: a baseball cap and a naval officer's cap seen from the front, a black cap turned 15 degrees.
CAPS = {
    "baseball_cap": PHOTOS / "fail_cap_sunglasses_arms_up_rb_girl1.jpg",
    "officer_cap": PHOTOS_R3 / "fail_hat_glasses_tfex_grace_hopper.jpg",
    "black_cap_turned": PHOTOS_R3 / "fail_cap_turned_pseg_kappa.jpg",
}
# Head coverings the forehead measure finds near its limit: a knitted beanie, a green hard hat.
WEAK = {
    "beanie": PHOTOS_R3 / "fail_beanie_glasses_child_tfjs_boy_doughnut.jpg",
    "hard_hat": PHOTOS_R3 / "fail_hardhat_glasses_az_detection3.jpg",
}


@pytest.fixture(scope="module")
def people(judge: PhotoJudge) -> dict[str, CutOut]:
    return {name: cut_out(judge, load_image(path)) for name, path in PEOPLE.items()}


@pytest.fixture(scope="module")
def blue_scenes(people: dict[str, CutOut]) -> Iterator[dict[str, np.ndarray]]:
    yield {name: booth_scene(person, "blue") for name, person in people.items()}


@pytest.mark.parametrize("backdrop", sorted(BACKDROPS))
@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_person_at_booth_framing_passes(judge: PhotoJudge, people: dict[str, CutOut], name: str,
                                        backdrop: str) -> None:
    """Derived: the person of a good photo cut out and placed at booth framing on a blue, white or grey
    backdrop (scenes.booth_scene): every check passes, nothing left for staff to confirm."""
    verdict = judge.judge(booth_scene(people[name], backdrop))
    assert verdict.passed, [(r.code, r.status, r.reason, r.value) for r in verdict.failures]
    assert tuple(r.code for r in verdict.results) == CHECK_CODES


@pytest.mark.parametrize("cap", sorted(CAPS))
@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_real_cap_at_the_booth_fails_hat_only(judge: PhotoJudge, blue_scenes: dict[str, np.ndarray], name: str,
                                               cap: str) -> None:
    """Derived: the booth scene on blue with a real cap from another photo put on the person
    (scenes.add_hat): the hat check fails, and only the hat check (nothing else goes to staff either)."""
    verdict = judge.judge(add_hat(judge, blue_scenes[name], load_image(CAPS[cap])))
    hat = verdict.result("hat")
    assert hat is not None and hat.status == "fail" and hat.reason == "hat_detected"
    assert [r.code for r in verdict.failures] == ["hat"], [(r.code, r.status) for r in verdict.failures]
    assert not verdict.capturable


@pytest.mark.parametrize("covering", sorted(WEAK))
@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_weak_head_covering_never_passes_silently(judge: PhotoJudge, blue_scenes: dict[str, np.ndarray],
                                                  name: str, covering: str) -> None:
    """Derived: the booth scene with a knitted beanie or a hard hat from a real photo: the forehead measure
    finds these near its limit, so the hat check fails or is uncertain (staff confirm "no hat"); it must
    never pass."""
    hat = judge.judge(add_hat(judge, blue_scenes[name], load_image(WEAK[covering]))).result("hat")
    assert hat is not None and hat.status in ("uncertain", "fail"), (hat.status, hat.value)
    if hat.status == "uncertain":
        assert hat.message.en == "Confirm: no hat or head covering"


# Coloured coverings whose crown no hair colour explains: a navy cap, a green beanie, a green hard hat.
COLOURED = {"navy_cap": CAPS["black_cap_turned"], **WEAK}


@pytest.mark.parametrize("covering", sorted(COLOURED))
@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_coloured_covering_worn_back_fails_hat(judge: PhotoJudge, blue_scenes: dict[str, np.ndarray], name: str,
                                              covering: str) -> None:
    """Derived: a real coloured covering put on the booth person and moved 0.3 eye distances up the face
    (scenes.add_hat with lift, worn far back: the forehead is left bare); the crown's colour is no hair
    colour, so the hat check fails and nothing else does."""
    verdict = judge.judge(add_hat(judge, blue_scenes[name], load_image(COLOURED[covering]), lift=0.3))
    hat = verdict.result("hat")
    assert hat is not None and hat.status == "fail", (hat and hat.status, hat and hat.details)
    assert hat.details["crown_colour"] > judge.config.hat_max_crown_colour
    assert [r.code for r in verdict.failures] == ["hat"], [(r.code, r.status) for r in verdict.failures]


def test_empty_booth_says_no_person_once(judge: PhotoJudge) -> None:
    """Derived: the blue backdrop alone at booth size, with camera noise and JPEG (scenes.camera_like):
    one failure, "no person"; every check about the person is skipped."""
    width, height = FRAME
    empty = np.empty((height, width, 3), np.float32)
    empty[:] = BACKDROPS["blue"]
    verdict = judge.judge(camera_like(empty))
    assert [r.code for r in verdict.failures] == ["person_present"]
    assert verdict.first_failure is not None and verdict.first_failure.reason == "no_person"
    for code in ("single_person", "framing", "centred", "hands_hanging", "hat", "glasses", "frontal"):
        result = verdict.result(code)
        assert result is not None and result.status == "skipped" and result.reason == "no_person", code


@pytest.mark.parametrize("shift", [-0.2, 0.2])
def test_person_standing_aside_at_the_booth(judge: PhotoJudge, blue_scenes: dict[str, np.ndarray],
                                            shift: float) -> None:
    """Derived: the blue booth scene of test4 shifted sideways by 20 % of the frame width (the uncovered
    strip filled with the backdrop colour): centred fails and says which way to move."""
    scene = blue_scenes["test4"]
    h, w = scene.shape[:2]
    matrix = np.float32([[1, 0, shift * w], [0, 1, 0]])
    moved = cv2.warpAffine(scene, matrix, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=BACKDROPS["blue"])
    centred = judge.judge(camera_like(moved)).result("centred")
    assert centred is not None and centred.status == "fail" and centred.reason == "off_centre"
    # moved to the image right (shift > 0): the applicant moves to their own right (the camera is not mirrored)
    assert ("right" if shift > 0 else "left") in centred.message.en


def test_backdrop_check_on_the_booth_colours(people: dict[str, CutOut]) -> None:
    """Derived: booth scenes on blue and on white; the backdrop calibrated to the blue (its CIELAB colour
    measured from the blue scene's top corner): the blue scene passes the backdrop check, the white fails."""
    from calibration.backdrop import measure_backdrop

    blue, white = booth_scene(people["test4"], "blue"), booth_scene(people["test4"], "white")
    lab = measure_backdrop(blue[: FRAME[1] // 10, : FRAME[0] // 6])["backdrop_lab"]
    with PhotoJudge(JudgeConfig(backdrop_lab=tuple(lab))) as calibrated:
        on_blue, on_white = calibrated.judge(blue).result("backdrop"), calibrated.judge(white).result("backdrop")
    assert on_blue is not None and on_blue.status == "pass"
    assert on_white is not None and on_white.status == "fail" and on_white.reason == "not_on_backdrop"
