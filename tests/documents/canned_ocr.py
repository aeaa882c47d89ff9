"""A fake OCR engine for the image-check tests: it "reads" the text a specimen printed, where it was printed.

`CannedOcr(lines).read(image)` returns the specimen's printed lines (tests/documents/specimens.py records them as
fractions of the document) placed on the image it is given, which is the normalised document (the card rectified
to ID-1, the sheet cropped to the paper), with a confident score. No models are loaded and nothing depends on
what OCR makes of a degraded scan: the checks under test here (colour, edges, resolution, sharpness, glare,
screen, seal, signature) judge the image. How well the real OCR reads the specimen set is tested in
test_reading.py and test_web.py.
"""

from __future__ import annotations

import numpy as np

from kiosk.documents.ocr import TextLine
from tests.documents.specimens import PrintedLine

SCORE = 0.97  # as confident as the real engine on clean print


class CannedOcr:
    name = "canned"

    def __init__(self, lines: tuple[PrintedLine, ...]) -> None:
        self.lines = lines
        self.calls = 0

    def read(self, image: np.ndarray) -> list[TextLine]:
        self.calls += 1
        h, w = image.shape[:2]
        return [TextLine(text, (x0 * w, y0 * h, x1 * w, y1 * h), SCORE) for text, (x0, y0, x1, y1) in self.lines]
