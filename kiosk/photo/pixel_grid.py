"""Screen pixel grid in the face: a face shown on a phone or tablet screen close to the camera carries the
screen's regular grid of pixels and subpixel stripes, a sharp peak in the image's spectrum at a high spatial
frequency that no skin, hair or lens gives.

`grid_peak(gray, box)`: the face box (widened by a quarter of its size each way) in the grey frame, cut into
64 x 64 px tiles (half overlapping, Hann window, each tile's mean removed); the tiles' power spectra are
averaged (Welch) and summed over 3 x 3 neighbouring frequencies (a tilted screen's pitch varies across the
face, spreading its peak), and every frequency between 0.18 and 0.5 cycles per pixel is compared with the
median power at the same distance from the centre (the ring around it). The measure is the highest ratio,
in decibels. Frequencies on the JPEG block grid (both components within one bin of a multiple of 1/8 cycle
per pixel) are left out: compression makes peaks there in any photo. A region of fewer than 2 x 2 tiles (a
face under about 77 px, far smaller than at the booth) measures 0: one tile's spectrum is too noisy (a cap
seen from behind measured 21 dB on one tile).

Measured through the judge: camera photos of people (tests/data photos, photos-round3, identity: 178)
0-14.4 dB; real photos on generated phones and tablets (tests/photo/devices.py, 72 scenes, 3 photos x 3
devices x 8 placements) 26.4-34.2 dB.

What it does not see: a screen far enough from the camera that its pixels are finer than the camera's (the
grid then aliases into broad moiré bands, not a peak), or a print (no pixels).
"""

from __future__ import annotations

import cv2
import numpy as np

TILE = 64
LOW = 0.18   # cycles per pixel: below this lie the face's own features and hair
HIGH = 0.5
WIDEN = 0.25  # the face box is widened by this share of its size each way
MIN_TILES = 2  # per axis


def _window() -> np.ndarray:
    hann = np.hanning(TILE)
    return np.outer(hann, hann)


_HANN = _window()
_F = np.fft.fftshift(np.fft.fftfreq(TILE))
_FY, _FX = np.meshgrid(_F, _F, indexing="ij")
_RADIUS = np.hypot(_FX, _FY)
_RING = np.round(_RADIUS * TILE).astype(int)
_BIN = 1.0 / TILE


def _on_jpeg_grid(f: np.ndarray) -> np.ndarray:
    k = np.round(f * 8) / 8
    return np.abs(f - k) <= 1.01 * _BIN


_BAND = (_RADIUS >= LOW) & (_RADIUS <= HIGH) & ~(_on_jpeg_grid(_FX) & _on_jpeg_grid(_FY))
# per ring of the band: (all frequencies at that distance, the band's frequencies among them)
_RINGS = [(_RING == r, _BAND & (_RING == r)) for r in np.unique(_RING[_BAND])]


def grid_peak(gray: np.ndarray, box: tuple[float, float, float, float] | None) -> float:
    """The sharpest high-frequency peak in the face's spectrum over its ring's median, in dB (see the module
    docstring); 0 without a face or for a face under one tile."""
    if box is None:
        return 0.0
    h, w = gray.shape[:2]
    x0, y0, x1, y1 = box
    mx, my = WIDEN * (x1 - x0), WIDEN * (y1 - y0)
    xa, ya = int(max(0, x0 - mx)), int(max(0, y0 - my))
    xb, yb = int(min(w, x1 + mx)), int(min(h, y1 + my))
    region = gray[ya:yb, xa:xb].astype(np.float64)
    step = TILE // 2
    if min(region.shape[0], region.shape[1]) < TILE + (MIN_TILES - 1) * step:
        return 0.0
    tiles = np.lib.stride_tricks.sliding_window_view(region, (TILE, TILE))[::step, ::step].reshape(-1, TILE, TILE)
    tiles = (tiles - tiles.mean(axis=(1, 2), keepdims=True)) * _HANN
    total = (np.abs(np.fft.fft2(tiles)) ** 2).mean(axis=0)
    # a device tilted by perspective has a pixel pitch that varies across the face: its peak spreads over
    # neighbouring frequencies, so each frequency's power is summed with its 3 x 3 neighbours first
    power: np.ndarray = cv2.blur(np.fft.fftshift(total), (3, 3), borderType=cv2.BORDER_REFLECT)
    best = 0.0
    for ring, members in _RINGS:
        reference = float(np.median(power[ring]))
        if reference > 0:
            best = max(best, float(power[members].max()) / reference)
    return float(10.0 * np.log10(best)) if best > 0 else 0.0
