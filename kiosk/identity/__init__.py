"""Identity: does the live face match the portrait on the ID card? (dlib ResNet descriptor, offline.)

    from kiosk.identity import FaceMatcher
    result = FaceMatcher().match(live_bgr, id_front_bgr)     # MatchResult: verdict, similarity, threshold, ...
"""

from __future__ import annotations

from kiosk.identity.match import (
    FaceMatcher,
    FaceSide,
    MatchResult,
    MatchThresholds,
    MatchVerdict,
    matcher_from_settings,
)
from kiosk.identity.models import ModelInfo

__all__ = ["FaceMatcher", "FaceSide", "MatchResult", "MatchThresholds", "MatchVerdict", "ModelInfo",
           "matcher_from_settings"]
