"""Depth cue: does the face turn as a solid head or move as a flat picture?

A printed photo or a phone screen is a plane: whatever way it is turned, the image positions of its landmarks
are related to the frontal ones by one homography. A real head is not flat: when it turns, the nose moves
across the cheeks and the far cheek's outline slides, so no homography maps the frontal landmarks onto the
turned ones. The cue compares the residual of the best homography (RMS, in inter-ocular distances) with the
residual the face mesh's own depth (its z) predicts for a solid face turned by the measured yaw: real heads
measured 1.2-1.45 times the prediction (four LivePortrait clips and the White House clip), a plane close to 0.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def planar_residual(reference: np.ndarray, current: np.ndarray, iod: float) -> float:
    """RMS distance (in inter-ocular distances) between `current` and the best homography image of
    `reference` (both (N, 2) pixel positions of the same landmarks)."""
    if iod <= 0 or len(reference) < 8:
        return 0.0
    src = np.asarray(reference, np.float64).reshape(-1, 1, 2)
    dst = np.asarray(current, np.float64).reshape(-1, 1, 2)
    H, _mask = cv2.findHomography(src, dst, 0)
    if H is None:
        return 0.0
    fitted = cv2.perspectiveTransform(src, H)
    return float(np.sqrt(np.mean(np.sum((fitted - dst) ** 2, axis=2)))) / iod


def expected_residual(reference: np.ndarray, yaw_deg: float, iod: float) -> float:
    """The planar residual a solid face with the reference's 3-D landmarks ((N, 3): x, y, z on one scale) would
    show after turning by `yaw_deg` about its vertical axis (orthographic view)."""
    pts = np.asarray(reference, np.float64)
    centred = pts - pts.mean(axis=0)
    a = math.radians(yaw_deg)
    x = centred[:, 0] * math.cos(a) + centred[:, 2] * math.sin(a)
    turned = np.stack([x, centred[:, 1]], axis=1) + pts[:, :2].mean(axis=0)
    return planar_residual(pts[:, :2], turned, iod)


def depth_ratio(reference: np.ndarray, current: np.ndarray, yaw_deg: float, reference_iod: float,
                current_iod: float) -> float:
    """Measured planar residual over the one a solid head would show (each in its own frame's inter-ocular
    distances): about 1 or more for a real head turning, near 0 for a flat picture; 0 when the turn is too
    small to tell."""
    expected = expected_residual(reference, yaw_deg, reference_iod)
    if expected <= 1e-6:
        return 0.0
    return planar_residual(reference[:, :2], current[:, :2], current_iod) / expected
