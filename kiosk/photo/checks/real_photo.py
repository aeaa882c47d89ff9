"""A real photo of a real scene, not a drawing, render or screen capture, as far as one frame tells.

Camera images carry sensor noise and texture everywhere; drawings, cartoons and renders have large areas
with no variation at all. The measure is the share of 8x8 blocks (frame scaled to at most 512 px, blocks offset from the JPEG
grid) whose luminance
standard deviation is below 0.3 grey levels, not counting blown-out white. Screens and printouts held up to the camera are not reliably
detected by this measure.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.checks.base import failed, passed
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "real_photo"
MESSAGE = Text("请本人站到镜头前拍照，不能使用照片、屏幕或图画",
               "Please stand in front of the camera in person: no photos, screens or drawings")
BLOCK = 8
OFFSET = BLOCK // 2


def flat_fraction(obs: Observation) -> float:
    return obs.memo("flat_fraction", lambda: _flat_fraction(obs))


def _flat_fraction(obs: Observation) -> float:
    gray = obs.gray
    h, w = gray.shape
    scale = 512 / max(h, w)
    if scale < 1:
        gray = cv2.resize(gray, (max(BLOCK, round(w * scale)), max(BLOCK, round(h * scale))),
                          interpolation=cv2.INTER_AREA)
    # Blocks start half a block in, off the JPEG 8x8 grid: a heavily compressed smooth backdrop has
    # exactly flat JPEG blocks, but not across their borders.
    gray = gray[OFFSET:, OFFSET:]
    h, w = gray.shape
    hb, wb = h // BLOCK, w // BLOCK
    if hb == 0 or wb == 0:
        return 0.0
    g = gray[: hb * BLOCK, : wb * BLOCK].astype(np.float64)
    # Block means of x and x^2 by area averaging: variance = E[x^2] - E[x]^2 (much faster than reshaping).
    mean = cv2.resize(g, (wb, hb), interpolation=cv2.INTER_AREA)
    mean_sq = cv2.resize(g * g, (wb, hb), interpolation=cv2.INTER_AREA)
    var = np.maximum(mean_sq - mean * mean, 0.0)
    # Blown-out white (a backdrop overexposed to 255) is flat in any photo: not counted. Flat black is
    # counted: a camera's black level and noise rarely give exactly constant dark blocks, renders do.
    flat = (var < 0.3 * 0.3) & (mean < 250.0)
    return float(flat.mean())


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    value = flat_fraction(obs)
    if value > cfg.max_flat_fraction:
        return failed(CODE, reason="not_a_photo", message=MESSAGE, value=value, threshold=cfg.max_flat_fraction)
    return passed(CODE, value=value, threshold=cfg.max_flat_fraction)
