"""The calibrated curtain as the curtain checks read it: its colour at every place of the frame (the grid of
calibration.backdrop_model, interpolated), the frame in CIELAB at the checks' working size, and the background
(the pixels away from the person)."""

from __future__ import annotations

import base64

import cv2
import numpy as np

from kiosk.photo.config import JudgeConfig
from kiosk.photo.vision import Observation

WORK_WIDTH = 320  # the curtain checks work on the frame area-averaged to this width (Observation.small_bgr)
PERSON_MARGIN = 0.02  # the person mask grown by this fraction of the frame width (soft edges, hair)


def lab_of(bgr: np.ndarray) -> np.ndarray:
    """CIELAB, OpenCV float scale (L 0..100, a/b about -127..127), as calibration.backdrop measures it."""
    return cv2.cvtColor(bgr.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)


def grid_colours(flat: tuple[float, ...] | list[float], shape: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """The curtain's colour at every pixel of a `size` (width, height) image from the calibrated grid
    (rows x cols cells, flat row-major, 3 values a cell), bilinear between cell centres."""
    rows, cols = int(shape[0]), int(shape[1])
    grid = np.asarray(flat, np.float32).reshape(rows, cols, 3)
    return cv2.resize(grid, size, interpolation=cv2.INTER_LINEAR)


def curtain_colours(obs: Observation, cfg: JudgeConfig) -> np.ndarray | None:
    """The calibrated curtain colour at every pixel of `obs.small_bgr`, or None without a calibrated grid."""
    if cfg.curtain_lab_grid is None:
        return None
    h, w = obs.small_bgr.shape[:2]
    return obs.memo("curtain_colours", lambda: grid_colours(cfg.curtain_lab_grid or (), cfg.curtain_grid_shape, (w, h)))


def small_lab(obs: Observation) -> np.ndarray:
    """`obs.small_bgr` in CIELAB (computed once per frame)."""
    return obs.memo("small_lab", lambda: lab_of(obs.small_bgr))


def person_area(obs: Observation) -> np.ndarray:
    """Where the person is on `obs.small_bgr`: the segmentation mask (> 0.3) grown by PERSON_MARGIN."""
    def compute() -> np.ndarray:
        h, w = obs.small_bgr.shape[:2]
        if obs.mask is None:
            return np.zeros((h, w), bool)
        mask = (cv2.resize(obs.mask, (w, h), interpolation=cv2.INTER_AREA) > 0.3).astype(np.uint8)
        k = max(3, int(PERSON_MARGIN * w) | 1)
        return cv2.dilate(mask, np.ones((k, k), np.uint8)) > 0
    return obs.memo("curtain_person_area", compute)


def box_pixels(region: tuple[float, float, float, float], w: int, h: int) -> tuple[int, int, int, int]:
    """A fractional box (x0, y0, x1, y1) in pixels of a w x h image, clipped to it."""
    x0, y0, x1, y1 = region
    return (max(0, int(x0 * w)), max(0, int(y0 * h)), min(w, int(np.ceil(x1 * w))), min(h, int(np.ceil(y1 * h))))


def encode_grey(image: np.ndarray) -> str:
    """A grey image as base64 PNG (how a profile carries the wordmark template)."""
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("cannot encode the image")
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_grey(text: str) -> np.ndarray | None:
    """The grey image of `encode_grey`, or None when `text` is not one."""
    try:
        data = np.frombuffer(base64.b64decode(text, validate=True), np.uint8)
    except ValueError:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    return image if image is not None and image.size else None
