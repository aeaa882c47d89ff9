"""A labelled set of booth photos at one calibrated kiosk, for threshold tuning (calibration.thresholds): real
people cut out of the good photos in tests/data/photos with the segmentation model (tests/photo/scenes.py) and
placed on new frames of a generated blue curtain with folds, light fall-off, noise and the "BEIAN" wordmark
(tests/calibration/curtains.py), the profile calibrated from three empty frames of it. Good photos: each person
as they are, on two frames (noise seeds). Bad photos, each labelled with the one check it should fail ("fails"):
the wall showing down the left side (6 % and 10 % of the frame wide), the wordmark mirrored in place, and
each person's shirt recoloured to the curtain's colour."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from calibration.backdrop_model import model_from_frames
from kiosk.photo import PhotoJudge, load_image
from tests.calibration.curtains import BOOTH, WORDMARK_REGION, curtain
from tests.photo.conftest import PHOTOS
from tests.photo.scenes import cut_out, on_background, recolour_clothes

PEOPLE = ("pass_hv_test4_standing_arms_down.jpg", "pass_fr_kit_harington_centred_crop.jpg",
          "pass_hv_test2_child_hairband.jpg")
WALLS = {"wall_left_6": (0.06, 0.0, 1.0, 1.0), "wall_left_10": (0.10, 0.0, 1.0, 1.0)}


def write_curtain_set(folder: Path, judge: PhotoJudge, people: tuple[str, ...] = PEOPLE) -> tuple[Path, Path]:
    """Write the photos, labels.json and the kiosk's profile.json into `folder`; return (labels, profile)."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = model_from_frames([curtain("blue", wordmark=True, size=BOOTH, seed=i) for i in range(3)],
                                wordmark=WORDMARK_REGION)
    lab = profile["thresholds"]["backdrop_lab"]
    entries: list[dict[str, Any]] = []

    def add(name: str, frame: np.ndarray, fails: list[str]) -> None:
        cv2.imwrite(str(folder / name), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
        entries.append({"file": name, "expected": "fail" if fails else "pass", "fails": fails, "people_count": 1})

    for index, source in enumerate(people):
        person = cut_out(judge, load_image(PHOTOS / source))
        for seed in (7, 8):
            add(f"good_{index}_{seed}.jpg", on_background(person, curtain("blue", wordmark=True, size=BOOTH, seed=seed)), [])
        for wall_name, wall in WALLS.items():
            back = curtain("blue", wordmark=True, size=BOOTH, seed=9, wall=wall)
            add(f"{wall_name}_{index}.jpg", on_background(person, back), ["curtain_edge"])
        back = curtain("blue", wordmark=True, mirrored=True, size=BOOTH, seed=9)
        add(f"mirrored_{index}.jpg", on_background(person, back), ["wordmark"])
        shirt = recolour_clothes(judge, person, (lab[0], lab[1], lab[2]))
        add(f"shirt_{index}.jpg", on_background(shirt, curtain("blue", wordmark=True, size=BOOTH, seed=9)),
            ["clothing_colour"])
    labels, profile_path = folder / "labels.json", folder / "profile.json"
    labels.write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    profile_path.write_text(json.dumps(profile, indent=1) + "\n", encoding="utf-8")
    return labels, profile_path


if __name__ == "__main__":  # python -m tests.calibration.curtain_set FOLDER
    import sys

    with PhotoJudge() as models:
        print(*write_curtain_set(Path(sys.argv[1]), models))
