"""Person present: a body (pose), a face mesh or a detected face is found in the frame.

The one check that fails on an empty frame: every check about the person (single person, framing, centring,
arms, hat, glasses, head pose) is then skipped, so the booth says "no person" once."""

from __future__ import annotations

from kiosk.photo.checks.base import NO_PERSON, Check, Limit, failed, passed, person_found
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "person_present"


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    faces = [f for f in obs.faces if f.score >= cfg.min_face_score]
    value = float(max([f.score for f in faces], default=0.0))
    if not person_found(obs, cfg):
        return failed(CODE, reason="no_person", message=NO_PERSON, value=value, threshold=cfg.min_face_score)
    return passed(CODE, value=value, threshold=cfg.min_face_score, pose=obs.pose is not None, faces=len(faces))


CHECK = Check(CODE, check, "a person is in the frame",
              name=Text("人像检测得分", "Person detection score"), limit=Limit.MIN, digits=2)
