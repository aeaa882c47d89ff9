"""Sharp: on the face, the variance of the Laplacian relative to the face's own contrast; without a face,
the variance of the Laplacian on the whole frame.

The face crop is resized to a fixed width (so the measure does not depend on the face's size in pixels);
its Laplacian variance is divided by the crop's intensity variance (x 100), which makes the measure
independent of lighting and contrast: a dim or low-contrast but sharp face is not called blurred, and a
blurred face stays blurred however bright. Photos without a face (which fail elsewhere anyway) keep the
absolute measure, since a frame's intensity variance is dominated by its content, not by its focus; an empty
frame with no content at all (the bare backdrop of an empty booth) is skipped, so it says "no person" only.
Grey band: 1.20-1.35 on the face is uncertain (blurred copies of the good photos measure up to 1.15, the
softest labelled sharp photo 1.44).
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.checks.base import (
    FAIL,
    UNCERTAIN,
    Check,
    Limit,
    band,
    face_region,
    failed,
    grade,
    nobody,
    passed,
    person_found,
    uncertain,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "sharp"
FACE_WIDTH = 128
FRAME_WIDTH = 512
# Without a person, a frame this flat (grey-level standard deviation; a plain backdrop with camera noise
# measures about 2, any scene with objects 20 and more) has nothing to judge focus on.
MIN_CONTENT_STD = 8.0
MESSAGE = Text("照片模糊，请站稳不动，看向镜头", "The photo is blurred: please hold still and look at the camera")
CONFIRM = Text("确认照片清晰", "Confirm: the photo is sharp")


def sharpness(obs: Observation) -> tuple[float, str]:
    """(measure, "face" or "frame"); cached on the observation."""
    return obs.memo("sharpness", lambda: _sharpness(obs))


def relative_laplacian(gray: np.ndarray) -> float:
    """100 x variance of the Laplacian / intensity variance of a greyscale image (dimensionless)."""
    image = gray.astype(np.float32)
    return 100.0 * float(cv2.Laplacian(image, cv2.CV_32F).var()) / (float(image.var()) + 1.0)


def _sharpness(obs: Observation) -> tuple[float, str]:
    box = face_region(obs, shrink=0.1)
    if box is not None:
        x0, y0, x1, y1 = box
        face = obs.gray[y0:y1, x0:x1]
        h, w = face.shape[:2]
        scaled = cv2.resize(face, (FACE_WIDTH, max(1, round(h * FACE_WIDTH / w))), interpolation=cv2.INTER_AREA)
        return relative_laplacian(scaled), "face"
    h, w = obs.gray.shape[:2]
    scaled = cv2.resize(obs.gray, (FRAME_WIDTH, max(1, round(h * FRAME_WIDTH / w))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(scaled, cv2.CV_32F).var()), "frame"


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    value, where = sharpness(obs)
    if where == "frame" and not person_found(obs, cfg) and float(obs.gray.std()) < MIN_CONTENT_STD:
        return nobody(CODE)  # an empty, featureless frame (a plain backdrop): no focus to judge
    threshold = cfg.min_face_sharpness if where == "face" else cfg.min_sharpness
    status = grade(value, threshold, band(threshold, (0.0, cfg.face_sharpness_band if where == "face" else 0.0)),
                   Limit.MIN)
    if status == FAIL:
        return failed(CODE, reason="blurred", message=MESSAGE, value=value, threshold=threshold, region=where)
    if status == UNCERTAIN:
        return uncertain(CODE, reason="blurred", message=CONFIRM, value=value, threshold=threshold, region=where)
    return passed(CODE, value=value, threshold=threshold, region=where)


CHECK = Check(CODE, check, "face sharp",
              name=Text("清晰度", "Sharpness"), limit=Limit.MIN, digits=2)
