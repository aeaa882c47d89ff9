"""Presentation attacks at the booth, single frame (`real_photo`): a real photo from tests/data shown on a
generated phone or tablet, or printed, and held up to the camera (tests/photo/devices.py says how each scene
is made), fails with a bilingual reason; every camera photo of a real person in tests/data still passes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kiosk.checkresult import CheckResult
from kiosk.photo import PhotoJudge, load_image
from tests.photo.conftest import LABEL_SETS, PHOTOS, PHOTOS_R3
from tests.photo.devices import CLOSE_TABLET, DEVICES, device_scene
from tests.photo.scenes import booth_scene, cut_out

pytestmark = pytest.mark.slow

# Real good photos shown on the device (a woman standing, a man in armour, a man in a blazer).
SHOWN = {
    "test4": PHOTOS / "pass_hv_test4_standing_arms_down.jpg",
    "kit": PHOTOS / "pass_fr_kit_harington_centred_crop.jpg",
    "blazer": PHOTOS_R3 / "pass_blazer_fr_alex_img1.jpg",
}
# The attacker behind the device: a real person cut out and placed at booth framing on the blue backdrop.
HOLDER = PHOTOS / "pass_hv_test2_child_hairband.jpg"


def real_photo(judge: PhotoJudge, frame: np.ndarray) -> CheckResult:
    return next(r for r in judge.judge(frame).results if r.code == "real_photo")


@pytest.fixture(scope="module")
def holder(judge: PhotoJudge) -> np.ndarray:
    return booth_scene(cut_out(judge, load_image(HOLDER)), "blue")


@pytest.mark.parametrize("device", sorted(DEVICES))
@pytest.mark.parametrize("shown", sorted(SHOWN))
@pytest.mark.parametrize("where", ["plain", "in_front_of_a_person"])
def test_a_device_or_print_held_up_fails(judge: PhotoJudge, holder: np.ndarray, device: str, shown: str,
                                         where: str) -> None:
    photo = load_image(SHOWN[shown])
    scene = device_scene(photo, judge.observe(photo).face_box, DEVICES[device],
                         None if where == "plain" else holder, seed=len(shown))
    result = real_photo(judge, scene)
    assert result.status == "fail", result
    assert "屏幕" in result.message.zh and "screens" in result.message.en


@pytest.mark.parametrize("shown", sorted(SHOWN))
def test_a_screen_without_its_bezel_in_view_fails_on_its_pixel_grid(judge: PhotoJudge, shown: str) -> None:
    """The tablet so close that no edge of it is in the frame: only the pixel grid tells."""
    photo = load_image(SHOWN[shown])
    result = real_photo(judge, device_scene(photo, judge.observe(photo).face_box, CLOSE_TABLET))
    assert result.status == "fail" and result.details["measure"] == "grid", result
    assert result.details["bordered_sides"] == [] and result.value > 24.2


def test_every_camera_photo_of_a_person_passes(judge: PhotoJudge) -> None:
    """All labelled real photos (is_photo = y) in tests/data: no false reject, and the pixel grid measure
    stays clear of its grey band (19.8 dB)."""
    rejected, grids = [], []
    for labels in LABEL_SETS.values():
        for row in json.loads(labels.read_text(encoding="utf-8")):
            if row.get("kind", "image") != "image" or row.get("is_photo") != "y":
                continue
            result = real_photo(judge, load_image(labels.parent / row["file"]))
            grids.append(result.details.get("grid_peak", 0.0))
            if result.status != "pass":
                rejected.append((row["file"], result.status, result.details.get("measure")))
    assert len(grids) >= 60
    assert rejected == []
    assert max(grids) < 19.8
