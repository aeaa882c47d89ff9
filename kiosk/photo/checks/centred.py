"""Centred: the body midline (shoulders and hips, or shoulders and nose) near the frame centre."""

from __future__ import annotations

from kiosk.photo.checks.base import NO_BODY, failed, has_body, passed, shoulder_mid, skipped
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import L_HIP, NOSE, R_HIP, Observation
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


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not has_body(obs, cfg):
        return skipped(CODE, "no_body", NO_BODY)
    x = midline(obs, cfg)
    offset = x - 0.5
    if abs(offset) > cfg.max_centre_offset:
        # The camera image is not mirrored: the applicant's right hand appears on the image left, so a
        # person standing right of centre in the image moves to their own right to reach the centre.
        message = GO_RIGHT if offset > 0 else GO_LEFT
        return failed(CODE, "off_centre", message, abs(offset), cfg.max_centre_offset, midline=round(x, 3))
    return passed(CODE, abs(offset), cfg.max_centre_offset, midline=round(x, 3))
