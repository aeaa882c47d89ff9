"""The photo judge's overlay (pose points, face box, body outline; normalised 0..1 coordinates) as drawing data:
SVG elements for the portal, a drawn-over JPEG for the PDF report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

# MediaPipe pose (33 points): the upper-body skeleton worth drawing.
POSE_LINKS: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 13), (13, 15), (12, 14), (14, 16), (11, 23), (12, 24), (23, 24), (0, 11), (0, 12),
)
MIN_VISIBILITY = 0.5


@dataclass(frozen=True, slots=True)
class OverlayShapes:
    """Normalised shapes: points (x, y), line segments, a box (x0, y0, x1, y1), an outline polygon."""

    points: tuple[tuple[float, float], ...]
    links: tuple[tuple[float, float, float, float], ...]
    box: tuple[float, float, float, float] | None
    outline: tuple[tuple[float, float], ...]

    @property
    def empty(self) -> bool:
        return not (self.points or self.box or self.outline)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def shapes(overlay: dict[str, Any] | None) -> OverlayShapes:
    """Shapes from a verdict's overlay; tolerant of missing or malformed parts (they are left out)."""
    overlay = overlay or {}
    pose_raw = overlay.get("pose") or overlay.get("landmarks") or []
    pose: list[tuple[float, float] | None] = []
    for p in pose_raw if isinstance(pose_raw, list) else []:
        if isinstance(p, list | tuple) and len(p) >= 2 and _num(p[0]) is not None and _num(p[1]) is not None:
            vis = _num(p[2]) if len(p) >= 3 else 1.0
            pose.append((float(p[0]), float(p[1])) if vis is None or vis >= MIN_VISIBILITY else None)
        else:
            pose.append(None)
    links = []
    if len(pose) >= 25:
        for a, b in POSE_LINKS:
            pa, pb = pose[a], pose[b]
            if pa and pb:
                links.append((pa[0], pa[1], pb[0], pb[1]))
    box = overlay.get("face_box")
    box_t = None
    if isinstance(box, list | tuple) and len(box) == 4 and all(_num(v) is not None for v in box):
        box_t = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    outline_raw = overlay.get("outline") or []
    outline = tuple(
        (float(p[0]), float(p[1]))
        for p in (outline_raw if isinstance(outline_raw, list) else [])
        if isinstance(p, list | tuple) and len(p) >= 2 and _num(p[0]) is not None and _num(p[1]) is not None
    )
    return OverlayShapes(tuple(p for p in pose if p), tuple(links), box_t, outline)


def draw_on_image(image: bytes, overlay: dict[str, Any] | None) -> bytes:
    """The photo with the overlay drawn on it, as JPEG (the photo itself if it cannot be opened)."""
    s = shapes(overlay)
    img = Image.open(io.BytesIO(image)).convert("RGB")
    w, h = img.size
    d = ImageDraw.Draw(img)
    lw = max(2, round(min(w, h) / 200))
    if len(s.outline) >= 3:
        d.line([(x * w, y * h) for x, y in (*s.outline, s.outline[0])], fill=(0, 200, 255), width=lw)
    for x0, y0, x1, y1 in s.links:
        d.line([(x0 * w, y0 * h), (x1 * w, y1 * h)], fill=(60, 220, 60), width=lw)
    r = lw * 2
    for x, y in s.points:
        d.ellipse([x * w - r, y * h - r, x * w + r, y * h + r], fill=(255, 60, 60))
    if s.box:
        x0, y0, x1, y1 = s.box
        d.rectangle([x0 * w, y0 * h, x1 * w, y1 * h], outline=(255, 200, 0), width=lw)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()
