"""Face normalisation shared by the hat and glasses checks: the face rotated upright and scaled so the eye
centres sit at fixed positions (eye distance `EYE_DIST` pixels), computed once per observation; the person
mask (selfie segmentation) warped the same way for measures that need the head's silhouette."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.vision import Observation

SIZE = 200
EYE_DIST = 72.0
EYE_Y = 120  # eye line in the normalised image; the image centre column is x = SIZE / 2


def _matrix(obs: Observation) -> np.ndarray | None:
    """The similarity transform frame -> normalised face (2x3), None without a usable face mesh."""
    if obs.mesh is None:
        return None
    mesh = obs.mesh
    left = mesh[[33, 133], :2].mean(axis=0)
    right = mesh[[263, 362], :2].mean(axis=0)
    centre = (left + right) / 2
    delta = right - left
    distance = float(np.linalg.norm(delta))
    if distance < 4:
        return None
    angle = float(np.degrees(np.arctan2(delta[1], delta[0])))
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, EYE_DIST / distance)
    matrix[0, 2] += SIZE / 2 - centre[0]
    matrix[1, 2] += EYE_Y - centre[1]
    return matrix


def normalised_face(obs: Observation) -> np.ndarray | None:
    """SIZE x SIZE BGR face crop, upright, eyes at (SIZE/2 -/+ EYE_DIST/2, EYE_Y); cached on the observation."""
    cached = obs.cache.get("normalised_face")
    if cached is not None:
        return cached
    matrix = _matrix(obs)
    if matrix is None:
        return None
    face = cv2.warpAffine(obs.bgr, matrix, (SIZE, SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    obs.cache["normalised_face"] = face
    return face


def normalised_mask(obs: Observation) -> np.ndarray | None:
    """The person probability (selfie segmentation) on the normalised face's pixels (0 outside the frame);
    None without a mask or a face. Cached on the observation."""
    cached = obs.cache.get("normalised_mask")
    if cached is not None:
        return cached
    matrix = _matrix(obs)
    if matrix is None or obs.mask is None:
        return None
    mask = cv2.warpAffine(np.asarray(obs.mask, np.float32), matrix, (SIZE, SIZE), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0.0,))
    obs.cache["normalised_mask"] = mask
    return mask


def normalised_lab(obs: Observation) -> np.ndarray | None:
    """The normalised face in CIELAB (float32, OpenCV's 8-bit scaling), converted once per observation."""
    face = normalised_face(obs)
    if face is None:
        return None
    return obs.memo("normalised_lab", lambda: cv2.cvtColor(face, cv2.COLOR_BGR2LAB).astype(np.float32))


def normalised_gray(obs: Observation) -> np.ndarray | None:
    """The normalised face in grey levels (float32), converted once per observation."""
    face = normalised_face(obs)
    if face is None:
        return None
    return obs.memo("normalised_gray", lambda: cv2.cvtColor(face, cv2.COLOR_BGR2GRAY).astype(np.float32))


def normalised_dy(obs: Observation) -> np.ndarray | None:
    """|d/dy| (Sobel) of the normalised grey face: the horizontal edges both the hat and glasses checks read."""
    gray = normalised_gray(obs)
    if gray is None:
        return None
    return obs.memo("normalised_dy", lambda: np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1)))


def region(image: np.ndarray, y0: float, y1: float, x0: float, x1: float) -> np.ndarray:
    """Sub-image between (y0, y1) and (x0, x1) given in eye distances from the eye-line centre."""
    return image[int(EYE_Y + y0 * EYE_DIST): int(EYE_Y + y1 * EYE_DIST),
                 int(SIZE / 2 + x0 * EYE_DIST): int(SIZE / 2 + x1 * EYE_DIST)]
