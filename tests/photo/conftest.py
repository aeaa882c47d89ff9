"""Fixtures for the photo judge tests: the dev photo set and warm judges (loaded once per session)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kiosk.photo import PhotoJudge, load_image

DATA = Path(__file__).resolve().parent.parent / "data"
PHOTOS = DATA / "photos"
LABELS = PHOTOS / "labels.json"
PHOTOS_R3 = DATA / "photos-round3"  # round 3: hats, clear glasses, head turns, a recaptured print
LABELS_R3 = PHOTOS_R3 / "labels.json"
# labelled sets in the project: name -> labels file (the golden table covers both)
LABEL_SETS = {"photos": LABELS, "photos-round3": LABELS_R3}
PASS_PHOTO = PHOTOS / "pass_hv_test4_standing_arms_down.jpg"
PASS_PHOTO_2 = PHOTOS / "pass_fr_kit_harington_centred_crop.jpg"


def labels() -> list[dict[str, Any]]:
    return json.loads(LABELS.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def judge() -> Iterator[PhotoJudge]:
    """A still-photo judge (no tracking between frames), models warm for the whole session."""
    j = PhotoJudge()
    yield j
    j.close()


@pytest.fixture(scope="session")
def pass_frame() -> np.ndarray:
    return load_image(PASS_PHOTO)


@pytest.fixture(scope="session")
def pass_frame_2() -> np.ndarray:
    return load_image(PASS_PHOTO_2)
