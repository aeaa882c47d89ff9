"""The backdrop model from several frames of the empty backdrop: where the curtain is in the frame, its colour
(CIELAB, OpenCV float scale as in calibration.backdrop) and how uneven it is (folds, light fall-off, camera noise),
and optionally the provider's wordmark region with its template.

`model_from_frames(frames)` returns the profile sections: "thresholds" (the JudgeConfig overrides the backdrop check
reads today) and "backdrop" (geometry and colour model for the curtain checks), plus "camera" (calibration.backdrop).

The curtain region: the frame's pixels within `curtain_tolerance` ΔE of the curtain colour (the median of the
frame's central area, which the empty curtain always fills), the largest connected blob, closed over folds and the
wordmark, and its bounding box as fractions of the frame (x0, y0, x1, y1). When the blob touches every frame edge the
curtain fills the frame (`fills_frame`), and any edge the box does not reach is a visible curtain edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from calibration.backdrop import measure_backdrop, profile_from_measurement
from kiosk.photo.curtain import WORK_WIDTH, box_pixels, encode_grey, grid_colours

Region = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame
EDGE_SLACK = 0.01  # a box within this fraction of a frame edge reaches that edge
GRID_SHAPE = (6, 8)  # rows, cols of the curtain colour grid (JudgeConfig.curtain_lab_grid)
# The foreign-background tolerance (JudgeConfig.curtain_foreign_delta_e): FOREIGN_SPREAD x the 99th percentile
# of the empty frames' distance from the grid (folds within a cell, noise, at the checks' working size), at least
# FOREIGN_FLOOR. Measured on the generated curtains (tests/calibration/curtains.py, folds 8 %, fall-off 18 %,
# noise 2.5, 480x640 and 1280x720): that percentile is 5.9-8.4 ΔE (grey, blue, red, white), so the tolerance is
# 14.7-21.1 ΔE; the beige wall lies 29.7 (grey curtain) to 79.9 (blue) ΔE away.
FOREIGN_SPREAD = 2.5
FOREIGN_FLOOR = 12.0


def lab_image(frame_bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame_bgr.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB)


def median_frame(frames: Sequence[np.ndarray]) -> np.ndarray:
    """Per-pixel median of the frames (camera noise and a passer-by in one frame drop out)."""
    if not frames:
        raise ValueError("no frames")
    shape = frames[0].shape
    if any(f.shape != shape for f in frames):
        raise ValueError("frames differ in size")
    return np.median(np.stack(frames), axis=0).astype(np.uint8)


def curtain_region(frame_bgr: np.ndarray, colour: np.ndarray, tolerance: float) -> tuple[Region, np.ndarray]:
    """The curtain's bounding box (fractions) and its mask, from the pixels close to `colour`."""
    h, w = frame_bgr.shape[:2]
    delta = np.linalg.norm(lab_image(frame_bgr) - colour, axis=2)
    close = (delta <= tolerance).astype(np.uint8)
    k = max(3, (min(h, w) // 60) | 1)
    close = cv2.morphologyEx(close, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(close, connectivity=4)
    if count <= 1:
        return (0.0, 0.0, 0.0, 0.0), np.zeros((h, w), bool)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = (int(v) for v in stats[best, :4])
    mask = labels == best
    return (round(x / w, 4), round(y / h, 4), round((x + bw) / w, 4), round((y + bh) / h, 4)), mask


def visible_edges(region: Region) -> list[str]:
    """Which sides of the frame the curtain does not reach (there the curtain's edge or the wall shows)."""
    x0, y0, x1, y1 = region
    sides = {"left": x0 > EDGE_SLACK, "top": y0 > EDGE_SLACK, "right": x1 < 1 - EDGE_SLACK, "bottom": y1 < 1 - EDGE_SLACK}
    return [side for side, shows in sides.items() if shows]


def wordmark_template(frame_bgr: np.ndarray, region: Region, size: int = 96) -> dict[str, Any]:
    """The wordmark's grey template (longest side `size` px, as nested lists) from `region` of the frame."""
    h, w = frame_bgr.shape[:2]
    x0, y0, x1, y1 = int(region[0] * w), int(region[1] * h), int(region[2] * w), int(region[3] * h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        raise ValueError("wordmark region too small")
    crop = cv2.cvtColor(frame_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    scale = size / max(crop.shape)
    small = cv2.resize(crop, (max(8, round(crop.shape[1] * scale)), max(8, round(crop.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA)
    return {"region": [round(v, 4) for v in region], "template": small.tolist()}


def working_size(frame_bgr: np.ndarray) -> np.ndarray:
    """The frame area-averaged to the curtain checks' working width (kiosk.photo.curtain.WORK_WIDTH)."""
    h, w = frame_bgr.shape[:2]
    scale = min(1.0, WORK_WIDTH / w)
    if scale >= 1.0:
        return frame_bgr
    return cv2.resize(frame_bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def colour_grid(lab: np.ndarray, on_curtain: np.ndarray, shape: tuple[int, int] = GRID_SHAPE) -> np.ndarray:
    """The curtain's median colour per grid cell (rows x cols x 3) over the `on_curtain` pixels; a cell with too
    few of them (off the curtain, behind the wordmark) takes the curtain's overall median."""
    rows, cols = shape
    h, w = lab.shape[:2]
    overall = np.median(lab[on_curtain], axis=0) if on_curtain.any() else np.median(lab.reshape(-1, 3), axis=0)
    grid = np.empty((rows, cols, 3), np.float32)
    for r in range(rows):
        for c in range(cols):
            ys, xs = slice(r * h // rows, (r + 1) * h // rows), slice(c * w // cols, (c + 1) * w // cols)
            cell = on_curtain[ys, xs]
            grid[r, c] = np.median(lab[ys, xs][cell], axis=0) if cell.sum() >= 0.25 * cell.size else overall
    return grid


def curtain_colour_model(frames: Sequence[np.ndarray], curtain_mask: np.ndarray,
                         wordmark: Region | None = None) -> dict[str, Any]:
    """The JudgeConfig overrides of the per-region colour model: the grid (of the median frame), its shape, and
    the foreign tolerance from the frames' spread around it (see FOREIGN_SPREAD)."""
    smalls = [working_size(f) for f in frames]
    h, w = smalls[0].shape[:2]
    on_curtain = cv2.resize(curtain_mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    if wordmark is not None:
        x0, y0, x1, y1 = box_pixels(wordmark, w, h)
        on_curtain[y0:y1, x0:x1] = False
    labs = [cv2.cvtColor(s.astype(np.float32) / 255.0, cv2.COLOR_BGR2LAB) for s in smalls]
    grid = colour_grid(np.median(np.stack(labs), axis=0), on_curtain)
    colours = grid_colours(tuple(grid.reshape(-1).tolist()), GRID_SHAPE, (w, h))
    spread = float(np.percentile(np.concatenate([np.linalg.norm(lab - colours, axis=2)[on_curtain] for lab in labs]),
                                 99)) if on_curtain.any() else 0.0
    return {"curtain_lab_grid": [round(float(v), 2) for v in grid.reshape(-1)], "curtain_grid_shape": list(GRID_SHAPE),
            "curtain_foreign_delta_e": round(max(FOREIGN_FLOOR, FOREIGN_SPREAD * spread), 2),
            "curtain_spread_delta_e_p99": round(spread, 2)}


def model_from_frames(frames: Sequence[np.ndarray], *, wordmark: Region | None = None,
                      curtain_tolerance: float = 14.0, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The profile (see the module docstring) from frames of the empty backdrop, taken by the kiosk camera."""
    still = median_frame(frames)
    measure = measure_backdrop(still)
    colour = np.asarray(measure["backdrop_lab"], np.float32)
    tolerance = max(curtain_tolerance, 2.0 * measure["backdrop_spread_delta_e_p90"])
    region, mask = curtain_region(still, colour, tolerance)
    lab = lab_image(still)
    on_curtain = np.linalg.norm(lab[mask] - colour, axis=1) if mask.any() else np.zeros(1)
    # frame-to-frame noise on the curtain: the camera's own unevenness
    noise = float(np.median([np.linalg.norm(lab_image(f)[mask] - lab[mask], axis=1).mean() for f in frames])) \
        if mask.any() else 0.0
    # light fall-off: lightness of the curtain's brightest vs darkest tenth
    lightness = lab[..., 0][mask] if mask.any() else np.zeros(1)
    falloff = float(np.percentile(lightness, 95) - np.percentile(lightness, 5))
    profile = profile_from_measurement(measure, base)
    profile["thresholds"]["curtain_region"] = list(region)
    colour_model = curtain_colour_model(frames, mask, wordmark)
    spread_p99 = colour_model.pop("curtain_spread_delta_e_p99")
    profile["thresholds"].update(colour_model)
    profile["backdrop"] = {
        "frames": len(frames),
        "lab": measure["backdrop_lab"],
        "region": list(region),
        "fills_frame": not visible_edges(region),
        "visible_edges": visible_edges(region),
        "coverage": round(float(mask.mean()), 4),
        "unevenness_delta_e_p90": round(float(np.percentile(on_curtain, 90)), 2),
        "lightness_falloff": round(falloff, 2),
        "frame_noise_delta_e": round(noise, 2),
        "tolerance_delta_e": round(tolerance, 2),
        "grid_spread_delta_e_p99": spread_p99,
    }
    if wordmark is not None:
        profile["backdrop"]["wordmark"] = wordmark_template(still, wordmark)
        template = np.asarray(profile["backdrop"]["wordmark"]["template"], np.uint8)
        profile["thresholds"]["wordmark_region"] = profile["backdrop"]["wordmark"]["region"]
        profile["thresholds"]["wordmark_template"] = encode_grey(template)
    return profile
