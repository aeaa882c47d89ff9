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
        key = f"scaled{width}"
        if key not in self.cache:
            h, w = self.image.shape[:2]
            if w <= width:
                self.cache[key] = self.image
            else:
                self.cache[key] = cv2.resize(self.image, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
        return self.cache[key]

    def text_hull(self) -> tuple[float, float, float, float] | None:
        """The box around every OCR line (normalised coordinates), None when nothing was read."""
        if not self.lines:
            return None
        boxes = np.array([line.box for line in self.lines])
        return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())
