"""Specimen ID card fronts that carry the portrait of a real person from the test photos.

`portrait_from_photo(photo)` turns a real photo into an ID-style portrait: a head-and-shoulders crop in the
card photo's 22 x 29 mm aspect around the face MediaPipe finds (face about half the crop wide, eyes at about 40 %
of its height), the background replaced by the card photo's light grey where MediaPipe's selfie segmentation
says "not person", contrast lowered by 10 % and a light blur (a printed photo). `card_front(person, portrait)`
draws the specimen card of kiosk.documents.specimens and prints that portrait into its photo box. Everything
is deterministic; the real photos stay unchanged.
"""

from __future__ import annotations

import functools
from typing import Any

import cv2
import numpy as np
from PIL import Image

from kiosk.documents import specimens as S

PHOTO_MM = (58.0, 7.0, 80.0, 36.0)  # the specimen card's photo box (x0, y0, x1, y1 in mm)
PHOTO_BACKGROUND = (244, 240, 238)  # BGR light grey of the specimen's photo box


@functools.cache
def _detector() -> Any:
    from mediapipe.python.solutions import face_detection

    return face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.5)


@functools.cache
def _segmenter() -> Any:
    from mediapipe.python.solutions import selfie_segmentation

    return selfie_segmentation.SelfieSegmentation(model_selection=0)


def portrait_from_photo(photo_bgr: np.ndarray, width_px: int = 440) -> np.ndarray:
    """An ID-style portrait (BGR, 22:29) of the largest face in `photo_bgr` (ValueError when there is none)."""
    h, w = photo_bgr.shape[:2]
    rgb = np.ascontiguousarray(cv2.cvtColor(photo_bgr, cv2.COLOR_BGR2RGB))
    res = _detector().process(rgb)
    if not res.detections:
        raise ValueError("no face in the photo")
    det = max(res.detections, key=lambda d: d.location_data.relative_bounding_box.width)
    b = det.location_data.relative_bounding_box
    fw = b.width * w
    eyes = det.location_data.relative_keypoints[:2]
    ex, ey = (eyes[0].x + eyes[1].x) / 2 * w, (eyes[0].y + eyes[1].y) / 2 * h
    cw = 2.0 * fw
    ch = cw * 29 / 22
    x0, y0 = ex - cw / 2, ey - 0.40 * ch
    height_px = round(width_px * 29 / 22)
    M = np.array([[width_px / cw, 0, -x0 * width_px / cw], [0, height_px / ch, -y0 * height_px / ch]], np.float32)
    crop = cv2.warpAffine(photo_bgr, M, (width_px, height_px), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    mask = _segmenter().process(np.ascontiguousarray(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))).segmentation_mask
    mask = cv2.GaussianBlur(mask, (0, 0), 2.0)[..., None]
    out = crop.astype(np.float32) * mask + np.array(PHOTO_BACKGROUND, np.float32) * (1 - mask)
    out = (out - 128.0) * 0.9 + 128.0
    out = cv2.GaussianBlur(out, (0, 0), 0.8)
    return np.clip(out, 0, 255).astype(np.uint8)


def card_front(person: S.Person, portrait_bgr: np.ndarray, px_per_mm: float = 14.0) -> Image.Image:
    """The specimen portrait side of `person` with `portrait_bgr` printed in its photo box."""
    card = S.id_card_front(person, px_per_mm).copy()  # the drawing is remembered: never paste into it
    x0, y0, x1, y1 = (round(v * px_per_mm) for v in PHOTO_MM)
    fitted = cv2.resize(portrait_bgr, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    card.paste(Image.fromarray(cv2.cvtColor(fitted, cv2.COLOR_BGR2RGB)), (x0, y0))
    return card


def to_bgr(img: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)
