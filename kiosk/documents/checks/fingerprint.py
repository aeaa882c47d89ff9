"""The applicant's fingerprint beside the signature on the sheets that need one (individuals in Jiangxi and
Xinjiang: kiosk.workflow.sheet_needs_fingerprint, expected["require_fingerprint"]; every other sheet: skipped).

Where: around the 手印 / 指纹 label that OCR reads (its row and the box below it: kiosk.sheet prints the box beside
the signature box, the label at its top), else the template's area (`DocumentThresholds.fingerprint_region`).
What: red or dark ink that is not printed text (OCR lines), grouped into blobs (ridges joined by a closing of
0.8 mm); a blob of fingertip size (`fingerprint_min_mm`..`fingerprint_max_mm` on both sides) is scored for
ridge texture, at 12 px/mm:

- ridge density: ink/paper changes per mm along the rows and columns inside the blob (holes filled). Ridges of
  0.5 mm give about 2 after the ink pad's gaps; a seal's ring, star and glyphs leave its disc mostly paper: about 0.4;
- ridge energy: the share of the blob's spectral energy (ink strength, Hann-windowed) at ridge frequencies,
  1.3-3.2 cycles/mm (ridge periods 0.3-0.75 mm; adult fingertips have about 0.45-0.5 mm).

score = ridge energy × min(1, ridge density / 2); a blob at or above `fingerprint_min_score` is a fingerprint.

Measured on the specimens of tests/documents/test_fingerprint.py (A4 at 300 dpi; flat and flatbed-scanned,
JPEG q90): the red fingertip 0.84 / 0.87 (ridge energy 0.84-0.87, density 2.2), the dark one 0.84 / 0.87; the
20 mm red round seal in the box 0.09 (energy 0.43 from its thin ring, density 0.42); the 40 mm company seal and
an empty box give no fingertip-sized blob at all. The threshold sits at 0.35: about four times the seal's score,
under half the prints' (a faint, smudged or partly pressed real print keeps fewer clean ridges: the margin is
left on that side).
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.checks.seal import red_mask
from kiosk.documents.kinds import A4_MM
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "fingerprint"
LABELS = ("手印", "指纹", "指印")
PX_PER_MM = 12.0  # the working scale (about 300 dpi): ridges of 0.5 mm are 6 px apart
RIDGE_BAND = (1.3, 3.2)  # cycles per mm
ALL_BAND = (0.15, 6.0)
FULL_DENSITY = 2.0  # ink/paper changes per mm from which the ridge density counts in full


def fingerprint_area(obs: Observation, cfg: DocumentThresholds) -> tuple[tuple[int, int, int, int], str]:
    """The part of the page to look in (pixels of the normalised image) and how it was found."""
    h, w = obs.image.shape[:2]
    px_mm = min(h, w) / A4_MM[0]
    for line in obs.lines:
        if any(label in line.text for label in LABELS):
            x0, y0, x1, y1 = line.box
            area = (x0 - 5 * px_mm, y0 - 8 * px_mm, x1 + 45 * px_mm, y1 + 38 * px_mm)
            cx0, cy0, cx1, cy1 = (int(v) for v in area)
            return (max(0, cx0), max(0, cy0), min(w, cx1), min(h, cy1)), "label"
    fx0, fy0, fx1, fy1 = cfg.fingerprint_region
    return (int(fx0 * w), int(fy0 * h), int(fx1 * w), int(fy1 * h)), "template"


def ink_strength(crop: np.ndarray) -> np.ndarray:
    """0..1 per pixel: how strongly red or dark ink covers the paper."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.float32)
    paper = max(1.0, float(np.percentile(gray, 90)))
    dark = np.clip((paper - gray) / paper, 0, 1)
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    hue, sat = hsv[..., 0], hsv[..., 1].astype(np.float32) / 255
    red = np.where((hue <= 10) | (hue >= 168), sat, 0)
    return np.maximum(dark, red)


