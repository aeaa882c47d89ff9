"""The fake OCR engine of the image-check tests, kept in kiosk.documents.specimens (the demo command uses it too):
`CannedOcr(lines).read(image)` returns the specimen's printed lines placed on the image it is given. Nothing here
depends on what OCR makes of a degraded scan: the checks under test (colour, edges, resolution, sharpness, glare,
screen, seal, signature) judge the image. How well the real OCR reads the specimen set is tested in
test_reading.py and test_web.py.
"""

from kiosk.documents.specimens import CannedOcr

SCORE = CannedOcr.SCORE

__all__ = ["SCORE", "CannedOcr"]
