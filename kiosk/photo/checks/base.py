"""Shared helpers for the photo checks: the result constructors (kiosk.checkresult) and body geometry read from
the observation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kiosk.checkresult import (
    FAIL,
    PASS,
    UNCERTAIN,
    Check,
    CheckResult,
    Limit,
    Measure,
    errored,
    failed,
    grade,
    passed,
    skipped,
    uncertain,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.vision import (
    FM_CHIN,
    FM_FOREHEAD,
    L_HIP,
    L_SHOULDER,
    R_HIP,
    R_SHOULDER,
    Observation,
)
from kiosk.text import Text

CheckFn = Callable[[Observation, JudgeConfig], CheckResult]
PhotoCheck = Check[Observation, JudgeConfig]

__all__ = ["FAIL", "PASS", "SEVERITY", "UNCERTAIN", "Check", "band", "CheckFn", "Limit", "Measure", "PhotoCheck", "errored", "failed", "grade", "passed", "skipped",
           "uncertain"]


NO_FACE = Text("未检测到正脸，请面向镜头", "No face found: please face the camera")
NO_BODY = Text("请站到镜头前", "Please stand in front of the camera")


NO_PERSON = Text("未检测到人，请站到镜头前", "No one found: please stand in front of the camera")
NOT_APPLICABLE = Text("画面中没有人，未检查", "No one in the picture: not checked")


def person_found(obs: Observation, cfg: JudgeConfig) -> bool:
    """Someone is there: a body pose, a face mesh, or a detected face scoring at least `min_face_score`.
    Without a person every person-dependent check is skipped and only `person_present` fails."""
    return obs.pose is not None or obs.mesh is not None or any(f.score >= cfg.min_face_score for f in obs.faces)


def nobody(code: str) -> CheckResult:
    """The result of a person-dependent check on a frame without a person."""
    return skipped(code, reason="no_person", message=NOT_APPLICABLE)


# How bad a graded status is, to pick the worst of several measures.
SEVERITY = {PASS: 0, UNCERTAIN: 1, FAIL: 2}


def band(limit: float, relative: float | tuple[float, float]) -> tuple[float, float]:
    """A grey band given as fractions of its limit (below, above) in the limit's own units, so a profile that
    moves a limit moves its band with it (a limit of 0 has none)."""
    below, above = relative if isinstance(relative, tuple) else (relative, relative)
    return below * abs(limit), above * abs(limit)


def has_body(obs: Observation, cfg: JudgeConfig) -> bool:
    """Pose found with both shoulders reasonably visible."""
    if obs.pose is None:
        return False
    vis = obs.pose[[L_SHOULDER, R_SHOULDER], 3]
    return bool((vis >= cfg.pose_min_visibility * 0.6).all())


def shoulder_width(obs: Observation) -> float:
    assert obs.pose is not None
    return float(np.linalg.norm(obs.pose[L_SHOULDER, :2] - obs.pose[R_SHOULDER, :2]))


def shoulder_mid(obs: Observation) -> np.ndarray:
    assert obs.pose is not None
    return (obs.pose[L_SHOULDER, :2] + obs.pose[R_SHOULDER, :2]) / 2


def hip_mid(obs: Observation) -> np.ndarray:
    assert obs.pose is not None
    return (obs.pose[L_HIP, :2] + obs.pose[R_HIP, :2]) / 2


def face_length(obs: Observation) -> float:
    """Forehead (mesh point 10) to chin (152) distance in pixels."""
    assert obs.mesh is not None
    return float(np.linalg.norm(obs.mesh[FM_FOREHEAD, :2] - obs.mesh[FM_CHIN, :2]))


def face_region(obs: Observation, shrink: float = 0.15) -> tuple[int, int, int, int] | None:
    """Integer box of the inner face (mesh box shrunk by `shrink` each side), clipped to the frame."""
    box = obs.face_box
    if box is None:
        return None
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) * shrink, (y1 - y0) * shrink
    x0, x1 = max(0, int(x0 + dx)), min(obs.width, int(x1 - dx))
    y0, y1 = max(0, int(y0 + dy)), min(obs.height, int(y1 - dy))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    return x0, y0, x1, y1
