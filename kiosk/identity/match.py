"""Face match: is the person in the accepted booth photo the one on the ID card staff scanned?

    matcher = FaceMatcher()                       # models load on first use, offline
    result = matcher.match(live_bgr, id_front_bgr)
    result.verdict, result.similarity, result.threshold, result.message.zh

The live face is the main face of the photo (or the box the photo judge already found); the card's face is the
printed portrait on the ID front (`kiosk.identity.portrait`). Both go through dlib's 5-point alignment and ResNet
descriptor (`kiosk.identity.faces`); the verdict compares the Euclidean distance of the two descriptors with
`MatchThresholds.max_distance`. `similarity` is `1 - distance` (clipped to 0..1), the figure staff read as a
percentage next to its limit `1 - max_distance`.

Thread-safety: a `FaceMatcher` may be shared by threads; its calls run one at a time (one lock), because dlib's
network and MediaPipe's graphs keep state. The booth, the counter and the CLI build one with
`matcher_from_settings(settings)` and keep it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from kiosk.checkresult import Thresholds
from kiosk.identity.faces import FaceSample, describe, detect, distance, main_face
from kiosk.identity.models import FaceModels, ModelInfo
from kiosk.identity.portrait import Portrait, locate_portrait
from kiosk.photo.vision import FaceBox
from kiosk.settings import Settings
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MatchThresholds(Thresholds):
    """Limits of the face match ("identity" section of a kiosk profile).

    max_distance 0.50: a descriptor distance at most this is the same person. Measured with
    `python -m tests.identity.evaluate` on the 106 real photos of tests/data/identity (19 people with two or more
    photos, 21 with one), photo against photo and photo against the same photos printed on specimen ID cards
    (flatbed scan and table photo):

    | pairs | same-person | different-person | FNMR at 0.50 | FMR at 0.50 |
    | --- | --- | --- | --- | --- |
    | photo vs photo | 194 | 5,371 | 15.5 % | 0 |
    | photo vs photo, both frontal | 158 | 4,595 | 8.9 % | 0 |
    | photo vs ID card | 752 | 21,088 | 16.8 % | 0 |
    | photo vs ID card, both frontal | 624 | 18,194 | 10.7 % | 0 |

    The closest different people measured 0.506-0.527: two actors, two young East Asian women, two East Asian
    men. At dlib's usual 0.6 (tuned on LFW, mostly Western faces) the false match rate is 0.2 % and those pairs
    match; users of the model report more confusion between East Asian faces at 0.6
    (ageitgey/face_recognition#431). A false match lets an impostor through, a false non-match only asks a
    second member of staff to look, so the kiosk uses 0.50; the margin is thin and a kiosk may tighten it in
    its profile. Same-person pairs above 0.50 are mostly profile views, heads tilted far back, sunglasses or
    photos years apart ("frontal": yaw and pitch within the photo judge's 20 degrees).
    """

    PROFILE_SECTION = "identity"

    max_distance: float = 0.50
    min_face_px: float = 60.0  # a live face narrower than this (pixels) is too small to compare
    min_portrait_px: float = 40.0  # the card portrait's face narrower than this is too small to compare
    min_detector_score: float = 0.5


class MatchVerdict(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    NO_FACE = "no_face"


class FaceSide(StrEnum):
    """Which image a face is missing from."""

    LIVE = "live"
    ID_CARD = "id_card"


SIDE_NAMES = {FaceSide.LIVE: Text("现场照片", "the booth photo"), FaceSide.ID_CARD: Text("身份证人像面", "the ID card front")}


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of one face match, ready to show staff and to seal with the case.

    `distance` and `similarity` are None when a face is missing (`verdict` NO_FACE, `missing` says where).
    `live` / `card` describe the faces used (boxes, detector, size); their JPEG crops are `live_face_jpeg` and
    `card_face_jpeg` (staff compare them side by side; they stay out of `as_dict`).
    """

    verdict: MatchVerdict
    distance: float | None
    threshold: float  # max_distance
    similarity: float | None
    min_similarity: float
    missing: FaceSide | None
    reason: str
    message: Text
    model: ModelInfo
    live: dict[str, object] | None
    card: dict[str, object] | None
    timings_ms: dict[str, float]
    live_face_jpeg: bytes = field(default=b"", repr=False)
    card_face_jpeg: bytes = field(default=b"", repr=False)

    @property
    def same(self) -> bool:
        return self.verdict == MatchVerdict.SAME

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, for the case record and the seal (no images, no descriptors)."""
        return {
            "verdict": str(self.verdict),
            "distance": None if self.distance is None else round(self.distance, 4),
            "threshold": self.threshold,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "min_similarity": round(self.min_similarity, 4),
            "missing": None if self.missing is None else str(self.missing),
            "reason": self.reason,
            "message": self.message.as_dict(),
            "model": self.model.as_dict(),
            "live": self.live,
            "card": self.card,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


def _verdict_text(verdict: MatchVerdict, similarity: float, minimum: float) -> Text:
    s, m = _percent(similarity), _percent(minimum)
    if verdict == MatchVerdict.SAME:
        return Text(f"人脸与身份证照片一致：相似度 {s}（至少 {m} 为同一人）",
                    f"The face matches the ID card photo: similarity {s} (at least {m} means the same person)")
    return Text(f"人脸与身份证照片不一致：相似度 {s}（至少 {m} 才为同一人），需第二名工作人员核准",
                f"The face does not match the ID card photo: similarity {s} (the same person needs at least {m}); "
                "a second member of staff must approve")


def _missing_text(side: FaceSide, reason: str) -> Text:
    name = SIDE_NAMES[side]
    if reason == "face_too_small":
        return Text(f"{name.zh}中的人脸太小，无法比对", f"The face in {name.en} is too small to compare")
    return Text(f"{name.zh}中未找到人脸，无法比对", f"No face found in {name.en}: cannot compare")


def _validate(image: object, side: FaceSide) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise KioskError("image_invalid", Text(f"{SIDE_NAMES[side].zh}格式错误",
                                               f"{SIDE_NAMES[side].en}: expected an HxWx3 uint8 BGR image"))
    return np.ascontiguousarray(image)


class FaceMatcher:
    """Compare the live face with the ID card portrait (see the module docstring). Models load on first use."""

    def __init__(self, thresholds: MatchThresholds | None = None, models: FaceModels | None = None) -> None:
        self.thresholds = thresholds or MatchThresholds()
        self.models = models or FaceModels()
        self._lock = threading.RLock()

    @property
    def model_info(self) -> ModelInfo:
        return self.models.info

    def warm_up(self) -> None:
        with self._lock:
            self.models.warm_up()

    def close(self) -> None:
        with self._lock:
            self.models.close()

    def live_face(self, image_bgr: np.ndarray, box: FaceBox | None = None) -> FaceSample | None:
        """The main face of a photo (largest confident detection), or the face in `box` when the photo judge
        already found it; None when there is none."""
        image = _validate(image_bgr, FaceSide.LIVE)
        with self._lock:
            if box is not None:
                return describe(self.models, image, box, "given")
            found = main_face(detect(self.models, image, self.thresholds.min_detector_score))
            return None if found is None else describe(self.models, image, *found)

    def portrait(self, id_front_bgr: np.ndarray) -> Portrait | None:
        """The portrait's face on an ID card front, or None."""
        image = _validate(id_front_bgr, FaceSide.ID_CARD)
        with self._lock:
            return locate_portrait(self.models, image, self.thresholds.min_detector_score)

    def match(self, live_bgr: np.ndarray, id_front_bgr: np.ndarray, *, live_box: FaceBox | None = None) -> MatchResult:
        """Match the live photo's face against the ID front's portrait. Raises KioskError("image_invalid") for
        something that is not a BGR image; a missing face is a NO_FACE result, not an error."""
        with self._lock:
            t0 = time.perf_counter()
            live = self.live_face(live_bgr, live_box)
            t1 = time.perf_counter()
            portrait = self.portrait(id_front_bgr)
            t2 = time.perf_counter()
            result = self.compare(live, portrait.face if portrait else None,
                                  card_details=portrait.as_dict() if portrait else None,
                                  timings_ms={"live": (t1 - t0) * 1000, "card": (t2 - t1) * 1000})
        log.info("face match: %s (distance %s, threshold %.2f) in %.0f ms", result.verdict, result.distance,
                 result.threshold, (time.perf_counter() - t0) * 1000)
        return result

    def compare(self, live: FaceSample | None, card: FaceSample | None, *, card_details: dict | None = None,
                timings_ms: dict[str, float] | None = None) -> MatchResult:
        """The verdict for two faces already found (None: not found)."""
        th = self.thresholds
        timings = dict(timings_ms or {})
        timings["total"] = sum(timings.values())
        common: dict[str, Any] = {
            "threshold": th.max_distance,
            "min_similarity": 1.0 - th.max_distance,
            "model": self.model_info,
            "live": live.as_dict() if live else None,
            "card": card_details if card_details is not None else (card.as_dict() if card else None),
            "timings_ms": timings,
            "live_face_jpeg": live.crop_jpeg if live else b"",
            "card_face_jpeg": card.crop_jpeg if card else b"",
        }
        for side, face, min_px in ((FaceSide.LIVE, live, th.min_face_px), (FaceSide.ID_CARD, card, th.min_portrait_px)):
            if face is None or face.width_px < min_px:
                reason = "no_face" if face is None else "face_too_small"
                return MatchResult(MatchVerdict.NO_FACE, None, similarity=None, missing=side, reason=reason,
                                   message=_missing_text(side, reason), **common)
        assert live is not None and card is not None
        d = distance(live.descriptor, card.descriptor)
        similarity = min(1.0, max(0.0, 1.0 - d))
        verdict = MatchVerdict.SAME if d <= th.max_distance else MatchVerdict.DIFFERENT
        return MatchResult(verdict, d, similarity=similarity, missing=None,
                           reason="same_person" if verdict == MatchVerdict.SAME else "different_person",
                           message=_verdict_text(verdict, similarity, 1.0 - th.max_distance), **common)


def matcher_from_settings(settings: Settings) -> FaceMatcher:
    """The one way the app, the CLI and the tests build a matcher: thresholds from the kiosk profile's
    "identity" section (KIOSK_PROFILE), else the defaults."""
    thresholds = MatchThresholds.from_profile(settings.profile) if settings.profile else MatchThresholds()
    return FaceMatcher(thresholds)
