"""Not a photo of a screen: a screen's pixel grid and moiré show as sharp periodic peaks in the high-frequency
spectrum, which paper documents lack.

Looks at up to three 256 px patches of the document (source pixels, before resampling), Hann-windowed; the
score is the highest log-magnitude peak above its local median in the band of periods 2-10 px, ignoring the
8 px JPEG block grid.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "screen"
N = 256


def _band_mask() -> np.ndarray:
    fy = np.fft.fftfreq(N)[:, None]
    fx = np.fft.fftfreq(N)[None, :]
    r = np.hypot(fx, fy)
    band = (r >= 0.1) & (r <= 0.5)
    # the JPEG 8x8 block grid: peaks at multiples of 1/8 cycle per pixel
    for k in range(-4, 5):
        for j in range(-4, 5):
            if k == 0 and j == 0:
                continue
            cy, cx = (k * N // 8) % N, (j * N // 8) % N
            band[max(0, cy - 2) : cy + 3, max(0, cx - 2) : cx + 3] = False
    return band


_BAND = _band_mask()
_WINDOW = np.outer(np.hanning(N), np.hanning(N)).astype(np.float32)


def peak_score(gray: np.ndarray) -> float:
    patch = gray.astype(np.float32)
    patch = (patch - patch.mean()) * _WINDOW
    spec = np.log1p(np.abs(np.fft.fft2(patch)))
    local = cv2.medianBlur(np.fft.fftshift(spec).astype(np.float32), 5)
    excess = np.fft.fftshift(spec) - local
    return float(excess[np.fft.fftshift(_BAND)].max())


def _patches(obs: Observation) -> list[np.ndarray]:
    norm = obs.normalised
    src = norm.source if norm.source is not None else obs.image
    gray = cv2.cvtColor(src, cv2.COLOR_BGR2GRAY)
    if norm.region is not None:
        q = norm.region.quad
        x0, y0 = np.maximum(q.min(axis=0).astype(int), 0)
        x1, y1 = q.max(axis=0).astype(int)
        gray = gray[y0:y1, x0:x1]
    h, w = gray.shape
    if h < N or w < N:
        return []
    # shrink the box to the document's middle (the outline's corners may hold background)
    cx, cy = w // 2, h // 2
    spots = [(cx, cy), (cx - w // 4, cy), (cx + w // 4, cy)]
    out = []
    for x, y in spots:
        x0 = min(max(0, x - N // 2), w - N)
        y0 = min(max(0, y - N // 2), h - N)
        out.append(gray[y0 : y0 + N, x0 : x0 + N])
    return out


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    limit = cfg.screen_max_peak
    patches = _patches(obs)
    if not patches:
        return passed(CODE, value=0.0, threshold=limit, message=Text("未检测到屏幕翻拍", "No sign of a screen photo"), note="too small to measure")
    scores = [peak_score(p) for p in patches]
    value = float(np.median(scores))
    if value > limit:
        return failed(CODE, reason="screen_photo", value=value, threshold=limit,
                      message=Text("疑似翻拍屏幕，请扫描证件原件", "This looks like a photo of a screen: scan the original document"),
                      scores=scores)
    return passed(CODE, value=value, threshold=limit, message=Text("未检测到屏幕翻拍", "No sign of a screen photo"), scores=scores)
