"""Centred: the body midline (shoulders and hips, or shoulders and nose) and the face near the frame centre.

The face is measured as well as the body: a person standing in the middle but leaning the head to one side
(towards a microphone, into a second person's frame) is not centred, and when no body is found the face alone
says where the person is. In a close-up that cuts a shoulder off at the side, the pose model only guesses
that shoulder, so the face alone decides.
"""

from __future__ import annotations

from kiosk.photo.checks.base import (
    NO_BODY,
    failed,
    has_body,
    nobody,
    passed,
    person_found,
    shoulder_mid,
    skipped,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import L_HIP, L_SHOULDER, NOSE, R_HIP, R_SHOULDER, Observation
from kiosk.text import Text

CODE = "centred"
GO_LEFT = Text("请向左移动一点，站到画面中央", "Please move a little to your left, to the centre")
GO_RIGHT = Text("请向右移动一点，站到画面中央", "Please move a little to your right, to the centre")


def midline(obs: Observation, cfg: JudgeConfig) -> float:
    """Body midline x as a fraction of the frame width."""
    assert obs.pose is not None
    p = obs.pose
    xs = [float(shoulder_mid(obs)[0])]
    hips = p[[L_HIP, R_HIP]]
    if (hips[:, 3] >= cfg.pose_min_visibility).all() and (hips[:, 1] < obs.height).all():
        xs.append(float(hips[:, 0].mean()))
    else:
        xs.append(float(p[NOSE, 0]))
    return sum(xs) / len(xs) / obs.width


def face_centre(obs: Observation) -> float | None:
    """Mean x of the face mesh as a fraction of the frame width, if there is a face mesh."""
    if obs.mesh is None:
        return None
    return float(obs.mesh[:468, 0].mean()) / obs.width


def shoulders_in_frame(obs: Observation) -> bool:
    """Both shoulder joints lie inside the frame horizontally (a close-up cuts them off at the sides)."""
    assert obs.pose is not None
    xs = obs.pose[[L_SHOULDER, R_SHOULDER], 0]
    return bool(((xs >= 0) & (xs <= obs.width)).all())


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not person_found(obs, cfg):
        return nobody(CODE)
    face = face_centre(obs)
    body = midline(obs, cfg) if has_body(obs, cfg) else None
    if body is not None and face is not None and not shoulders_in_frame(obs):
        body = None  # a shoulder outside the frame is the pose model's guess: the face is the better measure
    if body is None and face is None:
        return skipped(CODE, reason="no_body", message=NO_BODY)
    details = {"midline": None if body is None else round(body, 3),
               "face_centre": None if face is None else round(face, 3)}
    # (offset, limit) of each measure, both fractions of the frame width; the one furthest beyond its limit
    # decides and is reported.
    measures = []
    if body is not None:
        measures.append((body - 0.5, cfg.max_centre_offset))
    if face is not None:
        measures.append((face - 0.5, cfg.max_face_centre_offset))
    offset, limit = max(measures, key=lambda m: abs(m[0]) - m[1])
    if abs(offset) > limit:
        # The camera image is not mirrored: the applicant's right hand appears on the image left, so a
        # person standing right of centre in the image moves to their own right to reach the centre.
        message = GO_RIGHT if offset > 0 else GO_LEFT
        return failed(CODE, reason="off_centre", message=message, value=abs(offset), threshold=limit, **details)
    return passed(CODE, value=abs(offset), threshold=limit, **details)
