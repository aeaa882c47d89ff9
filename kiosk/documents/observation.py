"""One document's observation, computed once and read by every check (like OFIQ's session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from kiosk.documents.kinds import KindSpec
from kiosk.documents.normalise import Normalised
from kiosk.documents.ocr import TextLine


def scaled_copy(image: np.ndarray, width: int) -> np.ndarray:
    """`image` at most `width` pixels wide (INTER_AREA), or `image` itself when it is not wider."""
    h, w = image.shape[:2]
    if w <= width:
        return image
    return cv2.resize(image, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)


def scaled_copies(image: np.ndarray, widths: frozenset[int]) -> dict[str, Any]:
    """The copies `Observation.scaled` would make for `widths`, made beforehand (e.g. while the OCR runs), keyed
    as its cache keys them."""
    return {cache_key(width): scaled_copy(image, width) for width in sorted(widths)}


def cache_key(width: int) -> str:
    return f"scaled{width}"


@dataclass(frozen=True, slots=True)
class Observation:
    spec: KindSpec
    normalised: Normalised
    lines: tuple[TextLine, ...]  # OCR lines, boxes in normalised-image coordinates
    readings: dict[str, Any]
    expected: dict[str, Any]
    today: dt.date
    appended_bytes: int = 0  # bytes after the image's end in the upload (kiosk.documents.trailing)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def image(self) -> np.ndarray:
        return self.normalised.image

    def scaled(self, width: int) -> np.ndarray:
        """The normalised image at most `width` pixels wide (cached)."""
        key = cache_key(width)
        if key not in self.cache:
            self.cache[key] = scaled_copy(self.image, width)
        return self.cache[key]

    def text_hull(self) -> tuple[float, float, float, float] | None:
        """The box around every OCR line (normalised coordinates), None when nothing was read."""
        if not self.lines:
            return None
        boxes = np.array([line.box for line in self.lines])
        return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())
