"""Measure an empty backdrop: its colour (CIELAB, OpenCV float scale: L 0..100, a/b about -127..127),
how even it is, and camera basics (resolution, mean luminance, clipping)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

# Pixels farther than this ΔE from the backdrop's median colour are not the backdrop (a wall, a door) and do not
# count towards its spread. The generated curtains' folds and light fall-off (tests/calibration/curtains.py) keep
# 99 % of their pixels within 17 of the median; the beige wall lies 30-80 away.
CURTAIN_REACH = 25.0


def measure_backdrop(frame_bgr: np.ndarray) -> dict[str, Any]:
    """Colour statistics of the central 80% of an image of the empty backdrop (the spread over the pixels within
    CURTAIN_REACH of its median colour)."""
    h, w = frame_bgr.shape[:2]
    y0, y1, x0, x1 = int(0.1 * h), int(0.9 * h), int(0.1 * w), int(0.9 * w)
    centre = frame_bgr[y0:y1, x0:x1]
    step = max(1, min(centre.shape[:2]) // 240)
    small = centre[::step, ::step]
    lab = cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB).reshape(-1, 3)
    median = np.median(lab, axis=0)
    distance = np.linalg.norm(lab - median, axis=1)
    # the curtain's own unevenness: a wall or door beside it (farther than CURTAIN_REACH) is not part of it
    on_curtain = distance[distance <= CURTAIN_REACH]
    spread = np.percentile(on_curtain if on_curtain.size else distance, 90)
    gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
    return {
        "backdrop_lab": [round(float(v), 2) for v in median],
        "backdrop_spread_delta_e_p90": round(float(spread), 2),
        "resolution": [int(w), int(h)],
        "mean_luma": round(float(gray.mean()), 1),
        "clipped_bright": round(float((gray >= 247).mean()), 4),
        "clipped_dark": round(float((gray <= 8).mean()), 4),
    }


def profile_from_measurement(measure: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A kiosk profile: {"thresholds": {...JudgeConfig overrides...}, "camera": {...measured...}}.

    The colour tolerance is widened to the backdrop's own unevenness (folds, light fall-off) when that is
    larger than the default.
    """
    from kiosk.photo.config import JudgeConfig

    thresholds = dict(base or {})
    thresholds["backdrop_lab"] = measure["backdrop_lab"]
    default_tol = JudgeConfig().backdrop_max_delta_e
    thresholds["backdrop_max_delta_e"] = round(max(default_tol, 1.5 * measure["backdrop_spread_delta_e_p90"]), 2)
    return {"thresholds": thresholds, "camera": {k: v for k, v in measure.items() if k != "backdrop_lab"}}
