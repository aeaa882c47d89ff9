"""The signature area of the verification sheet is not empty.

The area is to the right of the 签字/签名 label that OCR reads (the label's row and a little above and
below); if no label is read, the provider template's area (`DocumentThresholds.signature_region`). Ink is dark or
blue pixels that are not printed text (lines OCR reads with confidence >= 0.85; a scribble reads poorly) and
not the red seal.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.checks.seal import red_mask
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "signature"
LABELS = ("签字", "签名")


def signature_area(obs: Observation, cfg: DocumentThresholds) -> tuple[tuple[int, int, int, int], str]:
    h, w = obs.image.shape[:2]
    for line in obs.lines:
        if any(lbl in line.text for lbl in LABELS) and "章" not in line.text:
            x0, y0, x1, y1 = line.box
            lh = y1 - y0
            return (int(x1), int(max(0, y0 - 1.5 * lh)), int(w * 0.95), int(min(h, y1 + 1.5 * lh))), "label"
    fx0, fy0, fx1, fy1 = cfg.signature_region
    return (int(fx0 * w), int(fy0 * h), int(fx1 * w), int(fy1 * h)), "template"


def ink_fraction(obs: Observation, area: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = area
    crop = obs.image[y0:y1, x0:x1]
    if crop.size == 0:
        return 0.0
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    paper = float(np.median(gray))
    dark = gray < min(120, paper - 60)
    blue = (hsv[..., 0] >= 95) & (hsv[..., 0] <= 135) & (hsv[..., 1] >= 60) & (gray < paper - 40)
    ink = (dark | blue) & ~red_mask(crop).astype(bool)
    for line in obs.lines:  # printed text is not a signature
        lx0, ly0, lx1, ly1 = (int(v) for v in line.box)
        if line.score >= 0.85 and len(line.compact) >= 2:
            ink[max(0, ly0 - y0) : max(0, ly1 - y0), max(0, lx0 - x0) : max(0, lx1 - x0)] = False
    return float(ink.mean())


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    area, how = signature_area(obs, cfg)
    value = ink_fraction(obs, area)
    limit = cfg.signature_min_ink
    if value < limit:
        return failed(CODE, reason="signature_missing", value=value, threshold=limit,
                      message=Text("签字处为空，请负责人签字", "The signature area is empty: it must be signed"), area=area, found_by=how)
    return passed(CODE, value=value, threshold=limit, message=Text("已签字", "Signed"), area=area, found_by=how)
