"""Find the document in a scan or photo, crop it, correct the perspective, deskew, and encode a JPEG <= 4 MB.

The document is told from its background by colour: the background's colour is the median of the image's
border, the document is the largest region that differs from it. Its outline gives four corners (perspective
correction). When no such region exists the document fills the image (a scanner's page-size scan); then the
text lines give the skew. An ID card is warped to the ID-1 aspect (85.6 × 54 mm).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.documents.kinds import CARD_MM, KindSpec

log = logging.getLogger(__name__)

CARD_ASPECT = CARD_MM[0] / CARD_MM[1]
CARD_ASPECT_TOLERANCE = 0.08  # A4 (1.414) is 11 % off the card's 1.585
WORK_SIDE = 900  # longest side of the working copy used to find the document
MAX_CARD_WIDTH = 2000
MAX_SHEET_SIDE = 3508  # A4 at 300 dpi
JPEG_MAX_BYTES = 4 * 1024 * 1024
SIDES = ("top", "right", "bottom", "left")


@dataclass(frozen=True, slots=True)
class Region:
    """A document outline in image coordinates: corners TL, TR, BR, BL; the image sides it runs into."""

    quad: np.ndarray  # float32 (4, 2)
    area_fraction: float
    cut_sides: tuple[str, ...]
    fill: float = 1.0  # the outline's area over its quadrilateral's: near 1 for a document
    solid: float = 1.0  # share of the outline's pixels that differ from the background: low for a text block

    @property
    def width(self) -> float:
        q = self.quad
        return float((np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2)

    @property
    def height(self) -> float:
        q = self.quad
        return float((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)

    @property
    def regular(self) -> bool:
        """Opposite sides within 30 % of each other: a flat rectangle seen in perspective, not a blob."""
        q = self.quad
        e = [float(np.linalg.norm(q[(i + 1) % 4] - q[i])) for i in range(4)]
        return min(e[0], e[2]) >= 0.7 * max(e[0], e[2]) and min(e[1], e[3]) >= 0.7 * max(e[1], e[3])

    @property
    def aspect(self) -> float:
        return max(self.width, self.height) / max(1.0, min(self.width, self.height))


@dataclass(frozen=True, slots=True)
class Normalised:
    """The cropped, straightened document and how it was found."""

    image: np.ndarray  # BGR
    region: Region | None  # None: the document fills the image
    cut_sides: tuple[str, ...]
    measured_size: tuple[float, float]  # the document's width and height in source pixels
    deskew_degrees: float = 0.0
    source: np.ndarray | None = None  # the (possibly split) source image the region refers to

    @property
    def found(self) -> bool:
        return self.region is not None


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Corners as TL, TR, BR, BL."""
    pts = np.asarray(pts, np.float32).reshape(-1, 2)
    s = pts.sum(axis=1)
    d = pts[:, 0] - pts[:, 1]
    return np.array([pts[np.argmin(s)], pts[np.argmax(d)], pts[np.argmax(s)], pts[np.argmin(d)]], np.float32)


def _quad_from_contour(contour: np.ndarray) -> np.ndarray:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.04, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return order_corners(approx)
    # rounded corners or noise: the extreme points along the diagonals, pushed out to the tangent lines
    box = cv2.boxPoints(cv2.minAreaRect(hull))
    return order_corners(box)


