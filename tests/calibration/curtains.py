"""Generated curtains for the calibration tests: a plain colour with vertical folds (a sine on lightness), light
fall-off (darker towards the corners), camera noise, optionally the provider's wordmark and a wall around the
curtain. Each test says which of these it used."""

from __future__ import annotations

import cv2
import numpy as np

FRAME = (1280, 720)
COLOURS = {"blue": (200, 120, 40), "white": (235, 235, 230), "grey": (150, 150, 150), "red": (40, 40, 190)}
WALL = (120, 170, 190)  # beige wall (BGR)
WORDMARK = "BEIAN"
WORDMARK_REGION = (0.68, 0.04, 0.98, 0.18)  # where the admin marks it (x0, y0, x1, y1 fractions)
BOOTH = (480, 640)  # the booth's portrait frame (tests/photo/scenes.py FRAME)


def curtain(colour: str = "blue", *, folds: float = 0.08, falloff: float = 0.18, wordmark: bool = False,
            wall: tuple[float, float, float, float] | None = None, seed: int = 0, size: tuple[int, int] = FRAME,
            mirrored: bool = False) -> np.ndarray:
    """A BGR frame of the empty curtain. `wall`: the curtain's box (fractions x0, y0, x1, y1); outside it the wall.
    `mirrored`: the wordmark's box flipped left to right in place (a curtain hung back to front)."""
    w, h = size
    rng = np.random.default_rng(seed)
    xs = np.linspace(0, 1, w)[None, :]
    ys = np.linspace(0, 1, h)[:, None]
    shade = 1 + folds * np.sin(xs * 2 * np.pi * 7)  # vertical folds
    shade = shade * (1 - falloff * ((xs - 0.5) ** 2 + (ys - 0.4) ** 2) / 0.41)  # light fall-off
    frame = np.asarray(COLOURS[colour], np.float32)[None, None, :] * shade[..., None]
    if wordmark:
        img = np.clip(frame, 0, 255).astype(np.uint8)
        cv2.putText(img, WORDMARK, (int(0.70 * w), int(0.14 * h)), cv2.FONT_HERSHEY_SIMPLEX, 2.0 * w / 1280,
                    (255, 255, 255), max(2, w // 300), cv2.LINE_AA)
        if mirrored:
            x0, y0, x1, y1 = (int(WORDMARK_REGION[0] * w), int(WORDMARK_REGION[1] * h), int(WORDMARK_REGION[2] * w),
                              int(WORDMARK_REGION[3] * h))
            img[y0:y1, x0:x1] = img[y0:y1, x0:x1][:, ::-1]
        frame = img.astype(np.float32)
    if wall is not None:
        x0, y0, x1, y1 = int(wall[0] * w), int(wall[1] * h), int(wall[2] * w), int(wall[3] * h)
        inside = np.zeros((h, w), bool)
        inside[y0:y1, x0:x1] = True
        frame[~inside] = WALL
    frame += rng.normal(0, 2.5, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


