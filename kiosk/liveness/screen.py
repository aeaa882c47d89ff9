"""Single-frame presentation-attack cue: the straight outline of a phone, tablet or print around the face.

A face shown on a screen or a printed photo held up to the camera sits inside a rectangle: the device's bezel
or the paper's edge. The cue looks for long straight edges (OpenCV's fast line detector on the grey frame,
scaled to 480 px wide) around the face box: a left and a right edge, roughly vertical, parallel, each covering
`MIN_SIDE_LENGTH` face heights beside the face (a phone is taller than the face it shows), and a top edge
above the head covering `MIN_END_LENGTH` face widths, all within `MAX_GAP` face widths of the face. A bottom
edge is recorded but not required: collars, tables and sofas make one too often.

Measured on the 169 faces of the real test photos (tests/data/identity, photos, photos-round3; most with
cluttered backgrounds, none at a booth): the outline was found on 2 (a group photo in front of a door frame, a
worker in a narrow shaft). Of the real spoof photos, neither the tablet (Silent-Face F2: the hand covers the
tablet's top edge) nor the printed poster (F1: its right edge is out of the picture) shows the full outline, so
the cue only catches devices held with their frame in view, such as the replay clip of the tests. Recorded
videos are stopped by the challenges themselves (random order, time limit, wrong actions).

`presentation_attack(obs)`, the cue the booth feeds to the session per frame, is the outline or a screen's
pixel grid in the face (the photo judge's `real_photo` grid measure, kiosk/photo/pixel_grid.py, above the
judge's fail limit of 24.2 dB): that one also catches a screen held so close that its frame is out of view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.photo.checks import real_photo
from kiosk.photo.config import JudgeConfig
from kiosk.photo.vision import Observation

WORK_WIDTH = 480  # the frame is scaled to this width first
MIN_SIDE_LENGTH = 1.3  # the left and right edges cover at least this many face heights (a phone is tall)
MIN_END_LENGTH = 0.6  # the top or bottom edge covers at least this many face widths
MAX_SKEW_DEG = 8.0  # the left and right edges are parallel within this
MAX_GAP = 2.2  # ... and at most this many face widths from the face box
MIN_GAP = 0.08  # ... and clear of the face box by at least this (the face's own outline is not a frame)
MAX_TILT_DEG = 20.0
REQUIRED = ("left", "right", "top")  # a bottom edge alone is too common (a collar, a table, a sofa's arm)
CLUSTER = 0.15  # segments whose lines cross within this many face widths belong to one edge
MIN_PIECE = 0.35  # each piece of an edge at least this many face heights (widths) long


_JUDGE = JudgeConfig()
GRID_FAIL_DB = _JUDGE.max_grid_peak * (1 + _JUDGE.grid_peak_band)  # the photo judge's fail limit (24.2 dB)


@dataclass(frozen=True, slots=True)
class Outline:
    """Which sides of a frame around the face were found (left, right, top, bottom)."""

    sides: tuple[str, ...]

    @property
    def found(self) -> bool:
        """Both long sides and the top edge: a device or a print held up around the face."""
        return all(side in self.sides for side in REQUIRED)

    def as_dict(self) -> dict[str, object]:
        return {"sides": list(self.sides), "found": self.found}


_detector = None


def _lines(gray: np.ndarray) -> np.ndarray:
    global _detector
    if _detector is None:
        _detector = cv2.ximgproc.createFastLineDetector(length_threshold=20, canny_th1=40, canny_th2=100)
    lines = _detector.detect(gray)
    return np.zeros((0, 4), np.float32) if lines is None else lines.reshape(-1, 4)


def _union(intervals: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(covered length, lowest, highest) of a set of intervals."""
    total, lo_all, hi_all = 0.0, math.inf, -math.inf
    end = -math.inf
    for lo, hi in sorted(intervals):
        lo_all, hi_all = min(lo_all, lo), max(hi_all, hi)
        if hi <= end:
            continue
        total += hi - max(lo, end)
        end = hi
    return total, lo_all, hi_all


