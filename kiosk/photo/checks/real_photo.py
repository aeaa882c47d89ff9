"""A live person in front of the camera, not a drawing, render, printed photo or screen, as far as one frame
tells (blinks and head turns over several frames are the liveness challenge's job, not this check's).

Three measures, in this order:

- Flat area (drawings, cartoons, renders): camera images carry sensor noise and texture everywhere;
  drawings have large areas with no variation at all. The share of 8x8 blocks (frame scaled to at most
  512 px, blocks offset from the JPEG grid) whose luminance standard deviation is below 0.3 grey levels, not
  counting blown-out white. Fails above `max_flat_fraction` (0.50): the labelled render measures 0.66.
- Head cut by a straight edge (a print or screen held up, the person's picture ending at its edge): the
  person silhouette (selfie segmentation) ends along a long straight, near-horizontal edge (OpenCV's LSD
  line segments in the strip above the face, frame at 480 px; at least a third of the face and 8 % of the
  frame long, within 20 degrees of horizontal) above the face, inside the frame: person on one side of the
  edge, none on the other. A real
  head is round on top, and the frame's own edge does not count. Measured as the length of that cut in face
  widths: camera photos of people (dev sets, 79) measure at most 0.38 (hands raised beside the head), the
  recaptured print (fail_printed_photo_sf_F1, the print's margin across the top of her hair) 0.80. Uncertain
  from 0.45 (`max_head_cut` 0.6 -/+ `head_cut_band` 0.15), fail from 0.75. One print is all the dev data
  has: the band is wide on purpose.
- Border around the face (a screen's bezel, a framed picture): straight edges parallel to the face on
  several sides, each covering at least 80 % of the face's extent (widened by a quarter face each way),
  within 2.5 face sizes (4 below) and away from the frame's edge (line segments of the whole frame at 320
  px). Camera photos (dev sets and two held-out samples, 80) measure 0 sides on 63, 1 side (a table edge, a
  pole, a podium) on 15 and 2 (a doorway, a curtain) on 2; a screenshot of a software window full of ID
  photos 3, so three or four bordered sides fail. A held-out tablet held up to the camera measures 1 (its
  bezel's other edges are broken up by the hand and the screen's glare): not caught.

- Screen pixel grid in the face (a phone or tablet showing a photo, its bezel in view or not): the sharpest
  high-frequency peak of the face's spectrum over the median at its frequency, in dB (see
  kiosk/photo/pixel_grid.py). Camera photos of people (dev sets and the identity photos, 178) measure
  0-14.4 dB; derived scenes of real photos on a generated phone, tablet and a tablet held so close its
  bezel is out of view (tests/photo/devices.py: 3-4 camera pixels per screen pixel, subpixel stripes, 72
  placements) 26.4-34.2.
  Uncertain from 19.8 dB (`max_grid_peak` 22 -/+ 10 %), fail above 24.2.

Not caught by one frame: a print filling the camera's view without an edge in it, and a screen far enough
away that its pixels are finer than the camera's (moiré bands instead of a peak).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from kiosk.photo.checks.base import (
    FAIL,
    UNCERTAIN,
    Check,
    Limit,
    Measure,
    band,
    failed,
    grade,
    passed,
    uncertain,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.pixel_grid import grid_peak as _grid_peak
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "real_photo"
MESSAGE = Text("请本人站到镜头前拍照，不能使用照片、屏幕或图画",
               "Please stand in front of the camera in person: no photos, screens or drawings")
CONFIRM = Text("确认是本人现场拍摄（不是照片或屏幕）", "Confirm: the person stood at the camera (not a photo or screen)")
BLOCK = 8
OFFSET = BLOCK // 2
LINE_SIDE = 480          # the head-cut measure's line segments: the strip above the face at this frame size
BORDER_SIDE = 320        # the border measure's line segments: the whole frame scaled to this longest side
MIN_SEGMENT = 0.12       # x the frame's short side
MAX_TILT = 20.0          # degrees from horizontal / vertical
GROUP = 0.02             # segments whose offsets differ by less than this x the frame size are one edge
MIN_COVER = 0.8          # share of the face's (widened) extent an edge must cover
EDGE_MARGIN = 0.02       # an edge this close to the frame's own border is the frame, not a border in the scene


def flat_fraction(obs: Observation) -> float:
    return obs.memo("flat_fraction", lambda: _flat_fraction(obs))


def _flat_fraction(obs: Observation) -> float:
    gray = obs.gray
    h, w = gray.shape
    scale = 512 / max(h, w)
    if scale < 1:
        gray = cv2.resize(gray, (max(BLOCK, round(w * scale)), max(BLOCK, round(h * scale))),
                          interpolation=cv2.INTER_AREA)
    # Blocks start half a block in, off the JPEG 8x8 grid: a heavily compressed smooth backdrop has
    # exactly flat JPEG blocks, but not across their borders.
    gray = gray[OFFSET:, OFFSET:]
    h, w = gray.shape
    hb, wb = h // BLOCK, w // BLOCK
    if hb == 0 or wb == 0:
        return 0.0
    g = gray[: hb * BLOCK, : wb * BLOCK].astype(np.float64)
    # Block means of x and x^2 by area averaging: variance = E[x^2] - E[x]^2 (much faster than reshaping).
    mean = cv2.resize(g, (wb, hb), interpolation=cv2.INTER_AREA)
    mean_sq = cv2.resize(g * g, (wb, hb), interpolation=cv2.INTER_AREA)
    var = np.maximum(mean_sq - mean * mean, 0.0)
    # Blown-out white (a backdrop overexposed to 255) is flat in any photo: not counted. Flat black is
    # counted: a camera's black level and noise rarely give exactly constant dark blocks, renders do.
    flat = (var < 0.3 * 0.3) & (mean < 250.0)
    return float(flat.mean())


def face_box(obs: Observation) -> tuple[float, float, float, float] | None:
    """The main face: the mesh's box, else the largest detected face."""
    if obs.face_box is not None:
        return obs.face_box
    face = obs.main_face
    return None if face is None else (face.x0, face.y0, face.x1, face.y1)


