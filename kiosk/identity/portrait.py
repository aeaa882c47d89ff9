"""Find the portrait on the front (人像面) of a resident identity card.

The card is cut out and straightened by the document pipeline's `normalise` (ID-1 aspect, landscape). On the
portrait side the photo is printed on the right: the face is searched in `PORTRAIT_ZONE` (fractions of the
normalised card), first as the card lies, then turned by 180° (a card scanned upside down). When no card outline
is found (the scan is already cropped to the card, or the card fills the photo) the whole image is searched as
it was given, then turned by 180°; `Portrait.where` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.documents.kinds import KINDS
from kiosk.documents.normalise import normalise
from kiosk.identity.faces import FaceSample, describe, detect, main_face
from kiosk.identity.models import FaceModels
from kiosk.photo.vision import FaceBox

# x0, y0, x1, y1 as fractions of the normalised card: the printed photo's area with a margin (on the card the
# photo spans about 0.62-0.94 across and 0.10-0.72 down).
PORTRAIT_ZONE = (0.55, 0.02, 1.0, 0.85)
ZONE = "portrait_zone"
ZONE_TURNED = "portrait_zone_turned"
WHOLE_IMAGE = "whole_image"
WHOLE_IMAGE_TURNED = "whole_image_turned"


@dataclass(frozen=True, slots=True)
class Portrait:
    """The face found on the card: the sample (box in `card`'s pixels), the straightened card it was found on,
    whether the card outline was found, and where on it the face was (`ZONE`, `ZONE_TURNED`, `WHOLE_IMAGE`)."""

    face: FaceSample
    card: np.ndarray
    card_found: bool
    where: str

    def as_dict(self) -> dict[str, object]:
        return {**self.face.as_dict(), "card_found": self.card_found, "where": self.where,
                "card_size": [int(self.card.shape[1]), int(self.card.shape[0])]}


def _in_zone(models: FaceModels, card: np.ndarray, min_score: float) -> FaceSample | None:
    h, w = card.shape[:2]
    zx0, zy0, zx1, zy1 = (round(PORTRAIT_ZONE[0] * w), round(PORTRAIT_ZONE[1] * h),
                          round(PORTRAIT_ZONE[2] * w), round(PORTRAIT_ZONE[3] * h))
    found = main_face(detect(models, card[zy0:zy1, zx0:zx1], min_score))
    if found is None:
        return None
    box, detector = found
    shifted = FaceBox(box.x0 + zx0, box.y0 + zy0, box.x1 + zx0, box.y1 + zy0, box.score,
                      tuple((x + zx0, y + zy0) for x, y in box.keypoints))
    return describe(models, card, shifted, detector)


def locate_portrait(models: FaceModels, id_front_bgr: np.ndarray, min_score: float = 0.5) -> Portrait | None:
    """The portrait's face on an ID card front (any scan or photo of it), or None when there is none."""
    norm = normalise(id_front_bgr, KINDS["leader_id_front"])
    if norm.found:
        card = norm.image
        for where, image in ((ZONE, card), (ZONE_TURNED, cv2.rotate(card, cv2.ROTATE_180))):
            face = _in_zone(models, image, min_score)
            if face is not None:
                return Portrait(face, image, True, where)
        return None
    for where, image in ((WHOLE_IMAGE, id_front_bgr), (WHOLE_IMAGE_TURNED, cv2.rotate(id_front_bgr, cv2.ROTATE_180))):
        found = main_face(detect(models, image, min_score))
        if found is not None:
            return Portrait(describe(models, image, *found), image, False, where)
    return None
