"""No glasses, including sunglasses and rimless frames.

On the upright normalised face: frames put horizontal edges across the nose bridge between the eyes
(measured relative to the face's own contrast, so a plain bridge with soft shading scores low), and the
lower rims draw a horizontal line under each eye, on skin that is otherwise smooth (the strongest row of
horizontal edges below each eye, relative to the face's contrast; both eyes must show it, so one
shadow or wrinkle does not count); sunglasses make the eye regions much darker than the cheeks. The score
is the strongest cue over its limit (bridge / 1.05, rim / 2.7, 0.22 / eye-to-cheek brightness).

Measured (dev sets, one-person faces): clear and dark-rimmed glasses score 1.15-3.12 (thin wire frames
turned 30 degrees 2.48, a hard hat's safety glasses 1.47), sunglasses 1.96; bare faces up to 0.84 (a dark
photo) and 0.92 (a tiny face in a full-body action shot). Uncertain from 0.9 to 1.1, fail above.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kiosk.photo.checks.base import (
    FAIL,
    NO_FACE,
    UNCERTAIN,
    Check,
    Limit,
    band,
    failed,
    grade,
    nobody,
    passed,
    person_found,
    skipped,
    uncertain,
)
from kiosk.photo.checks.face_norm import normalised_dy, normalised_gray, region
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "glasses"
MESSAGE = Text("请摘下眼镜", "Please take off your glasses")
SUNGLASSES = Text("请摘下墨镜", "Please take off your sunglasses")
CONFIRM = Text("确认未戴眼镜", "Confirm: no glasses")


def glasses_measures(gray: np.ndarray, gy: np.ndarray) -> tuple[float, float, float]:
    """(bridge edge strength / face contrast, eye luminance / cheek luminance,
    lower-rim line strength / face contrast (the weaker of the two eyes)), from the normalised grey face and
    its |d/dy| (face_norm.normalised_gray, normalised_dy)."""
    contrast = float(region(gray, -0.42, 1.11, -0.69, 0.69).std()) + 1.0
    bridge = float(region(gy, -0.17, 0.14, -0.17, 0.17).mean()) / contrast
    rim = min(float(region(gy, 0.2, 0.5, -0.7, -0.25).mean(axis=1).max()),
              float(region(gy, 0.2, 0.5, 0.25, 0.7).mean(axis=1).max())) / contrast
    eyes = (float(region(gray, -0.11, 0.11, -0.69, -0.28).mean())
            + float(region(gray, -0.11, 0.11, 0.28, 0.69).mean())) / 2
    cheeks = (float(region(gray, 0.42, 0.83, -0.69, -0.28).mean())
              + float(region(gray, 0.42, 0.83, 0.28, 0.69).mean())) / 2
    return bridge, eyes / (cheeks + 1.0), rim


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not person_found(obs, cfg):
        return nobody(CODE)
    gray, gy = normalised_gray(obs), normalised_dy(obs)
    if gray is None or gy is None:
        return skipped(CODE, reason="no_face", message=NO_FACE)
    bridge, eye_ratio, rim = glasses_measures(gray, gy)
    details: dict[str, Any] = {"bridge_edge": round(bridge, 3), "eye_ratio": round(eye_ratio, 3), "rim_edge": round(rim, 3)}
    # Each cue against its limit (1.0 = at the limit); the strongest decides.
    cues = {
        "sunglasses_detected": cfg.sunglasses_max_eye_ratio / max(eye_ratio, 1e-3),
        "glasses_detected": max(bridge / cfg.glasses_max_bridge_edge, rim / cfg.glasses_max_rim_edge),
    }
    reason = max(cues, key=lambda r: cues[r])
    score = cues[reason]
    status = grade(score, 1.0, band(1.0, cfg.glasses_band))
    if status == FAIL:
        message = SUNGLASSES if reason == "sunglasses_detected" else MESSAGE
        return failed(CODE, reason=reason, message=message, value=score, threshold=1.0, **details)
    if status == UNCERTAIN:
        return uncertain(CODE, reason=reason, message=CONFIRM, value=score, threshold=1.0, **details)
    return passed(CODE, value=score, threshold=1.0, **details)


CHECK = Check(CODE, check, "no glasses or sunglasses",
              name=Text("眼镜特征（1.00 为限值）", "Glasses score (1.00 = at the limit)"), limit=Limit.MAX, digits=2)
