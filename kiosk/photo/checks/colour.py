"""Colour: the frame is a colour image, not greyscale (high-percentile chroma in CIELAB)."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.checks.base import FAIL, UNCERTAIN, Check, Limit, band, failed, grade, passed, uncertain
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "colour"
CONFIRM = Text("确认照片为彩色", "Confirm: the photo is in colour")
MESSAGE = Text("照片必须为彩色，请联系工作人员检查相机", "The photo must be in colour: please ask staff to check the camera")


def colourfulness(obs: Observation) -> float:
    return obs.memo("colourfulness", lambda: _colourfulness(obs))


def _colourfulness(obs: Observation) -> float:
    """95th percentile of the distance of a* b* from grey, on the frame area-averaged to 160 px wide:
    about 0 for a greyscale image, well above it for any colour photo, even one of muted clothes on a grey
    backdrop (where the mean is small: only skin and a few objects carry colour)."""
    small = obs.small_bgr
    if small.shape[1] > 160:
        height = max(1, round(small.shape[0] * 160 / small.shape[1]))
        small = cv2.resize(small, (160, height), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).reshape(-1, 3).astype(np.float32)
    chroma = np.hypot(lab[:, 1] - 128.0, lab[:, 2] - 128.0)
    k = min(chroma.size - 1, int(0.95 * chroma.size))
    return float(np.partition(chroma, k)[k])


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    value = colourfulness(obs)
    status = grade(value, cfg.min_colourfulness, band(cfg.min_colourfulness, (0.0, cfg.colourfulness_band)),
                   Limit.MIN)
    if status == FAIL:
        return failed(CODE, reason="greyscale", message=MESSAGE, value=value, threshold=cfg.min_colourfulness)
    if status == UNCERTAIN:
        return uncertain(CODE, reason="greyscale", message=CONFIRM, value=value, threshold=cfg.min_colourfulness)
    return passed(CODE, value=value, threshold=cfg.min_colourfulness)


CHECK = Check(CODE, check, "a colour image",
              name=Text("色彩饱和度", "Colourfulness"), limit=Limit.MIN, digits=1)
