"""Well exposed: mean face luminance within limits and few clipped (near black or near white) pixels."""

from __future__ import annotations

from typing import Any

import numpy as np

from kiosk.photo.checks.base import (
    UNCERTAIN,
    Check,
    Limit,
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

CODE = "exposure"
DARK = Text("光线太暗，请站到灯光下，或请工作人员调亮灯光", "Too dark: please step into the light, or ask staff to add light")
CONFIRM = Text("确认面部曝光正常（不过暗、不过亮）", "Confirm: the face is neither too dark nor too bright")
BRIGHT = Text("光线太强，请避开强光，或请工作人员调暗灯光", "Too bright: please step out of the glare, or ask staff to dim the light")


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not person_found(obs, cfg):
        return nobody(CODE)  # an empty frame: "no person" is the one thing to say
    box = face_region(obs)
    if box is not None:
        x0, y0, x1, y1 = box
        region, where = obs.gray[y0:y1, x0:x1], "face"
    else:
        region, where = obs.gray[:: max(1, obs.height // 240), :: max(1, obs.width // 320)], "frame"
    mean = float(region.mean())
    dark = float(np.count_nonzero(region <= 8)) / region.size
    bright = float(np.count_nonzero(region >= 247)) / region.size
    if where == "frame":  # no face: judge the mean only; bright sky or dark corners are not the subject
        dark = bright = 0.0
    details: dict[str, Any] = {"region": where, "luma": round(mean, 1), "clipped_dark": round(dark, 3),
               "clipped_bright": round(bright, 3)}
    if mean < cfg.min_face_luma or dark > cfg.max_clipped:
        return failed(CODE, reason="underexposed", message=DARK, value=mean, threshold=cfg.min_face_luma, **details)
    if mean > cfg.max_face_luma or bright > cfg.max_clipped:
        return failed(CODE, reason="overexposed", message=BRIGHT, value=mean, threshold=cfg.max_face_luma, **details)
    limits = f"{cfg.min_face_luma}..{cfg.max_face_luma}"
    if grade(mean, cfg.min_face_luma, (0.0, cfg.luma_band), Limit.MIN) == UNCERTAIN or \
            grade(mean, cfg.max_face_luma, (cfg.luma_band, 0.0)) == UNCERTAIN:
        return uncertain(CODE, reason="exposure_borderline", message=CONFIRM, value=mean, threshold=limits, **details)
    return passed(CODE, value=mean, threshold=limits, **details)


CHECK = Check(CODE, check, "face well exposed",
              name=Text("面部亮度（0–255）", "Face brightness (0–255)"), limit=Limit.RANGE)