def _ridge_energy(strength: np.ndarray, blob: np.ndarray) -> float:
    h, w = strength.shape
    window = np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    values = (strength - float(strength[blob > 0].mean())) * blob * window
    power = np.abs(np.fft.fftshift(np.fft.fft2(values))) ** 2
    fy = (np.arange(h) - h // 2) / h * PX_PER_MM
    fx = (np.arange(w) - w // 2) / w * PX_PER_MM
    freq = np.hypot(*np.meshgrid(fx, fy))
    total = float(power[(freq >= ALL_BAND[0]) & (freq <= ALL_BAND[1])].sum())
    band = float(power[(freq >= RIDGE_BAND[0]) & (freq <= RIDGE_BAND[1])].sum())
    return band / total if total > 0 else 0.0


def _filled(blob: np.ndarray) -> np.ndarray:
    """The blob with its holes filled (its outer contours drawn solid)."""
    contours, _ = cv2.findContours(blob.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out = np.zeros(blob.shape, np.uint8)
    cv2.drawContours(out, contours, -1, (1,), thickness=cv2.FILLED)
    return out


def _ridge_density(ink: np.ndarray, inside: np.ndarray) -> float:
    """Ink/paper changes per mm along the rows and columns inside the blob (about 4 for 0.5 mm ridges)."""
    changes = float(np.abs(np.diff(ink.astype(np.int8), axis=1)).sum() + np.abs(np.diff(ink.astype(np.int8), axis=0)).sum())
    length_mm = float(inside.sum()) * 2 / PX_PER_MM
    return changes / length_mm if length_mm > 0 else 0.0


def find_prints(obs: Observation, cfg: DocumentThresholds) -> tuple[list[dict[str, float]], tuple[int, int, int, int], str]:
    """Every fingertip-sized ink blob in the area with its size and scores; the area and how it was found."""
    area, how = fingerprint_area(obs, cfg)
    x0, y0, x1, y1 = area
    crop = obs.image[y0:y1, x0:x1]
    if crop.size == 0:
        return [], area, how
    h, w = obs.image.shape[:2]
    f = PX_PER_MM / (min(h, w) / A4_MM[0])
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * f)), max(1, round(crop.shape[0] * f))), interpolation=cv2.INTER_AREA)
    strength = ink_strength(crop)
    ink = ((strength > 0.25) | red_mask(crop).astype(bool)).astype(np.uint8)
    for line in obs.lines:  # printed text is not a fingerprint
        if line.score >= 0.85 and line.compact:
            lx0, ly0, lx1, ly1 = ((v - o) * f for v, o in zip(line.box, (x0, y0, x0, y0), strict=True))
            ink[max(0, int(ly0)) : max(0, int(ly1) + 1), max(0, int(lx0)) : max(0, int(lx1) + 1)] = 0
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (round(0.8 * PX_PER_MM),) * 2))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    prints = []
    for i in range(1, n):
        bx, by, bw, bh, _area = stats[i]
        w_mm, h_mm = bw / PX_PER_MM, bh / PX_PER_MM
        if not (cfg.fingerprint_min_mm <= min(w_mm, h_mm) and max(w_mm, h_mm) <= cfg.fingerprint_max_mm):
            continue
        blob = (labels[by : by + bh, bx : bx + bw] == i).astype(np.float32)
        blob = cv2.dilate(blob, np.ones((3, 3), np.uint8))
        part = strength[by : by + bh, bx : bx + bw]
        filled = _filled(blob)
        raw = ink[by : by + bh, bx : bx + bw] * (filled > 0)
        density = _ridge_density(raw, filled)
        fill = float(raw.sum() / max(1.0, filled.sum()))
        ridge = _ridge_energy(part, blob)
        prints.append({"width_mm": w_mm, "height_mm": h_mm, "ridge_energy": ridge, "ridge_density": density,
                       "fill": fill, "score": ridge * min(1.0, density / FULL_DENSITY)})
    return prints, area, how


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    if not obs.expected.get("require_fingerprint"):
        return skipped(CODE, reason="fingerprint_not_required",
                       message=Text("本核验单无需按手印", "This sheet needs no fingerprint"))
    prints, area, how = find_prints(obs, cfg)
    best = max(prints, key=lambda p: p["score"], default=None)
    limit = cfg.fingerprint_min_score
    if best is None or best["score"] < limit:
        return failed(CODE, reason="fingerprint_missing", value=best["score"] if best else 0.0, threshold=limit,
                      message=Text("签字旁未见手印（须本人按红色或深色指纹；印章不能代替）",
                                   "No fingerprint beside the signature (the applicant's red or dark print; a seal is no substitute)"),
                      area=area, found_by=how, blobs=prints)
    return passed(CODE, value=best["score"], threshold=limit, message=Text("已按手印", "Fingerprint present"),
                  area=area, found_by=how, width_mm=best["width_mm"], height_mm=best["height_mm"])
