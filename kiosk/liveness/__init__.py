"""Active liveness at the booth: one or two challenges in random order (a head turn, plus a blink or an open
mouth), measured from the face mesh frame by frame, with presentation-attack cues (a flat face under the turn,
a screen or print outline around the face).

    from kiosk.liveness import LivenessSession, measure
    session = LivenessSession()
    step = session.feed(measure(obs.mesh, t))       # Step: instruction (zh/en), progress, phase
    result = session.result()                       # LivenessResult: passed / failed / skipped, evidence
"""

from __future__ import annotations

from kiosk.liveness.challenges import INSTRUCTIONS, Challenge
from kiosk.liveness.config import LivenessConfig
from kiosk.liveness.measures import FaceMeasures, measure
from kiosk.liveness.screen import Outline, presentation_attack, screen_outline
from kiosk.liveness.session import (
    ChallengeRecord,
    FailReason,
    LivenessResult,
    LivenessSession,
    Outcome,
    Phase,
    Step,
    choose_challenges,
)

__all__ = ["INSTRUCTIONS", "Challenge", "ChallengeRecord", "FaceMeasures", "FailReason", "LivenessConfig",
           "LivenessResult", "LivenessSession", "Outcome", "Outline", "Phase", "Step", "choose_challenges",
           "measure", "presentation_attack", "screen_outline"]
