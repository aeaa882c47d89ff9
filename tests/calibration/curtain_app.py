"""An app whose kiosk camera shows an empty generated curtain: a folder camera (capture.image_folder) over one
PNG written from tests/calibration/curtains.py, a cheap fake judge, and short calibration timings."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from capture.image_folder import ImageFolderCamera
from tests.booth.fakes import SignalJudge
from tests.conftest import build_app

FAST_CALIBRATION = {"settle": 0.0, "seconds": 0.3, "count": 3}
FAST_BOOTH = {"steady_seconds": 0.1, "countdown_seconds": 1, "idle_after": 30.0}


def write_curtain(folder: Path, frame: np.ndarray) -> Path:
    """The folder camera's one image (PNG: no JPEG loss on the curtain's colour)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "curtain.png"
    assert cv2.imwrite(str(path), frame)
    return folder


def curtain_app(tmp_path: Path, frame: np.ndarray, **config):
    """An app on a fresh database (no profile) whose camera shows `frame` (BGR) over and over."""
    folder = write_curtain(tmp_path / "camera", frame)

    def camera() -> ImageFolderCamera:
        cam = ImageFolderCamera(str(folder), fps=15.0)
        cam.open()
        return cam

    calibration = {**FAST_CALIBRATION, **config.pop("calibration", {})}
    return build_app(tmp_path, **{"CAMERA_FACTORY": camera, "JUDGE_FACTORY": SignalJudge, "BOOTH_OPTIONS": FAST_BOOTH,
                                  "CALIBRATION_OPTIONS": calibration, **config})