def segments(obs: Observation) -> np.ndarray:
    """(N, 4) line segments x0, y0, x1, y1 in frame pixels over the whole frame at BORDER_SIDE px, for the
    border measure; computed once per observation (in the models' helper thread, see checks.prepare)."""
    return obs.memo("line_segments", lambda: _segments(obs, BORDER_SIDE))


def head_segments(obs: Observation) -> np.ndarray:
    """Line segments in the strip above the main face only (the frame's full width, from its top to 0.3 face
    heights below the face's top), at LINE_SIDE px: the head-cut measure needs the finer scale there, and at
    booth framing the strip is a small part of the frame, so it costs little."""
    return obs.memo("head_segments", lambda: _head_segments(obs))


def _head_segments(obs: Observation) -> np.ndarray:
    box = face_box(obs)
    if box is None:
        return np.zeros((0, 4), np.float32)
    _x0, y0, _x1, y1 = box
    bottom = int(min(obs.height, max(0.0, y0 + 0.3 * (y1 - y0))))
    if bottom < 16:
        return np.zeros((0, 4), np.float32)
    return _segments(obs, LINE_SIDE, (0, 0, obs.width, bottom))


def _scaled_gray(obs: Observation, side: int) -> tuple[np.ndarray, float]:
    """The grey frame scaled to `side` px (its longest side), and the scale; cached per size."""
    def compute() -> tuple[np.ndarray, float]:
        h, w = obs.height, obs.width
        scale = min(1.0, side / max(h, w))
        if scale >= 1.0:
            return obs.gray, 1.0
        return cv2.resize(obs.gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA), scale
    return obs.memo(f"gray_{side}", compute)


