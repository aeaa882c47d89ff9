"""The provider's wordmark on the curtain is visible and reads the right way round ("幕布标识左右颠倒（镜像）":
a curtain hung back to front, or a camera that mirrors the picture, shows the wordmark mirrored).

Enabled only when the configuration carries the wordmark's box and template (`wordmark_region`,
`wordmark_template`: the admin marked it at calibration, calibration.backdrop_model); otherwise `skipped`
("not_calibrated"). When more than `wordmark_max_covered` of the box lies behind the person the wordmark is not
judged (`skipped`, "covered"): the person standing in front of it is no fault. Otherwise the grey frame around
the box (grown by SEARCH_GROWTH each side, scaled to the template's size) is matched with the template and with
its mirror image (normalised cross-correlation, OpenCV TM_CCOEFF_NORMED); the mirror image is also sought where
a mirroring camera puts the box (flipped left to right in the frame). The measure is the template's best
score, at least `wordmark_min_score`; the mirror image scoring higher than the template by MIRROR_LEAD fails
"mirrored". A wordmark that reads the same mirrored (template and mirror image correlate above SYMMETRIC) is
judged for visibility only.

Measured spread (tests/photo/test_wordmark.py and the same scenes on a red curtain and with a third person:
real people placed on generated blue, grey and red curtains with folds, fall-off and the white "BEIAN" wordmark,
480x640): the wordmark as calibrated scores 0.89-0.98 (its mirror image 0.36-0.41); the curtain hung back to
front 0.16-0.23 (mirror image 0.89-0.96); a mirroring camera 0.15-0.40 (mirror image 0.94-0.98); a curtain
without the wordmark 0.25-0.45 for both (the folds in the template still correlate). The limit 0.65 lies
between 0.45 and 0.89, the lead 0.2 far below the mirrored cases' 0.5.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import cv2
import numpy as np

from kiosk.photo.checks.base import Check, Limit, failed, passed, skipped
from kiosk.photo.config import JudgeConfig
from kiosk.photo.curtain import box_pixels, decode_grey
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "wordmark"
MIRRORED = Text("幕布标识左右颠倒（镜像）：请把幕布正面朝外挂好，或关闭摄像头的镜像",
                "The curtain's wordmark is mirrored: hang the curtain front side out, or turn off the camera's mirroring")
NOT_VISIBLE = Text("看不清幕布标识：请检查幕布是否挂好、灯光是否正常",
                   "The curtain's wordmark cannot be read: check the curtain and the lights")
SEARCH_GROWTH = 0.25  # the box grown by this share of its size each side (the curtain sways a little)
MIRROR_LEAD = 0.2     # the mirror image must beat the template by this much to call the wordmark mirrored
SYMMETRIC = 0.8       # template and its mirror image correlating above this: mirroring cannot be told
MIN_CONTRAST = 4.0    # a template with less grey-level spread than this holds no wordmark to match


@lru_cache(maxsize=8)
def template_of(encoded: str) -> np.ndarray | None:
    """The grey template decoded once per profile."""
    return decode_grey(encoded)


def covered_share(obs: Observation, region: tuple[float, float, float, float]) -> float:
    """The share of the wordmark's box behind the person (mask > 0.5)."""
    if obs.mask is None:
        return 0.0
    x0, y0, x1, y1 = box_pixels(region, obs.width, obs.height)
    box = obs.mask[y0:y1, x0:x1]
    return float((box > 0.5).mean()) if box.size else 1.0


def best_score(obs: Observation, region: tuple[float, float, float, float], template: np.ndarray) -> float:
    """The best normalised cross-correlation of `template` in the grey frame around `region`, scaled so that the
    region has the template's size (-1 when the frame around it is too small)."""
    x0, y0, x1, y1 = region
    gx, gy = SEARCH_GROWTH * (x1 - x0), SEARCH_GROWTH * (y1 - y0)
    bx0, by0, bx1, by1 = box_pixels((x0 - gx, y0 - gy, x1 + gx, y1 + gy), obs.width, obs.height)
    rx0, ry0, rx1, ry1 = box_pixels(region, obs.width, obs.height)
    scale = max(template.shape) / max(1, max(rx1 - rx0, ry1 - ry0))
    window = obs.gray[by0:by1, bx0:bx1]
    size = (max(1, round(window.shape[1] * scale)), max(1, round(window.shape[0] * scale)))
    window = cv2.resize(window, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    if window.shape[0] < template.shape[0] or window.shape[1] < template.shape[1]:
        return -1.0
    return float(cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED).max())


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if cfg.wordmark_template is None or cfg.wordmark_region is None:
        return skipped(CODE, reason="not_calibrated", message=Text("未校准幕布标识，跳过", "Wordmark not calibrated: skipped"))
    template = template_of(cfg.wordmark_template)
    if template is None or float(template.std()) < MIN_CONTRAST:
        return skipped(CODE, reason="template_unreadable",
                       message=Text("校准配置中的幕布标识无法读取，跳过", "The profile's wordmark template is unreadable: skipped"))
    region = cfg.wordmark_region
    covered = covered_share(obs, region)
    if covered > cfg.wordmark_max_covered:
        return skipped(CODE, reason="covered", message=Text("幕布标识被人挡住，未检查", "Wordmark behind the person: not checked"),
                       covered=round(covered, 3))
    mirror_image = np.ascontiguousarray(template[:, ::-1])
    direct = best_score(obs, region, template)
    x0, y0, x1, y1 = region
    mirrored = max(best_score(obs, region, mirror_image), best_score(obs, (1 - x1, y0, 1 - x0, y1), mirror_image))
    symmetric = float(cv2.matchTemplate(template, mirror_image, cv2.TM_CCOEFF_NORMED).max()) > SYMMETRIC
    details: dict[str, Any] = {"mirror_score": round(mirrored, 3), "covered": round(covered, 3), "symmetric": symmetric}
    if not symmetric and mirrored >= cfg.wordmark_min_score and mirrored > direct + MIRROR_LEAD:
        return failed(CODE, reason="mirrored", message=MIRRORED, value=direct, threshold=cfg.wordmark_min_score,
                      **details)
    if direct < cfg.wordmark_min_score:
        return failed(CODE, reason="not_visible", message=NOT_VISIBLE, value=direct, threshold=cfg.wordmark_min_score,
                      **details)
    return passed(CODE, value=direct, threshold=cfg.wordmark_min_score, **details)


CHECK = Check(CODE, check, "the provider's wordmark visible where not covered, not mirrored",
              name=Text("幕布标识匹配度", "Wordmark match"), limit=Limit.MIN, digits=2)
