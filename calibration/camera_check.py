"""The camera check of the calibration page, on a still of the empty backdrop: each item passes, warns or fails,
with its value, its limits (with units) and words saying what to adjust.

| code | measured | pass | warn | fail |
| --- | --- | --- | --- | --- |
| resolution | frame size | ≥ 1280×720 | ≥ 800×600 | smaller |
| exposure | curtain's mean brightness (HSV value, the brightest channel, 0..255: fair to coloured curtains) and clipped pixels | 90..245, ≤ 3 % clipped | 60..90, ≤ 10 % | darker, more clipped |
| white_balance | curtain's a*/b* against the reference (the previous calibration, or neutral for a white/grey curtain) | ΔC ≤ 6 | ≤ 12 | more |
| focus | variance of the Laplacian on the wordmark / on the curtain's texture when none is marked | ≥ 60 / ≥ 10 | ≥ 20 / ≥ 3 | less |

Focus limits measured on generated curtains (tests/calibration/curtains.py, median of 5 frames): the wordmark
scored 75 (white on white) to 1085 (on red), blurred by a Gaussian of σ 3 px 1.5 to 6; the bare curtain 21 to 64,
blurred about 1.

Sides of the frame (portrait or landscape) are compared long with long, short with short.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from calibration.backdrop_model import Region, lab_image
from kiosk.text import Text

PASS, WARN, FAIL = "pass", "warn", "fail"
STATUSES = (PASS, WARN, FAIL)
CHECK_CODES = ("resolution", "exposure", "white_balance", "focus")

MIN_SIZE = (800, 600)  # long side, short side
GOOD_SIZE = (1280, 720)
DARK_FAIL, DARK_WARN, BRIGHT_WARN = 60.0, 90.0, 245.0  # mean of the brightest channel, 0..255
CLIP_WARN, CLIP_FAIL = 0.03, 0.10  # fraction of curtain pixels at the sensor's ends (a white wordmark alone is ~2 %)
CAST_WARN, CAST_FAIL = 6.0, 12.0  # ΔC (a*/b* distance) from the reference colour
NEUTRAL_CHROMA = 25.0  # a curtain of lower chroma is white or grey: its reference is neutral (a* = b* = 0)
FOCUS_LIMITS = {"wordmark": (20.0, 60.0), "curtain": (3.0, 10.0)}  # fail below, warn below: variance of the Laplacian


def _item(code: str, status: str, value: str, limit: Text, message: Text, **extra: Any) -> dict[str, Any]:
    return {"code": code, "status": status, "value": value, "limit": limit.as_dict(), "message": message.as_dict(),
            **extra}


def _box(shape: tuple[int, ...], region: Sequence[float]) -> tuple[slice, slice]:
    h, w = shape[:2]
    x0, y0, x1, y1 = (int(round(v * s)) for v, s in zip(region, (w, h, w, h), strict=True))
    return slice(max(0, y0), max(y0 + 1, y1)), slice(max(0, x0), max(x0 + 1, x1))


def check_resolution(still: np.ndarray) -> dict[str, Any]:
    h, w = still.shape[:2]
    long, short = max(w, h), min(w, h)
    value = f"{w}×{h} px"
    limit = Text("至少 800×600 px，建议 1280×720 px 或更高", "at least 800×600 px, 1280×720 px or more preferred")
    if long >= GOOD_SIZE[0] and short >= GOOD_SIZE[1]:
        return _item("resolution", PASS, value, limit, Text("分辨率合适", "Resolution is good"))
    if long >= MIN_SIZE[0] and short >= MIN_SIZE[1]:
        return _item("resolution", WARN, value, limit, Text("分辨率偏低：建议在摄像头设置中选 1280×720 或更高",
                                                            "Resolution is low: choose 1280×720 or more in the camera settings"))
    return _item("resolution", FAIL, value, limit, Text("分辨率太低：请在摄像头设置中选至少 800×600（建议 1280×720）",
                                                        "Resolution too low: set the camera to at least 800×600 (1280×720 preferred)"))


def check_exposure(still: np.ndarray, region: Region) -> dict[str, Any]:
    rows, cols = _box(still.shape, region)
    curtain = still[rows, cols]
    lightness = float(curtain.max(axis=2).mean())
    bright = float((curtain.max(axis=2) >= 252).mean())  # a channel at the sensor's top (a blue curtain clips in blue)
    dark = float((curtain.max(axis=2) <= 5).mean())
    value = f"{lightness:.0f} / 255; {100 * bright:.1f} % / {100 * dark:.1f} %"
    limit = Text(f"幕布亮度 {DARK_WARN:.0f}–{BRIGHT_WARN:.0f} / 255（低于 {DARK_FAIL:.0f} 不合格）；过曝/欠曝像素 ≤ {100 * CLIP_WARN:.0f} %（超过 {100 * CLIP_FAIL:.0f} % 不合格）",
                 f"curtain brightness {DARK_WARN:.0f}–{BRIGHT_WARN:.0f} / 255 (below {DARK_FAIL:.0f} fails); over/under-exposed pixels ≤ {100 * CLIP_WARN:.0f} % (over {100 * CLIP_FAIL:.0f} % fails)")
    extra = {"brightness": round(lightness, 1), "clipped_bright": round(bright, 4), "clipped_dark": round(dark, 4)}
    too_dark = Text("画面偏暗：请开灯或调高曝光", "Too dark: turn on the light or raise exposure")
    too_bright = Text("画面过亮（幕布过曝）：请调低曝光或减弱灯光", "Too bright (the curtain is overexposed): lower exposure or dim the light")
    if lightness < DARK_FAIL or dark > CLIP_FAIL:
        return _item("exposure", FAIL, value, limit, too_dark, **extra)
    if bright > CLIP_FAIL:
        return _item("exposure", FAIL, value, limit, too_bright, **extra)
    if lightness < DARK_WARN or dark > CLIP_WARN:
        return _item("exposure", WARN, value, limit, too_dark, **extra)
    if lightness > BRIGHT_WARN or bright > CLIP_WARN:
        return _item("exposure", WARN, value, limit, too_bright, **extra)
    return _item("exposure", PASS, value, limit, Text("曝光合适", "Exposure is good"), **extra)


def _cast_words(da: float, db: float) -> tuple[str, str]:
    """Which way the colour is off: 偏黄/偏蓝 (b*), 偏红/偏绿 (a*), the larger first."""
    parts = sorted([(abs(db), ("偏黄", "yellowish") if db > 0 else ("偏蓝", "bluish")),
                    (abs(da), ("偏红", "reddish") if da > 0 else ("偏绿", "greenish"))], reverse=True)
    kept = [p[1] for p in parts if p[0] >= 0.5 * parts[0][0]]
    return "、".join(k[0] for k in kept), " and ".join(k[1] for k in kept)


def check_white_balance(still: np.ndarray, region: Region, reference_lab: Sequence[float] | None) -> dict[str, Any]:
    rows, cols = _box(still.shape, region)
    lab = np.median(lab_image(still[rows, cols]).reshape(-1, 3), axis=0)
    a, b = float(lab[1]), float(lab[2])
    if reference_lab is not None:
        ref_a, ref_b = float(reference_lab[1]), float(reference_lab[2])
        against = Text("与上次校准的幕布颜色相比", "against the previous calibration's curtain colour")
    elif float(np.hypot(a, b)) <= NEUTRAL_CHROMA:
        ref_a, ref_b = 0.0, 0.0
        against = Text("与中性白/灰相比", "against neutral white/grey")
    else:
        return _item("white_balance", PASS, f"a* {a:.1f}, b* {b:.1f}",
                     Text("彩色幕布：以本次校准的颜色为基准", "a coloured curtain: this calibration's colour becomes the reference"),
                     Text("彩色幕布：已记录其颜色，下次校准时比较", "Coloured curtain: its colour is recorded and compared at the next calibration"),
                     reference_lab=None, lab=[round(float(v), 2) for v in lab])
    delta = float(np.hypot(a - ref_a, b - ref_b))
    value = f"ΔC {delta:.1f} (a* {a:.1f}, b* {b:.1f})"
    limit = Text(f"{against.zh}，色差 ΔC ≤ {CAST_WARN:.0f}（超过 {CAST_FAIL:.0f} 不合格）",
                 f"{against.en}, ΔC ≤ {CAST_WARN:.0f} (over {CAST_FAIL:.0f} fails)")
    extra = {"reference_lab": list(reference_lab) if reference_lab is not None else [round(float(lab[0]), 2), 0.0, 0.0],
             "lab": [round(float(v), 2) for v in lab], "delta_c": round(delta, 2)}
    if delta <= CAST_WARN:
        return _item("white_balance", PASS, value, limit, Text("白平衡合适", "White balance is good"), **extra)
    zh, en = _cast_words(a - ref_a, b - ref_b)
    message = Text(f"画面{zh}：请把摄像头白平衡设为固定值（或调整灯光色温）",
                   f"The picture is {en}: set the camera's white balance to a fixed value (or change the light's colour temperature)")
    return _item("white_balance", WARN if delta <= CAST_FAIL else FAIL, value, limit, message, **extra)


def focus_measure(still: np.ndarray, region: Region) -> float:
    """Variance of the Laplacian of the grey image within `region` (higher is sharper)."""
    rows, cols = _box(still.shape, region)
    grey = cv2.cvtColor(np.ascontiguousarray(still[rows, cols]), cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def check_focus(still: np.ndarray, region: Region, wordmark: Region | None) -> dict[str, Any]:
    value_of = focus_measure(still, wordmark or region)
    on = "wordmark" if wordmark else "curtain"
    fail_below, warn_below = FOCUS_LIMITS[on]
    where = Text("标志区域", "the wordmark") if wordmark else Text("幕布纹理（未标记标志）", "the curtain's texture (no wordmark marked)")
    value = f"{value_of:.0f}"
    limit = Text(f"{where.zh}的拉普拉斯方差 ≥ {warn_below:.0f}（低于 {fail_below:.0f} 不合格）",
                 f"variance of the Laplacian on {where.en} ≥ {warn_below:.0f} (below {fail_below:.0f} fails)")
    blurred = Text("画面模糊：请调焦（或擦净镜头）", "Out of focus: adjust the focus (or clean the lens)")
    if value_of < fail_below:
        return _item("focus", FAIL, value, limit, blurred, on=on)
    if value_of < warn_below:
        return _item("focus", WARN, value, limit, blurred, on=on)
    return _item("focus", PASS, value, limit, Text("清晰度合适", "Focus is good"), on=on)


def check_camera(still: np.ndarray, region: Region | Sequence[float], wordmark: Region | None, *,
                 reference_lab: Sequence[float] | None = None) -> list[dict[str, Any]]:
    """Every item of the camera check (JSON-able dicts in CHECK_CODES order)."""
    box = (float(region[0]), float(region[1]), float(region[2]), float(region[3]))
    return [check_resolution(still), check_exposure(still, box), check_white_balance(still, box, reference_lab),
            check_focus(still, box, wordmark)]


def summary(items: list[dict[str, Any]]) -> dict[str, str]:
    """code -> status, for the audit log."""
    return {item["code"]: item["status"] for item in items}
