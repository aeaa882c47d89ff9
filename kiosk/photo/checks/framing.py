"""Framing (半身): top of the head inside the frame with a margin, both shoulders visible, body down to the
waist; too close (head and shoulders only) and too far (full body, small) are told apart.

Too close: the hips lie below the frame by more than 0.42 of the shoulder-to-hip length (the waist lies
above the hip joints). Too far: the shoulder-to-hip length is under 0.33 of the frame height and the face
(mesh box, else the detected face box) under 0.125 of it (a short torso under a large face is someone leaning or sitting forward), or
both knees are in the frame well below the hips (standing; a seated person's knees are level with the
hips). Faces measure 0.139 of the frame height and more on upper-body photos, 0.074-0.111 on the one-person
full-body photos. Measured
(dev sets): good and upper-body photos have 0-0.41 of the torso cut off (the 640 px copy of one 0.38),
close-ups 0.46 and more (a woman holding a microphone, labelled upper body, 0.50); the torso covers 0.38-0.60
of the frame on upper-body photos, 0.15-0.29 on full-body ones (a full-body photo cut at the knees 0.376).
Uncertain: 0.39-0.46 cut off, torso 0.31-0.35 of the frame."""

from __future__ import annotations

from typing import Any

import numpy as np

from kiosk.photo.checks.base import (
    FAIL,
    PASS,
    UNCERTAIN,
    Check,
    Limit,
    Measure,
    band,
    face_length,
    failed,
    grade,
    hip_mid,
    nobody,
    passed,
    person_found,
    shoulder_mid,
    uncertain,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import (
    FM_FOREHEAD,
    L_HIP,
    L_KNEE,
    L_SHOULDER,
    NOSE,
    R_HIP,
    R_KNEE,
    R_SHOULDER,
    Observation,
)
from kiosk.text import Text

CODE = "framing"
TOO_CLOSE = Text("请后退一点，让腰部进入画面", "Please step back so your waist is in the picture")
TOO_FAR = Text("请向前走近一点", "Please come a little closer")
HEAD_CUT = Text("请让头顶完整进入画面（稍微下蹲或后退）", "Please keep the top of your head in the picture")
SHOULDERS = Text("请让双肩完整进入画面", "Please make sure both shoulders are in the picture")
NO_BODY = Text("请站到镜头前，上半身进入画面", "Please stand in front of the camera, upper body in view")
CONFIRM = Text("确认照片为头部到腰部的半身像", "Confirm: the photo shows the person from head to waist")


def head_top(obs: Observation) -> float | None:
    """Estimated y of the top of the head (pixels): above the mesh forehead point by 0.3 face lengths,
    or from the pose (nose to shoulders) when there is no mesh."""
    if obs.mesh is not None:
        return float(obs.mesh[FM_FOREHEAD, 1] - 0.3 * face_length(obs))
    if obs.pose is not None:
        nose_y = float(obs.pose[NOSE, 1])
        neck = float(shoulder_mid(obs)[1]) - nose_y
        return nose_y - 1.2 * max(neck, 1.0)
    return None


def legs_standing_in_frame(obs: Observation, cfg: JudgeConfig) -> bool:
    """Both knees visible inside the frame and well below the hips (a standing person seen to the knees or
    further: too far). A seated person's knees come forward, close to hip height, and do not count."""
    assert obs.pose is not None
    p = obs.pose
    knees = p[[L_KNEE, R_KNEE]]
    inside = bool(((knees[:, 1] < 0.98 * obs.height) & (knees[:, 3] >= cfg.pose_min_visibility)).all())
    torso = float(hip_mid(obs)[1] - shoulder_mid(obs)[1])
    drop = float(knees[:, 1].mean() - p[[L_HIP, R_HIP], 1].mean())
    return inside and drop >= cfg.standing_knee_drop * max(torso, 1.0)


def face_height(obs: Observation) -> float | None:
    """Face height as a fraction of the frame: the face mesh's box, else the detected face's box (a face the
    mesh cannot fit, e.g. under a hard hat and a dust mask; on photos with both the detector's box is
    0.89-1.14 of the mesh's, median 1.03)."""
    if obs.face_box is not None:
        return (obs.face_box[3] - obs.face_box[1]) / obs.height
    if obs.main_face is not None:
        return obs.main_face.height / obs.height
    return None


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    h, w = obs.height, obs.width
    if not person_found(obs, cfg):
        return nobody(CODE)
    if obs.pose is None:
        if obs.mesh is not None:
            # A face but no body: a face close-up.
            return failed(CODE, reason="too_close", message=TOO_CLOSE, value=None, threshold=None, detail="face only",
                          measure="face_only")
        return failed(CODE, reason="no_body", message=NO_BODY, measure="face_only")
    p = obs.pose
    top = head_top(obs)
    top_n = (top / h) if top is not None else 0.0
    sh = p[[L_SHOULDER, R_SHOULDER]]
    hips = p[[L_HIP, R_HIP]]
    hip_bottom_n = float(hips[:, 1].max() / h)
    torso_n = float((hip_mid(obs)[1] - shoulder_mid(obs)[1]) / h)
    legs_in = legs_standing_in_frame(obs, cfg)
    torso_cut = max(0.0, hip_bottom_n - 1.0) / max(torso_n, 1e-3)
    details: dict[str, Any] = {"head_top": round(top_n, 3), "hip_bottom": round(hip_bottom_n, 3), "torso": round(torso_n, 3),
               "torso_cut": round(torso_cut, 3), "knees_in_frame": legs_in}
    m = cfg.shoulder_margin
    shoulders_in = bool(
        ((sh[:, 0] >= m * w) & (sh[:, 0] <= (1 - m) * w) & (sh[:, 1] <= (1 - m) * h)).all()
        and (sh[:, 3] >= cfg.pose_min_visibility).all()
    )
    close = grade(torso_cut, cfg.max_torso_cut, band(cfg.max_torso_cut, cfg.torso_cut_band))
    far = FAIL if (cfg.too_far_knees and legs_in) else grade(
        torso_n, cfg.too_far_torso, band(cfg.too_far_torso, cfg.too_far_band), Limit.MIN)
    face_n = face_height(obs)
    details["face_height"] = None if face_n is None else round(face_n, 3)
    standing_far = cfg.too_far_knees and legs_in
    if not standing_far and face_n is not None and face_n >= cfg.too_far_face:
        far = PASS  # a short torso under a large face: leaning or sitting forward, not standing far away
    if close == FAIL:
        return failed(CODE, reason="too_close", message=TOO_CLOSE, value=torso_cut, threshold=cfg.max_torso_cut,
                      measure="torso_cut", **details)
    if far == FAIL:
        return failed(CODE, reason="too_far", message=TOO_FAR, value=torso_n, threshold=cfg.too_far_torso,
                      measure="torso", **details)
    if not shoulders_in:
        return failed(CODE, reason="shoulders_cut", message=SHOULDERS, value=None, threshold=m,
                      measure="shoulders", **details)
    if top_n < cfg.head_top_margin:
        return failed(CODE, reason="head_cut", message=HEAD_CUT, value=top_n, threshold=cfg.head_top_margin,
                      measure="head_top", **details)
    if close == UNCERTAIN:
        return uncertain(CODE, reason="too_close", message=CONFIRM, value=torso_cut, threshold=cfg.max_torso_cut,
                         measure="torso_cut", **details)
    if far == UNCERTAIN:
        return uncertain(CODE, reason="too_far", message=CONFIRM, value=torso_n, threshold=cfg.too_far_torso,
                         measure="torso", **details)
    return passed(CODE, value=float(np.round(torso_n, 4)), threshold=cfg.too_far_torso, measure="torso", **details)


CHECK = Check(
    CODE, check, "upper body, head to waist, with margins",
    name=Text("半身取景", "Upper-body framing"),
    measures={
        "torso_cut": Measure(Text("腰部被画面截去（占上身长度）", "Waist cut off by the frame (of the torso)"), "%",
                             Limit.MAX, scale=100.0),
        "torso": Measure(Text("上身高度（占画面高度）", "Upper body height (of the frame)"), "%", Limit.MIN,
                         scale=100.0),
        "head_top": Measure(Text("头顶到画面上沿的距离（占画面高度）", "Room above the head (of the frame)"), "%",
                            Limit.MIN, scale=100.0),
        "shoulders": Measure(Text("双肩在画面内", "Both shoulders in the picture")),
        "face_only": Measure(Text("半身取景", "Upper-body framing")),
    },
)
