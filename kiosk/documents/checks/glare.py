"""No glare over text: clipped-white blobs brighter than the paper, overlapping the text area, fail.

A blob is a connected area whose darkest channel is >= max(250, paper level + 12) (the paper level is the
document's median grey); on a page scanned to pure white there is no room for glare and nothing is flagged.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "glare"
WIDTH = 600


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    small = obs.scaled(WIDTH)
    f = small.shape[1] / obs.image.shape[1]
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    paper = float(np.median(gray))
    level = max(250.0, paper + 12)
    mask = (small.min(axis=2) >= level).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    limit = cfg.glare_max_fraction
    total = gray.size
    hull = obs.text_hull()
    worst = 0.0
    worst_box = None
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        frac = area / total
        if frac < limit:
            continue
        box = (x / f, y / f, (x + w) / f, (y + h) / f)
        if hull is not None:
            over = not (box[2] < hull[0] or box[0] > hull[2] or box[3] < hull[1] or box[1] > hull[3])
        else:
            over = True
        if over and frac > worst:
            worst, worst_box = frac, box
    if worst > 0:
        return failed(CODE, reason="glare", value=worst, threshold=limit,
                      message=Text("有反光遮挡文字，请调整角度或光线后重拍", "Glare covers text: change the angle or the light and try again"),
                      box=worst_box, paper_level=paper)
    return passed(CODE, value=worst, threshold=limit, message=Text("无反光", "No glare"), paper_level=paper)
