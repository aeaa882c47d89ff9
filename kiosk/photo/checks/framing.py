"""Framing (半身): top of the head inside the frame with a margin, both shoulders visible, body down to the
waist; too close (head and shoulders only) and too far (full body, small) are told apart."""

from __future__ import annotations

import numpy as np

from kiosk.photo.checks.base import face_length, failed, hip_mid, nobody, passed, person_found, shoulder_mid
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


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    h, w = obs.height, obs.width
    if not person_found(obs, cfg):
        return nobody(CODE)
    if obs.pose is None:
        if obs.mesh is not None:
            # A face but no body: a face close-up.
            return failed(CODE, reason="too_close", message=TOO_CLOSE, value=None, threshold="waist in frame", detail="face only")
        return failed(CODE, reason="no_body", message=NO_BODY)
    p = obs.pose
    top = head_top(obs)
    top_n = (top / h) if top is not None else 0.0
    sh = p[[L_SHOULDER, R_SHOULDER]]
    hips = p[[L_HIP, R_HIP]]
    hip_bottom_n = float(hips[:, 1].max() / h)
    torso_n = float((hip_mid(obs)[1] - shoulder_mid(obs)[1]) / h)
    knees = p[[L_KNEE, R_KNEE]]
    legs_in = bool(((knees[:, 1] < 0.98 * h) & (knees[:, 3] >= cfg.pose_min_visibility)).all())
    torso_cut = max(0.0, hip_bottom_n - 1.0) / max(torso_n, 1e-3)
    details = {"head_top": round(top_n, 3), "hip_bottom": round(hip_bottom_n, 3), "torso": round(torso_n, 3),
               "torso_cut": round(torso_cut, 3), "knees_in_frame": legs_in}
    m = cfg.shoulder_margin
    shoulders_in = bool(
        ((sh[:, 0] >= m * w) & (sh[:, 0] <= (1 - m) * w) & (sh[:, 1] <= (1 - m) * h)).all()
        and (sh[:, 3] >= cfg.pose_min_visibility).all()
    )
    if torso_cut > cfg.max_torso_cut:
        return failed(CODE, reason="too_close", message=TOO_CLOSE, value=torso_cut, threshold=cfg.max_torso_cut, **details)
    if torso_n < cfg.too_far_torso or (cfg.too_far_knees and legs_in):
        return failed(CODE, reason="too_far", message=TOO_FAR, value=torso_n, threshold=cfg.too_far_torso, **details)
    if not shoulders_in:
        return failed(CODE, reason="shoulders_cut", message=SHOULDERS, value=None, threshold=m, **details)
    if top_n < cfg.head_top_margin:
        return failed(CODE, reason="head_cut", message=HEAD_CUT, value=top_n, threshold=cfg.head_top_margin, **details)
    return passed(CODE, value=float(np.round(torso_n, 4)), threshold=cfg.too_far_torso, **details)
