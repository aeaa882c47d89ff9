"""Frontal: head yaw, pitch and roll (degrees) within limits, from a rigid fit of the face mesh to a
generic 3D face (nose tip, chin, outer eye corners, mouth corners)."""

from __future__ import annotations

import math

import numpy as np

from kiosk.photo.checks.base import NO_FACE, failed, has_body, passed, skipped
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "frontal"
# Generic face in image axes (x right, y down, z away from the camera), nose tip at the origin.
MODEL = np.array([(0, 0, 0), (0, 330, 65), (-225, -170, 135), (225, -170, 135), (-150, 150, 125),
                  (150, 150, 125)], np.float64)
MESH_INDEX = [1, 152, 33, 263, 61, 291]
# The generic face sits tilted against MediaPipe's mesh: faces looking straight at the camera measure about
# +6 degrees of pitch with it (median over the labelled frontal photos), so that much is taken off.
PITCH_OFFSET = 6.0

TURN = Text("请正对镜头，不要左右转头", "Please face the camera straight on, without turning your head")
NOD = Text("请平视镜头，不要抬头或低头", "Please look straight at the camera, chin level")
FACE_AWAY = Text("请转过身来，面向镜头", "Please turn around and face the camera")
TILT = Text("请把头摆正，不要歪头", "Please hold your head upright, not tilted")


def head_pose(mesh: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees; 0 is looking straight into the camera."""
    pts = mesh[MESH_INDEX].astype(np.float64)
    mp, mq = MODEL.mean(0), pts.mean(0)
    u, _s, vt = np.linalg.svd((pts - mq).T @ (MODEL - mp))
    d = np.eye(3)
    d[2, 2] = np.sign(np.linalg.det(u @ vt))
    rot = u @ d @ vt
    forward = rot @ np.array([0.0, 0.0, -1.0])  # the face's forward direction in image axes
    yaw = math.degrees(math.atan2(-forward[0], -forward[2]))
    pitch = math.degrees(math.atan2(forward[1], -forward[2])) - PITCH_OFFSET
    roll = math.degrees(math.atan2(rot[1, 0], rot[0, 0]))
    return yaw, pitch, roll


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if obs.mesh is None:
        if has_body(obs, cfg):
            # A body but no face: turned away (or the face hidden).
            return failed(CODE, "face_not_visible", FACE_AWAY)
        return skipped(CODE, "no_face", NO_FACE)
    yaw, pitch, roll = head_pose(obs.mesh)
    details = {"yaw": round(yaw, 1), "pitch": round(pitch, 1), "roll": round(roll, 1)}
    # Report the axis that is furthest beyond its limit.
    excess = {
        "head_turned": (abs(yaw) / cfg.max_yaw, abs(yaw), cfg.max_yaw, TURN),
        "head_pitched": (abs(pitch) / cfg.max_pitch, abs(pitch), cfg.max_pitch, NOD),
        "head_tilted": (abs(roll) / cfg.max_roll, abs(roll), cfg.max_roll, TILT),
    }
    reason, (ratio, value, limit, message) = max(excess.items(), key=lambda kv: kv[1][0])
    if ratio > 1.0:
        return failed(CODE, reason, message, value, limit, **details)
    return passed(CODE, value, limit, **details)