def _segments(obs: Observation, side: int, crop: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Line segments of the frame scaled to `side` px, within `crop` (frame pixels) if given. The frame is
    scaled first and then cropped, so a crop sees the very pixels the whole frame would."""
    small, scale = _scaled_gray(obs, side)
    h, w = small.shape[:2]
    x0, y0, x1, y1 = (0, 0, w, h) if crop is None else (
        int(crop[0] * scale), int(crop[1] * scale), max(1, round(crop[2] * scale)), max(1, round(crop[3] * scale)))
    gray = small[y0:y1, x0:x1]
    # LSD accepts a segment when its expected number of false detections in the image is below 10^-log_eps;
    # that number grows with the image's area (to the power 5/2), so a crop gets the full frame's threshold
    # back: the same segments are found in it as in the whole frame.
    log_eps = 2.5 * float(np.log10((w * h) / max(gray.shape[0] * gray.shape[1], 1)))
    lsd = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD, 0.8, 0.6, 2.0, 22.5, log_eps)
    found = lsd.detect(gray)[0]
    if found is None:
        return np.zeros((0, 4), np.float32)
    return (found.reshape(-1, 4) + np.array([x0, y0, x0, y0], np.float32)) / scale


def bordered_sides(obs: Observation) -> tuple[str, ...]:
    """The sides of the main face ("top", "bottom", "left", "right") along which a straight edge runs:
    see the module docstring; cached on the observation."""
    return obs.memo("bordered_sides", lambda: _bordered_sides(obs))


def _bordered_sides(obs: Observation) -> tuple[str, ...]:
    box = face_box(obs)
    if box is None:
        return ()
    h, w = obs.height, obs.width
    x0, y0, x1, y1 = box
    fw, fh = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    # (side, offset of the edge on the axis across it, covered interval along it)
    edges: dict[str, list[tuple[float, float, float]]] = {"top": [], "bottom": [], "left": [], "right": []}
    min_len = MIN_SEGMENT * min(h, w)
    for xa, ya, xb, yb in segments(obs):
        dx, dy = xb - xa, yb - ya
        if np.hypot(dx, dy) < min_len:
            continue
        angle = abs(np.degrees(np.arctan2(dy, dx))) % 180
        if angle < MAX_TILT or angle > 180 - MAX_TILT:  # horizontal: offset = y at the face's centre column
            offset = ya + (cx - xa) * dy / dx if dx else ya
            if offset < EDGE_MARGIN * h or offset > (1 - EDGE_MARGIN) * h:
                continue
            lo, hi = sorted((xa, xb))
            if offset < y0 and y0 - offset < 2.5 * fh:
                edges["top"].append((offset, lo, hi))
            elif offset > y1 and offset - y1 < 4.0 * fh:
                edges["bottom"].append((offset, lo, hi))
        elif abs(angle - 90) < MAX_TILT:  # vertical: offset = x at the face's centre row
            offset = xa + (cy - ya) * dx / dy if dy else xa
            if offset < EDGE_MARGIN * w or offset > (1 - EDGE_MARGIN) * w:
                continue
            lo, hi = sorted((ya, yb))
            if offset < x0 and x0 - offset < 2.5 * fw:
                edges["left"].append((offset, lo, hi))
            elif offset > x1 and offset - x1 < 2.5 * fw:
                edges["right"].append((offset, lo, hi))
    sides = []
    for side, found in edges.items():
        horizontal = side in ("top", "bottom")
        lo, hi = (x0 - fw / 4, x1 + fw / 4) if horizontal else (y0 - fh / 4, y1 + fh / 4)
        tolerance = GROUP * (h if horizontal else w)
        if any(_cover([s for s in found if abs(s[0] - ref) <= tolerance], lo, hi) >= MIN_COVER
               for ref, _a, _b in found):
            sides.append(side)
    return tuple(sides)


def _cover(segments: list[tuple[float, float, float]], lo: float, hi: float) -> float:
    """Share of [lo, hi] covered by the union of the segments' intervals."""
    covered, reach = 0.0, lo
    for _offset, a, b in sorted(segments, key=lambda s: s[1]):
        a, b = max(a, reach), min(b, hi)
        if b > a:
            covered += b - a
            reach = b
    return covered / max(hi - lo, 1e-6)


def head_cut(obs: Observation) -> float:
    """How far the person's silhouette is cut off by a straight horizontal edge at or above the head, inside
    the frame, in face widths (0 when nothing cuts it); cached on the observation."""
    return obs.memo("head_cut", lambda: _head_cut(obs))


def _head_cut(obs: Observation) -> float:
    box = face_box(obs)
    if box is None or obs.mask is None:
        return 0.0
    h, w = obs.height, obs.width
    x0, y0, x1, y1 = box
    fw, fh = x1 - x0, y1 - y0
    mask = obs.mask
    step = max(3.0, 0.04 * fw)  # look this far to each side of the edge
    worst = 0.0
    for xa, ya, xb, yb in head_segments(obs):
        length = float(np.hypot(xb - xa, yb - ya))
        angle = abs(np.degrees(np.arctan2(yb - ya, xb - xa))) % 180
        # an edge of a print or screen is long: at least a third of the face and 8 % of the frame
        if length < max(0.3 * fw, 0.08 * min(h, w)) or MAX_TILT < angle < 180 - MAX_TILT:
            continue
        t = np.linspace(0.0, 1.0, max(2, int(length / 2)))
        px, py = xa + t * (xb - xa), ya + t * (yb - ya)
        nx, ny = -(yb - ya) / length, (xb - xa) / length
        above = mask[np.clip(py + ny * step, 0, h - 1).astype(int), np.clip(px + nx * step, 0, w - 1).astype(int)]
        below = mask[np.clip(py - ny * step, 0, h - 1).astype(int), np.clip(px - nx * step, 0, w - 1).astype(int)]
        cut = ((above > 0.6) & (below < 0.2)) | ((below > 0.6) & (above < 0.2))
        cut &= (px > EDGE_MARGIN * w) & (px < (1 - EDGE_MARGIN) * w) & (py > EDGE_MARGIN * h) & (py < y0 - 0.1 * fh)
        worst = max(worst, float(cut.sum()) * length / len(t) / max(fw, 1.0))
    return worst


def grid_peak(obs: Observation) -> float:
    """The screen pixel grid measure of the main face in dB (kiosk/photo/pixel_grid.py); cached."""
    return obs.memo("grid_peak", lambda: _grid_peak(obs.gray, face_box(obs)))


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    flat = flat_fraction(obs)
    if flat > cfg.max_flat_fraction:
        return failed(CODE, reason="not_a_photo", message=MESSAGE, value=flat, threshold=cfg.max_flat_fraction,
                      measure="flat")
    sides = bordered_sides(obs)
    cut = head_cut(obs)
    grid = grid_peak(obs)
    details: dict[str, Any] = {"flat_fraction": round(flat, 3), "bordered_sides": list(sides), "head_cut": round(cut, 3),
                               "grid_peak": round(grid, 1)}
    if len(sides) >= cfg.border_fail_sides:
        return failed(CODE, reason="photo_or_screen", message=MESSAGE, value=float(len(sides)),
                      threshold=float(cfg.border_fail_sides - 1), measure="border", **details)
    grid_status = grade(grid, cfg.max_grid_peak, band(cfg.max_grid_peak, cfg.grid_peak_band))
    if grid_status == FAIL:
        return failed(CODE, reason="screen", message=MESSAGE, value=grid, threshold=cfg.max_grid_peak,
                      measure="grid", **details)
    status = grade(cut, cfg.max_head_cut, band(cfg.max_head_cut, cfg.head_cut_band))
    if status == FAIL:
        return failed(CODE, reason="photo_or_screen", message=MESSAGE, value=cut, threshold=cfg.max_head_cut,
                      measure="cut", **details)
    if grid_status == UNCERTAIN:
        return uncertain(CODE, reason="screen", message=CONFIRM, value=grid, threshold=cfg.max_grid_peak,
                         measure="grid", **details)
    if status == UNCERTAIN:
        return uncertain(CODE, reason="photo_or_screen", message=CONFIRM, value=cut, threshold=cfg.max_head_cut,
                         measure="cut", **details)
    return passed(CODE, value=cut, threshold=cfg.max_head_cut, measure="cut", **details)


CHECK = Check(
    CODE, check, "a live person, not a drawing, print or screen",
    name=Text("照片/屏幕边框", "Print or screen border around the face"), unit="", limit=Limit.MAX,
    measures={
        "flat": Measure(Text("无纹理区域", "Flat, textureless area"), "%", Limit.MAX, scale=100.0),
        "border": Measure(Text("脸部周围有直边的边数", "Sides of the face with a straight border"), "", Limit.MAX),
        "cut": Measure(Text("头顶被直边截断", "Head cut off by a straight edge (face widths)"), "", Limit.MAX,
                       digits=2),
        "grid": Measure(Text("脸部屏幕像素网格", "Screen pixel grid in the face"), "dB", Limit.MAX),
    },
)
