"""Clothing that melts into the curtain is flagged ("衣服颜色与幕布过于接近": on a photo of a blue shirt before a
blue curtain the body's outline is lost, and providers reject it).

Enabled only when the configuration carries the calibrated curtain colour (the grid `curtain_lab_grid`, else
`backdrop_lab`); otherwise `skipped` ("not_calibrated"). The clothes are the torso from the pose (shoulders to
hips, shrunk by TORSO_SHRINK towards its middle, below the chin by NECK of the face's height), read on the frame
whatever the person mask says (a shirt the curtain's colour drops out of the segmentation), minus the skin
(pixels within SKIN_DELTA_E of the face's median colour: a low neckline, bare arms). The measure is the CIELAB
ΔE between the clothes' median colour and the curtain's calibrated colour behind the torso, at least
`clothing_min_delta_e`.

Measured spread (tests/photo/test_clothing_colour.py and the same scenes on more curtains: three real people
placed on generated blue, white, grey and red curtains, tests/photo/scenes.py): their own clothes measure
23-80 ΔE from a blue, grey or red curtain; the shirt recoloured to the curtain's colour (its lightness texture
kept, `recolour_clothes`) 0.6-10.7; recoloured half way 11-44. On the white curtain the white shirt measures 2.3
and a beige top 10.8: both melt into it and fail, as a provider would reject them. The limit 15 lies between the
recoloured shirts (10.7) and the nearest clothes of another colour (23).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from kiosk.photo.checks.base import (
    Check,
    Limit,
    face_region,
    failed,
    has_body,
    nobody,
    passed,
    person_found,
    skipped,
)
from kiosk.photo.config import JudgeConfig
from kiosk.photo.curtain import curtain_colours, small_lab
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import FM_CHIN, L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, Observation
from kiosk.text import Text

CODE = "clothing_colour"
MESSAGE = Text("衣服颜色与幕布过于接近：请换一件与幕布颜色不同的上衣",
               "Your clothes are too close to the curtain's colour: please wear a top of another colour")
TORSO_SHRINK = 0.2   # the torso polygon shrunk by this share towards its middle (arms and background stay out)
NECK = 0.25          # the clothes start this many face heights below the chin
SKIN_DELTA_E = 18.0  # pixels this close to the face's median colour are skin, not clothes
MIN_PIXELS = 30      # fewer clothes pixels than this (working size): not judged


def clothes_area(obs: Observation) -> np.ndarray | None:
    """The clothes pixels on `obs.small_bgr` (a boolean mask), or None without a torso to read."""
    assert obs.pose is not None
    h, w = obs.small_bgr.shape[:2]
    scale = w / obs.width
    torso = obs.pose[[L_SHOULDER, R_SHOULDER, R_HIP, L_HIP], :2] * scale
    middle = torso.mean(axis=0)
    torso = middle + (torso - middle) * (1 - TORSO_SHRINK)
    area = np.zeros((h, w), np.uint8)
    cv2.fillPoly(area, [np.round(torso).astype(np.int32)], (1,))
    if obs.mesh is not None and obs.face_box is not None:
        chin = float(obs.mesh[FM_CHIN, 1]) + NECK * (obs.face_box[3] - obs.face_box[1])
        area[: max(0, int(chin * scale))] = 0
    lab = small_lab(obs)
    box = face_region(obs)
    if box is not None:
        x0, y0, x1, y1 = (int(v * scale) for v in box)
        face = lab[y0:max(y0 + 1, y1), x0:max(x0 + 1, x1)].reshape(-1, 3)
        skin = np.linalg.norm(lab - np.median(face, axis=0), axis=2) <= SKIN_DELTA_E
        area[skin] = 0
    return area > 0 if int(area.sum()) >= MIN_PIXELS else None


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if cfg.curtain_lab_grid is None and cfg.backdrop_lab is None:
        return skipped(CODE, reason="not_calibrated", message=Text("未校准幕布，跳过", "Curtain not calibrated: skipped"))
    if not person_found(obs, cfg):
        return nobody(CODE)
    clothes = clothes_area(obs) if has_body(obs, cfg) else None
    if clothes is None:
        return skipped(CODE, reason="no_torso", message=Text("未找到上身，未检查", "No upper body found: not checked"))
    colours = curtain_colours(obs, cfg)
    behind = (np.median(colours[clothes], axis=0) if colours is not None
              else np.asarray(cfg.backdrop_lab, np.float32))
    worn = np.median(small_lab(obs)[clothes], axis=0)
    delta = float(np.linalg.norm(worn - behind))
    details: dict[str, Any] = {"clothes_lab": [round(float(v), 1) for v in worn],
                               "curtain_lab": [round(float(v), 1) for v in behind],
                               "clothes_pixels": int(clothes.sum())}
    if delta < cfg.clothing_min_delta_e:
        return failed(CODE, reason="melts_into_curtain", message=MESSAGE, value=delta,
                      threshold=cfg.clothing_min_delta_e, **details)
    return passed(CODE, value=delta, threshold=cfg.clothing_min_delta_e, **details)


CHECK = Check(CODE, check, "clothes of another colour than the curtain",
              name=Text("衣服与幕布的色差", "Clothes vs curtain colour difference"), unit="ΔE", limit=Limit.MIN)
