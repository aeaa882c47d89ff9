"""No hat or other head covering.

On the upright normalised face, the band of the upper forehead (0.65 to 1.1 eye distances above the eyes)
is compared with the cheeks: bare forehead is skin-coloured; a fringe is hair, whose strands give mostly
vertical structure; a high hairline (e.g. an afro) crosses the band and leaves skin below it; a cap peak,
brim or crown covering the forehead is not skin anywhere in the band and its structure is mostly
horizontal. All three conditions must hold for a fail.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.checks.base import (
    FAIL,
    NO_FACE,
    UNCERTAIN,
    Check,
    Limit,
    Measure,
    band,
    failed,
    grade,
    has_body,
    nobody,
    passed,
    person_found,
    skipped,
    uncertain,
)
from kiosk.photo.checks.face_norm import normalised_face, region
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "hat"
SKIN_DELTA_PIXEL = 20.0  # a band pixel this close (CIELAB) to the cheeks' median counts as skin
MESSAGE = Text("请摘下帽子或头饰", "Please take off your hat or head covering")
CONFIRM = Text("确认未戴帽子或头饰", "Confirm: no hat or head covering")


def hat_measures(face_bgr: np.ndarray) -> tuple[float, float, float]:
    """(colour distance of the upper forehead from the cheeks, share of its pixels that are skin-coloured,
    horizontal/vertical edge ratio there)."""
    lab = cv2.cvtColor(face_bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    band = region(lab, -1.1, -0.65, -0.45, 0.45).reshape(-1, 3)
    cheeks = np.vstack([region(lab, 0.4, 0.8, -0.6, -0.3).reshape(-1, 3),
                        region(lab, 0.4, 0.8, 0.3, 0.6).reshape(-1, 3)])
    skin = np.median(cheeks, axis=0)
    skin_delta = float(np.linalg.norm(np.median(band, axis=0) - skin))
    skin_fraction = float((np.linalg.norm(band - skin, axis=1) < SKIN_DELTA_PIXEL).mean())
    gray = cv2.cvtColor(face_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    gy = np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    gx = np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0))
    ratio = float(region(gy, -1.1, -0.65, -0.45, 0.45).mean() / (region(gx, -1.1, -0.65, -0.45, 0.45).mean() + 1e-3))
    return skin_delta, skin_fraction, ratio


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not person_found(obs, cfg):
        return nobody(CODE)
    face = normalised_face(obs)
    if face is None:
        if has_body(obs, cfg):
            # Someone is there but their face cannot be measured (turned away, hidden): a person looks.
            return uncertain(CODE, reason="no_face", message=CONFIRM, measure="no_face")
        return skipped(CODE, reason="no_face", message=NO_FACE)
    skin_delta, skin_fraction, ratio = hat_measures(face)
    score = min(
        skin_delta / cfg.hat_min_skin_delta,
        (1.0 - skin_fraction) / (1.0 - cfg.hat_max_skin_fraction),
        ratio / cfg.hat_min_horizontal_ratio,
    )
    details = {"forehead_skin_delta": round(skin_delta, 1), "forehead_skin_fraction": round(skin_fraction, 3),
               "horizontal_ratio": round(ratio, 2)}
    status = grade(score, 1.0, band(1.0, cfg.hat_band))
    if status == FAIL:
        return failed(CODE, reason="hat_detected", message=MESSAGE, value=score, threshold=1.0, **details)
    if status == UNCERTAIN:
        return uncertain(CODE, reason="hat_detected", message=CONFIRM, value=score, threshold=1.0, **details)
    return passed(CODE, value=score, threshold=1.0, **details)


CHECK = Check(CODE, check, "no hat or head covering",
              name=Text("帽子/头饰特征（1.00 为限值）", "Head covering score (1.00 = at the limit)"), limit=Limit.MAX,
              digits=2, measures={"no_face": Measure(Text("帽子/头饰", "Hat or head covering"))})
