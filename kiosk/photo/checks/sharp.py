"""Sharp: variance of the Laplacian on the face resized to a fixed width (the whole frame without a face)."""

from __future__ import annotations

import cv2

from kiosk.photo.checks.base import face_region, failed, passed
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "sharp"
FACE_WIDTH = 128
FRAME_WIDTH = 512
MESSAGE = Text("照片模糊，请站稳不动，看向镜头", "The photo is blurred: please hold still and look at the camera")


def sharpness(obs: Observation) -> tuple[float, str]:
    return obs.memo("sharpness", lambda: _sharpness(obs))


def _sharpness(obs: Observation) -> tuple[float, str]:
    box = face_region(obs, shrink=0.1)
    if box is not None:
        x0, y0, x1, y1 = box
        region, width, where = obs.gray[y0:y1, x0:x1], FACE_WIDTH, "face"
    else:
        region, width, where = obs.gray, FRAME_WIDTH, "frame"
    h, w = region.shape[:2]
    scaled = cv2.resize(region, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(scaled, cv2.CV_32F).var()), where


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    value, where = sharpness(obs)
    if value < cfg.min_sharpness:
        return failed(CODE, "blurred", MESSAGE, value, cfg.min_sharpness, region=where)
    return passed(CODE, value, cfg.min_sharpness, region=where)
