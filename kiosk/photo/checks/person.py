"""Person present: a body (pose) or a face is found in the frame."""

from __future__ import annotations

from kiosk.photo.checks.base import failed, passed
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "person_present"


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    faces = [f for f in obs.faces if f.score >= cfg.min_face_score]
    found = obs.pose is not None or obs.mesh is not None or bool(faces)
    value = float(max([f.score for f in faces], default=0.0))
    if not found:
        return failed(CODE, reason="no_person", message=Text("未检测到人，请站到镜头前", "No one found: please stand in front of the camera"),
                      value=value, threshold=cfg.min_face_score)
    return passed(CODE, value=value, threshold=cfg.min_face_score, pose=obs.pose is not None, faces=len(faces))
