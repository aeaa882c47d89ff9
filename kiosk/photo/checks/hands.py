"""Hands hanging: both arms down at the sides; not raised, crossed, on the hips or holding something.

Per arm, from the pose: the upper arm (shoulder to elbow) must point down (angle from vertical, limit 35
degrees), the arm must be nearly straight (shoulder-elbow-wrist angle, at least 132 degrees), and the wrist
must not be inside the torso (in front of the body, at most 0.25 shoulder widths); a wrist above its elbow
scores 2. Landmarks the model places outside the frame (hands just below the picture) are still used, more
leniently: the pose model extrapolates them from the visible arm, so only a forearm pointing down is
required there (90 degrees). The score is the worst of these over its limit, for the worse arm.

Measured (dev sets, one-person photos): arms labelled hanging score 0.59-0.86 (a good photo with glasses
drawn on it 0.94: the pose of arms cut off by the frame moves by about 0.1 between near-identical frames),
one seated woman whose arm rests on her lap 1.14; arms labelled not hanging 0.93 (holding up a laptop at
the frame's bottom edge), 1.06 (holding a helmet), 1.11 (hands clasped), then 1.25 and above. Uncertain
from 0.95 to 1.05, fail above.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kiosk.photo.checks.base import (
    FAIL,
    NO_BODY,
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
    shoulder_width,
    skipped,
    uncertain,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import (
    L_ELBOW,
    L_SHOULDER,
    L_WRIST,
    R_ELBOW,
    R_SHOULDER,
    R_WRIST,
    Observation,
)
from kiosk.text import Text

CODE = "hands_hanging"
MESSAGE = Text("请双臂自然下垂放在身体两侧，手中不要拿东西",
               "Please let both arms hang naturally at your sides, with nothing in your hands")
CONFIRM = Text("确认双臂自然下垂、手中没有物品", "Confirm: both arms hang at the sides, nothing in the hands")
RAISED = Text("请放下双手，双臂自然下垂", "Please lower your hands and let your arms hang down")


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle ABC in degrees."""
    v1, v2 = a - b, c - b
    cos = float(v1 @ v2 / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def arm_measures(obs: Observation, side: str) -> dict[str, float]:
    """Upper-arm angle from straight down, elbow angle, and how far the wrist is inside the torso."""
    assert obs.pose is not None
    p = obs.pose
    s, e, wr = (L_SHOULDER, L_ELBOW, L_WRIST) if side == "left" else (R_SHOULDER, R_ELBOW, R_WRIST)
    other = R_SHOULDER if side == "left" else L_SHOULDER
    sh, el, wri = p[s, :2], p[e, :2], p[wr, :2]
    upper = el - sh
    upper_angle = math.degrees(math.atan2(abs(upper[0]), upper[1]))  # 0 = straight down, 180 = up
    elbow = _angle(sh, el, wri)
    # Positive when the wrist is on the body side of its own shoulder (towards the other shoulder).
    width = max(shoulder_width(obs), 1.0)
    toward = np.sign(p[other, 0] - p[s, 0])
    inward = float((wri[0] - sh[0]) * toward / width)
    wrist_above_elbow = float(wri[1] < el[1])
    wrist_above_shoulder = float(wri[1] < sh[1])
    wrist_out = float(wri[1] > obs.height)  # below the picture: position extrapolated by the model
    return {"upper_arm": upper_angle, "elbow": elbow, "wrist_inward": inward, "wrist_up": wrist_above_elbow,
            "wrist_above_shoulder": wrist_above_shoulder, "wrist_out": wrist_out}


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not person_found(obs, cfg):
        return nobody(CODE)
    if not has_body(obs, cfg):
        return skipped(CODE, reason="no_body", message=NO_BODY)
    arms = {side: arm_measures(obs, side) for side in ("left", "right")}
    details: dict[str, Any] = {f"{side}_{k}": round(v, 2) for side, m in arms.items() for k, v in m.items()}
    worst = 0.0
    reason = None
    for m in arms.values():
        if m["upper_arm"] > 90 or m["wrist_above_shoulder"]:
            reason = "arms_raised"
        # With the hand below the picture its position is the model's guess: the elbow angle then only
        # has to show a forearm pointing down, not a straight arm.
        min_elbow = 90.0 if m["wrist_out"] else cfg.min_elbow_angle
        badness = max(
            2.0 if m["wrist_up"] else 0.0,  # a hand above its elbow: crossed, on the chest, holding something
            m["upper_arm"] / cfg.max_upper_arm_angle,
            min_elbow / max(m["elbow"], 1.0),
            (m["wrist_inward"] + 1.0) / (cfg.max_wrist_inward + 1.0),
        )
        worst = max(worst, badness)
    if reason == "arms_raised":
        return failed(CODE, reason=reason, message=RAISED, value=worst, threshold=1.0, **details)
    status = grade(worst, 1.0, band(1.0, cfg.hands_band))
    if status == FAIL:
        return failed(CODE, reason="arms_not_hanging", message=MESSAGE, value=worst, threshold=1.0, **details)
    if status == UNCERTAIN:
        return uncertain(CODE, reason="arms_not_hanging", message=CONFIRM, value=worst, threshold=1.0, **details)
    return passed(CODE, value=worst, threshold=1.0, **details)


CHECK = Check(CODE, check, "both arms hanging at the sides",
              name=Text("手臂姿势（1.00 为限值）", "Arm position (1.00 = at the limit)"), limit=Limit.MAX, digits=2)
