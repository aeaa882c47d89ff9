"""Head and shoulders on the curtain: the top of the head and both shoulders lie inside the calibrated curtain
region ("头顶不能超出幕布": providers reject a photo whose head reaches above the curtain onto the wall).

Enabled only when the configuration carries `curtain_region` (calibration.backdrop_model writes it); otherwise
`skipped` ("not_calibrated"). The head top is the higher of framing's estimate (mesh forehead, hair allowance)
and the person mask's top above the face (hair and hair-bands reach higher than the estimate); the measure is
the worst margin, as a fraction of the frame, by which the head top or a shoulder joint lies inside the region
(negative: outside).
"""

from __future__ import annotations

from typing import Any

from kiosk.photo.checks.base import Check, Limit, failed, has_body, nobody, passed, person_found, skipped
from kiosk.photo.checks.framing import head_top
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import L_SHOULDER, R_SHOULDER, Observation
from kiosk.text import Text

CODE = "curtain_head"
HEAD_ABOVE = Text("头顶不能超出幕布：请稍微下蹲或后退", "The top of your head is above the curtain: please lower it a little")
SHOULDER_OUT = Text("请站到幕布正前方，双肩都在幕布内", "Please stand in front of the curtain, both shoulders on it")


def silhouette_top(obs: Observation) -> float | None:
    """The highest row (pixels) of the person mask within the face's width, if there are a mask and a face."""
    if obs.mask is None or obs.face_box is None:
        return None
    x0, _y0, x1, _y1 = (int(v) for v in obs.face_box)
    columns = obs.mask[:, max(0, x0): max(x0 + 1, x1)] > 0.5
    rows = columns.any(axis=1).nonzero()[0]
    return float(rows.min()) if rows.size else None


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if cfg.curtain_region is None:
        return skipped(CODE, reason="not_calibrated", message=Text("未校准幕布，跳过", "Curtain not calibrated: skipped"))
    if not person_found(obs, cfg):
        return nobody(CODE)
    tops = [t for t in (head_top(obs), silhouette_top(obs)) if t is not None]
    top = min(tops) if tops else None
    if top is None or not has_body(obs, cfg):
        return skipped(CODE, reason="no_body", message=Text("未找到头部和双肩", "No head and shoulders found"))
    x0, y0, x1, y1 = cfg.curtain_region
    w, h = obs.width, obs.height
    head_margin = top / h - y0
    assert obs.pose is not None  # has_body
    sx = obs.pose[[L_SHOULDER, R_SHOULDER], 0] / w
    sy = obs.pose[[L_SHOULDER, R_SHOULDER], 1] / h
    shoulder_margin = float(min((sx - x0).min(), (x1 - sx).min(), (y1 - sy).min()))
    details: dict[str, Any] = {"head_margin": round(float(head_margin), 3), "shoulder_margin": round(shoulder_margin, 3)}
    if head_margin < cfg.curtain_margin:
        return failed(CODE, reason="head_above_curtain", message=HEAD_ABOVE, value=float(head_margin),
                      threshold=cfg.curtain_margin, **details)
    if shoulder_margin < cfg.curtain_margin:
        return failed(CODE, reason="shoulder_off_curtain", message=SHOULDER_OUT, value=shoulder_margin,
                      threshold=cfg.curtain_margin, **details)
    return passed(CODE, value=float(min(head_margin, shoulder_margin)), threshold=cfg.curtain_margin, **details)


CHECK = Check(CODE, check, "head top and both shoulders inside the calibrated curtain",
              name=Text("头顶和双肩在幕布内的余量", "Head and shoulders inside the curtain by"), unit="%",
              limit=Limit.MIN, scale=100.0)
