"""Backdrop: the background behind the person matches the provider's calibrated backdrop colour.

Enabled only when the configuration carries `backdrop_lab` (written by `python -m kiosk calibrate`);
otherwise the result is `skipped` with reason "not_calibrated". Decided (issue 12): the judge stays a pure function
of the frame and its configuration, so the check is skipped rather than uncertain (an uncertain result would ask
staff to confirm every photo of an uncalibrated kiosk); the kiosk side makes it visible instead: each attempt
records the profile version it was judged with (None without one), the counter view says "未校准 / Not calibrated",
and an attempt without a profile is never labelled "全部通过" (kiosk.profiles.attempt_label).

With a calibrated curtain region (`curtain_region`) only the background inside it counts: a wall the calibration
saw beside the curtain is the curtain checks' matter (curtain_head where the head or a shoulder reaches it),
not a colour mismatch on every photo.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from kiosk.photo.checks.base import Check, Limit, failed, passed, skipped
from kiosk.photo.config import JudgeConfig
from kiosk.photo.curtain import box_pixels
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "backdrop"
MESSAGE = Text("请站在幕布前拍照", "Please stand in front of the backdrop")


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if cfg.backdrop_lab is None:
        return skipped(CODE, reason="not_calibrated", message=Text("未校准幕布，跳过", "Backdrop not calibrated: skipped"))
    step = max(1, min(obs.height, obs.width) // 240)
    small = obs.bgr[::step, ::step]
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)
    if obs.mask is not None:
        background = obs.mask[::step, ::step] < 0.3
    else:
        background = np.ones(lab.shape[:2], bool)
    background = background[: lab.shape[0], : lab.shape[1]]
    if cfg.curtain_region is not None:
        x0, y0, x1, y1 = box_pixels(cfg.curtain_region, lab.shape[1], lab.shape[0])
        inside = np.zeros_like(background)
        inside[y0:y1, x0:x1] = True
        background = background & inside
    pixels = lab[background]
    if pixels.size == 0:
        return failed(CODE, reason="no_background", message=MESSAGE, value=0.0, threshold=cfg.backdrop_min_fraction)
    delta = np.linalg.norm(pixels - np.asarray(cfg.backdrop_lab, np.float32), axis=1)
    fraction = float((delta <= cfg.backdrop_max_delta_e).mean())
    details: dict[str, Any] = {"median_delta_e": round(float(np.median(delta)), 1)}
    if fraction < cfg.backdrop_min_fraction:
        return failed(CODE, reason="not_on_backdrop", message=MESSAGE, value=fraction, threshold=cfg.backdrop_min_fraction, **details)
    return passed(CODE, value=fraction, threshold=cfg.backdrop_min_fraction, **details)


CHECK = Check(CODE, check, "in front of the calibrated backdrop",
              name=Text("背景与幕布颜色一致的比例", "Background matching the backdrop"), unit="%", limit=Limit.MIN,
              scale=100.0)
