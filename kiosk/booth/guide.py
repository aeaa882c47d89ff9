"""The booth's body-outline guide: where this kiosk's camera wants the head and shoulders.

The outline is drawn in the camera frame's coordinates (a 1280×720 view box; the booth page mirrors it with the
preview). Without a calibration profile it is the default outline, centred, head top near the frame's top. A
profile carries `"guide"` (stored at calibration from the curtain region, `guide_from_region`), or the guide is
derived from its curtain region: the head top sits inside the curtain below its top edge, the outline is centred
on the curtain and shrunk when the curtain is narrower than the shoulders.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from kiosk import profiles

VIEW_W, VIEW_H = 1280, 720
_CX, _TOP = 640.0, 40.0  # the default outline's centre and head top in the view box
_SHOULDER_Y = 345.0  # the default outline's shoulder line
_WIDTH = 530.0  # the default outline's widest span (its bottom ends, 375..905)
HEAD_MARGIN = 0.05  # the head top stays this fraction of the frame below the curtain's top edge
SIDE_MARGIN = 0.03  # and the shoulders this far inside its sides
MIN_SCALE = 0.5

# The default outline (head, neck, shoulders, arms down to the frame's bottom) as (command, points) in the view box.
_PATH: tuple[tuple[str, tuple[float, ...]], ...] = (
    ("M", (640, 40)), ("C", (580, 40, 545, 95, 545, 165)), ("C", (545, 225, 570, 270, 600, 292)), ("L", (600, 318)),
    ("C", (560, 330, 470, 345, 430, 372)), ("C", (395, 395, 385, 440, 382, 500)), ("L", (375, 720)),
    ("M", (640, 40)), ("C", (700, 40, 735, 95, 735, 165)), ("C", (735, 225, 710, 270, 680, 292)), ("L", (680, 318)),
    ("C", (720, 330, 810, 345, 850, 372)), ("C", (885, 395, 895, 440, 898, 500)), ("L", (905, 720)),
)


@dataclass(frozen=True, slots=True)
class Guide:
    """Where the outline goes, as fractions of the camera frame: the head's centre line and top, and its size
    against the default outline. `calibrated`: it comes from a profile."""

    centre_x: float = _CX / VIEW_W
    head_top: float = _TOP / VIEW_H
    scale: float = 1.0
    calibrated: bool = False

    @property
    def shoulder_y(self) -> float:
        """The shoulder line (fraction of the frame's height)."""
        return round(self.head_top + (_SHOULDER_Y - _TOP) * self.scale / VIEW_H, 4)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "shoulder_y": self.shoulder_y}

    def path(self) -> str:
        """The outline as an SVG path in the 1280×720 view box (arms end at the frame's bottom)."""
        cx, top = self.centre_x * VIEW_W, self.head_top * VIEW_H
        parts = []
        for command, points in _PATH:
            xy = [(cx + (x - _CX) * self.scale, top + (y - _TOP) * self.scale)
                  for x, y in zip(points[::2], points[1::2], strict=True)]
            if command == "L" and points[1] == VIEW_H:
                xy = [(xy[0][0], float(VIEW_H))]
            parts.append(command + " " + " ".join(f"{x:.0f} {y:.0f}" for x, y in xy))
        return " ".join(parts)


DEFAULT = Guide()


def guide_from_region(region: list[float] | tuple[float, ...]) -> Guide:
    """The guide for a curtain occupying `region` (x0, y0, x1, y1 as fractions of the frame)."""
    x0, y0, x1, y1 = (float(v) for v in region)
    width = max(0.0, x1 - x0 - 2 * SIDE_MARGIN)
    scale = min(1.0, max(MIN_SCALE, width / (_WIDTH / VIEW_W)))
    head_top = max(DEFAULT.head_top, y0 + HEAD_MARGIN)
    head_top = min(head_top, 0.4)  # the shoulders must still be well inside the frame
    return Guide(round((x0 + x1) / 2, 4), round(head_top, 4), round(scale, 3), True)


def guide_for_profile(data: dict[str, Any] | None) -> Guide:
    """The guide of a profile's data: its stored "guide", else derived from its curtain region, else DEFAULT."""
    if not data:
        return DEFAULT
    stored = data.get("guide")
    if isinstance(stored, dict):
        try:
            return Guide(float(stored["centre_x"]), float(stored["head_top"]), float(stored["scale"]), True)
        except (KeyError, TypeError, ValueError):
            pass  # a hand-edited import: fall back to the curtain region
    region = (data.get("backdrop") or {}).get("region") or (data.get("thresholds") or {}).get("curtain_region")
    if isinstance(region, (list, tuple)) and len(region) == 4:
        return guide_from_region(region)
    return DEFAULT


def current_guide(session: Session, kiosk_name: str) -> Guide:
    """The guide of the kiosk's current profile version (DEFAULT when it was never calibrated)."""
    profile = profiles.current(session, kiosk_name)
    return guide_for_profile(profile.data if profile is not None else None)
