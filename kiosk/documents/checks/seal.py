"""Red official seal on the verification sheet: a red, roughly circular ring of 25-60 mm on the page.

Red pixels (HSV hue within 12° of red, saturated) are grouped; a group whose box is about square, whose size
on the A4 page is a seal's, and whose outer ring is red around at least 70 % of the circle is a seal. Cases of
individuals need no seal (expected["require_seal"] = False): skipped.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.documents.kinds import A4_MM
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "seal"
WIDTH = 1000


def red_mask(image: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (((h <= 8) | (h >= 170)) & (s >= 70) & (v >= 70)).astype(np.uint8)


def ring_coverage(mask: np.ndarray, cx: float, cy: float, r: float) -> float:
    """Fraction of 72 directions with red in the band 0.78 r .. 1.05 r."""
    hits = 0
    hgt, wid = mask.shape
    for k in range(72):
        a = 2 * math.pi * k / 72
        ok = False
        for rr in np.linspace(0.78 * r, 1.05 * r, 8):
            x, y = int(cx + rr * math.cos(a)), int(cy + rr * math.sin(a))
            if 0 <= x < wid and 0 <= y < hgt and mask[y, x]:
                ok = True
                break
        hits += ok
    return hits / 72


def find_seals(image: np.ndarray, min_mm: float, max_mm: float, min_cov: float) -> list[dict[str, float]]:
    h, w = image.shape[:2]
    mm_per_px = A4_MM[0] / min(h, w)
    mask = red_mask(image)
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    seals = []
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        d_mm = (bw + bh) / 2 * mm_per_px
        if not (min_mm <= d_mm <= max_mm) or not (0.75 <= bw / max(bh, 1) <= 1.33):
            continue
        cov = ring_coverage(mask, x + bw / 2, y + bh / 2, (bw + bh) / 4)
        if cov >= min_cov:
            seals.append({"diameter_mm": d_mm, "ring_coverage": cov, "x": float(x), "y": float(y)})
    return seals


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    if not obs.expected.get("require_seal", True):
        return skipped(CODE, reason="seal_not_required", message=Text("个人备案无需盖章", "No seal needed for an individual"))
    seals = find_seals(obs.scaled(WIDTH), cfg.seal_min_diameter_mm, cfg.seal_max_diameter_mm, cfg.seal_min_ring_coverage)
    if not seals:
        return failed(CODE, reason="seal_missing", value=0.0, threshold=cfg.seal_min_ring_coverage,
                      message=Text("核验单未见红色公章，请加盖单位公章", "No red official seal found on the sheet: it must be sealed"))
    best = max(seals, key=lambda s: s["ring_coverage"])
    return passed(CODE, value=best["ring_coverage"], threshold=cfg.seal_min_ring_coverage, message=Text("已盖红色公章", "Red seal present"),
                  diameter_mm=best["diameter_mm"], seals=len(seals))