def screen_outline(frame_bgr: np.ndarray, face_box: tuple[float, float, float, float] | None) -> Outline:
    """The sides of a rectangle around `face_box` (pixels x0, y0, x1, y1 of `frame_bgr`) made of long straight
    edges; no sides when there is no face.

    An edge broken by a finger or a reflection is several segments: segments of one side are grouped by where
    their line crosses the face's centre row (vertical sides) or column (horizontal sides), and a side counts
    when one group covers `MIN_LENGTH` face heights (widths) and reaches past the face's middle 60 %."""
    if face_box is None:
        return Outline(())
    h, w = frame_bgr.shape[:2]
    f = WORK_WIDTH / w if w > WORK_WIDTH else 1.0
    small = cv2.resize(frame_bgr, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else frame_bgr
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    x0, y0, x1, y1 = (v * f for v in face_box)
    fw, fh = max(1.0, x1 - x0), max(1.0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    # side -> [(crossing position, lo, hi)]
    found: dict[str, list[tuple[float, float, float, float]]] = {"left": [], "right": [], "top": [], "bottom": []}
    for ax, ay, bx, by in _lines(gray):
        dx, dy = bx - ax, by - ay
        if math.hypot(dx, dy) < MIN_PIECE * min(fw, fh):
            continue
        angle = abs(math.degrees(math.atan2(dy, dx))) % 180
        if min(angle, 180 - angle) <= MAX_TILT_DEG:  # horizontal: where it crosses the face's centre column
            y = ay + dy * (cx - ax) / dx if dx else (ay + by) / 2
            side = "top" if y0 - MAX_GAP * fw <= y <= y0 - MIN_GAP * fh else (
                "bottom" if y1 + MIN_GAP * fh <= y <= y1 + MAX_GAP * fw else None)
            if side:
                found[side].append((y, min(ax, bx), max(ax, bx), angle))
        elif abs(angle - 90) <= MAX_TILT_DEG:  # vertical: where it crosses the face's centre row
            x = ax + dx * (cy - ay) / dy if dy else (ax + bx) / 2
            side = "left" if x0 - MAX_GAP * fw <= x <= x0 - MIN_GAP * fw else (
                "right" if x1 + MIN_GAP * fw <= x <= x1 + MAX_GAP * fw else None)
            if side:
                found[side].append((x, min(ay, by), max(ay, by), angle))
    edges: dict[str, float] = {}  # side -> the edge's mean angle (degrees)
    for side, segments in found.items():
        vertical = side in ("left", "right")
        need, lo_need, hi_need = ((MIN_SIDE_LENGTH * fh, y0 + 0.2 * fh, y1 - 0.2 * fh) if vertical
                                  else (MIN_END_LENGTH * fw, x0 + 0.2 * fw, x1 - 0.2 * fw))
        segments.sort()
        group: list[tuple[float, float, float, float]] = []
        for seg in segments + [(math.inf, 0.0, 0.0, 0.0)]:
            if group and seg[0] - group[-1][0] > CLUSTER * fw:
                covered, lo, hi = _union([(a, b) for _p, a, b, _ang in group])
                if covered >= need and lo <= lo_need and hi >= hi_need:
                    edges[side] = float(np.mean([ang for *_rest, ang in group]))
                    break
                group = []
            group.append(seg)
    if "left" in edges and "right" in edges and abs(edges["left"] - edges["right"]) > MAX_SKEW_DEG:
        del edges["right"]  # not the two sides of one device
    return Outline(tuple(s for s in ("left", "right", "top", "bottom") if s in edges))


def presentation_attack(obs: Observation) -> bool:
    """One frame's presentation-attack cue for the liveness session: a device or print outline around the face,
    or a screen's pixel grid in it (see the module docstring); False without a face mesh."""
    if getattr(obs, "mesh", None) is None:
        return False
    return screen_outline(obs.bgr, obs.face_box).found or real_photo.grid_peak(obs) > GRID_FAIL_DB
