"""Centred: where the person stands, left to right, against the frame centre, as fractions of the frame
width: the body midline (shoulders and hips, or shoulders and nose when the hips are out of view) and the
face (face mesh centre). Both count: a person standing in the middle but leaning the head aside (towards a
microphone, into a second person's frame) is not centred, and without a body the face alone says where the
person is. In a close-up that cuts a shoulder off at the side the pose model only guesses that shoulder, so
the face alone decides. The measure follows the person wherever they stand in a frame of any width.

Limits and grey band, from the labelled photos (photos, photos-round3, photos-nc): photos labelled centred
measure body offsets 0.002-0.057 (the good photos up to 0.052, a seated woman whose face sits at 0.082, her
head leaning), plus a few labelled centred but measured 0.12-0.18 (seated at a desk or on a sofa: loose
labels); photos labelled off-centre 0.076 (an astronaut, "slightly off-centre"), 0.099, 0.117 (a man small in
a wide frame) and 0.24-0.26 (in one quarter of a landscape frame). Limits 0.07 (body) and 0.08 (face); the
band reaches 15 % of the limit below it and 30 % above (body 0.06-0.09, face 0.068-0.104 uncertain): the
borderline leans and the "slightly off-centre" photos go to staff.
"""

from __future__ import annotations

from typing import Any

from kiosk.photo.checks.base import (
    FAIL,
    NO_BODY,
    SEVERITY,
    UNCERTAIN,
    Check,
    Limit,
    band,
    failed,
    grade,
    has_body,
    nobody,
    passed,
    person_found,
    shoulder_mid,
    skipped,
    uncertain,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import L_HIP, L_SHOULDER, NOSE, R_HIP, R_SHOULDER, Observation
from kiosk.text import Text

CODE = "centred"
GO_LEFT = Text("请向左移动一点，站到画面中央", "Please move a little to your left, to the centre")
GO_RIGHT = Text("请向右移动一点，站到画面中央", "Please move a little to your right, to the centre")
CONFIRM = Text("确认人像位于画面中央", "Confirm: the person stands in the middle of the picture")


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
    details: dict[str, Any] = {"midline": None if body is None else round(body, 3),
               "face_centre": None if face is None else round(face, 3)}
    # (offset, limit, status) of each measure, both fractions of the frame width; the worst status decides,
    # then the measure furthest beyond its limit, which is reported.
    measures = []
    if body is not None:
        measures.append((body - 0.5, cfg.max_centre_offset))
    if face is not None:
        measures.append((face - 0.5, cfg.max_face_centre_offset))
    graded = [(off, lim, grade(abs(off), lim, band(lim, cfg.centre_band))) for off, lim in measures]
    offset, limit, status = max(graded, key=lambda m: (SEVERITY[m[2]], abs(m[0]) - m[1]))
    if status == FAIL:
        # The camera image is not mirrored: the applicant's right hand appears on the image left, so a
        # person standing right of centre in the image moves to their own right to reach the centre.
        message = GO_RIGHT if offset > 0 else GO_LEFT
        return failed(CODE, reason="off_centre", message=message, value=abs(offset), threshold=limit, **details)
    if status == UNCERTAIN:
        return uncertain(CODE, reason="off_centre", message=CONFIRM, value=abs(offset), threshold=limit, **details)
    return passed(CODE, value=abs(offset), threshold=limit, **details)


CHECK = Check(CODE, check, "the person stands in the middle of the frame",
              name=Text("偏离画面中心（占画面宽度）", "Off centre (of the frame width)"), unit="%", limit=Limit.MAX, scale=100.0)
