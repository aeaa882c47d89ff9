"""Sharp enough to read: how steep the strongest text edges are for their contrast.

Measured at a fixed scale (ID card 1000 px wide, sheets 150 dpi) so resolution does not count twice: the mean
Sobel gradient of the top 0.5 % edge pixels divided by the image's contrast (p99 - p1 grey level). A crisp
black-on-white edge scores about 0.4; a blurred one falls towards 0.1.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "sharpness"
CARD_WIDTH, SHEET_WIDTH = 1000, 1240  # ID card 1000 px wide, an A4 sheet at 150 dpi


def edge_steepness(gray: np.ndarray) -> float:
    g = gray.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 4
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 4
    mag = np.hypot(gx, gy).ravel()
    contrast = float(np.percentile(g, 99) - np.percentile(g, 1))
    if contrast < 20:
        return 0.0
    k = max(50, mag.size // 200)
    top = np.partition(mag, mag.size - k)[-k:]
    return float(top.mean() / contrast)


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    width = CARD_WIDTH if obs.spec.card else SHEET_WIDTH
    gray = cv2.cvtColor(obs.scaled(width), cv2.COLOR_BGR2GRAY)
    value = edge_steepness(gray)
    limit = cfg.sharpness_min
    if value < limit:
        return failed(CODE, reason="blurred", value=value, threshold=limit,
                      message=Text("图像模糊，请对焦后重新扫描或拍摄", "The image is blurred: focus and scan or photograph again"))
    return passed(CODE, value=value, threshold=limit, message=Text("清晰", "Sharp"))