def find_regions(image: np.ndarray, margin: float = 0.004, min_area: float = 0.03) -> list[Region]:
    """Document candidates, largest first: regions that differ in colour from the image border."""
    h, w = image.shape[:2]
    f = WORK_SIDE / max(h, w) if max(h, w) > WORK_SIDE else 1.0
    small = cv2.resize(image, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else image
    small = cv2.GaussianBlur(small, (5, 5), 0).astype(np.float32)
    sh, sw = small.shape[:2]
    b = max(2, round(0.01 * min(sh, sw)))
    border = np.concatenate(
        [small[:b].reshape(-1, 3), small[-b:].reshape(-1, 3), small[:, :b].reshape(-1, 3), small[:, -b:].reshape(-1, 3)]
    )
    bg = np.median(border, axis=0)
    border_diff = np.linalg.norm(border - bg, axis=1)
    med = float(np.median(border_diff))
    mad = float(np.median(np.abs(border_diff - med))) * 1.4826
    threshold = min(60.0, max(12.0, med + 6 * mad))  # robust to shadow lines and table grain in the border
    diff = np.linalg.norm(small - bg, axis=2)
    raw = diff > threshold
    mask = raw.astype(np.uint8) * 255
    k = max(3, round(0.012 * max(sh, sw)) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    regions = []
    band = max(2, round(margin * max(sh, sw)))
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:4]:
        area = cv2.contourArea(c) / (sh * sw)
        if area < min_area:
            break
        comp = np.zeros((sh, sw), np.uint8)
        cv2.drawContours(comp, [c], -1, (255,), -1)
        touching = {
            "top": np.count_nonzero(comp[:band]) / band,
            "bottom": np.count_nonzero(comp[-band:]) / band,
            "left": np.count_nonzero(comp[:, :band]) / band,
            "right": np.count_nonzero(comp[:, -band:]) / band,
        }
        cut = tuple(s for s in SIDES if touching[s] > 0.02 * (sw if s in ("top", "bottom") else sh))
        quad = _quad_from_contour(c)
        fill = cv2.contourArea(c) / max(1.0, cv2.contourArea(quad.reshape(-1, 1, 2)))
        solid = float(raw[comp > 0].mean())
        regions.append(Region((quad / f).astype(np.float32), float(area), cut, float(fill), solid))
    return regions


def choose_region(regions: list[Region], spec: KindSpec) -> Region | None:
    """The region that is the document, or None when the document fills the image.

    A document fills its outline's quadrilateral (not a portrait silhouette). It differs from the background
    throughout (not a block of text on white paper). A card must have the ID-1 aspect (±8 %) unless it runs into the image edge (a cut card); a sheet must
    cover a fifth of the image. Anything else found (a portrait, a seal) is a feature inside the document.
    """
    for r in regions:
        if r.area_fraction >= 0.97 or r.solid < 0.5:
            continue
        if spec.card:
            if r.fill < 0.85 or not r.regular:
                continue
            if abs(r.aspect / CARD_ASPECT - 1) <= CARD_ASPECT_TOLERANCE or (r.cut_sides and r.area_fraction >= 0.05):
                return r
        elif r.area_fraction >= 0.2 and r.regular:
            return r
    return None


def _content_cut_sides(image: np.ndarray, margin: float) -> tuple[str, ...]:
    """Sides where dark content (text, lines) runs into the image edge: a page-size scan that cut the page."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    band = max(3, round(margin * 2 * max(h, w)))
    ink = gray < min(140, int(np.percentile(gray, 50)) - 60)
    strips = {"top": ink[:band], "bottom": ink[-band:], "left": ink[:, :band], "right": ink[:, -band:]}
    return tuple(s for s in SIDES if strips[s].mean() > 0.004)


def estimate_skew(image: np.ndarray, limit: float = 6.0) -> float:
    """Skew of text lines in degrees (projection-profile search), 0 when unsure."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    f = 600 / max(h, w)
    small = cv2.resize(gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    ink = (small < min(160.0, float(np.percentile(small, 50)) - 40)).astype(np.float32)
    if ink.mean() < 0.002:
        return 0.0
    sh, sw = ink.shape
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + 0.01, 0.5):
        M = cv2.getRotationMatrix2D((sw / 2, sh / 2), float(angle), 1.0)
        rot = cv2.warpAffine(ink, M, (sw, sh), flags=cv2.INTER_NEAREST)
        score = float(np.var(rot.sum(axis=1)))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def _rotate(image: np.ndarray, angle: float) -> np.ndarray:
    h, w = image.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, M, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def warp(image: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    M = cv2.getPerspectiveTransform(np.asarray(quad, np.float32), dst)
    return cv2.warpPerspective(image, M, (w, h), flags=cv2.INTER_AREA if w * h < 4e6 else cv2.INTER_LINEAR)


def _card_quad(region: Region) -> np.ndarray:
    """Turn a portrait-oriented card outline into landscape order (the card is read in landscape)."""
    q = region.quad
    if region.height > region.width:
        q = np.array([q[3], q[0], q[1], q[2]], np.float32)  # rotate 90° clockwise so the long side is on top
    return q


def normalise(image: np.ndarray, spec: KindSpec, region: Region | None = None, margin: float = 0.004) -> Normalised:
    """The document cropped and straightened (see the module docstring)."""
    if region is None:
        region = choose_region(find_regions(image, margin=margin), spec)
    if region is not None:
        if spec.card:
            quad = _card_quad(region)
            mw = float((np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2)
            out_w = min(MAX_CARD_WIDTH, round(mw))
            size = (out_w, round(out_w / CARD_ASPECT))
            measured = (mw, mw / CARD_ASPECT)
        else:
            quad = region.quad
            mw, mh = region.width, region.height
            f = min(1.0, MAX_SHEET_SIDE / max(mw, mh))
            size = (round(mw * f), round(mh * f))
            measured = (mw, mh)
        out = warp(image, quad, size)
        return Normalised(out, region, region.cut_sides, measured, 0.0, image)
    # the document fills the image
    angle = estimate_skew(image)
    out = _rotate(image, angle) if abs(angle) >= 0.5 else image
    h, w = out.shape[:2]
    cut = _content_cut_sides(image, margin)
    if spec.card:
        if h > w:
            out = cv2.rotate(out, cv2.ROTATE_90_CLOCKWISE)
            h, w = w, h
        if abs((w / h) / CARD_ASPECT - 1) > CARD_ASPECT_TOLERANCE and not cut:
            cut = ("aspect",)
    return Normalised(out, None, cut, (float(w), float(h)), angle, image)


def encode_jpeg(image: np.ndarray, max_bytes: int = JPEG_MAX_BYTES) -> bytes:
    """JPEG at quality 90, lowered (then the image scaled down) until it fits in `max_bytes`."""
    img = image
    while True:
        for quality in (90, 80, 70, 60):
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise RuntimeError("JPEG encoding failed")
            if buf.size <= max_bytes:
                return buf.tobytes()
        h, w = img.shape[:2]
        img = cv2.resize(img, (round(w * 0.8), round(h * 0.8)), interpolation=cv2.INTER_AREA)
