"""Derived presentation-attack scenes for the photo tests: a real photo from tests/data shown on a generated
phone or tablet, or printed, and held up in front of the booth camera (all deterministic, no drawing of faces).

How a device scene is made (`device_scene`):

1. Screen pixels: the real photo is cropped to its head and shoulders at the screen's aspect (`portrait_crop`,
   the face a third of the width, found by the judge's face box) and resized to the screen's own resolution (`pitch` camera pixels per screen pixel).
2. Pixel grid: each screen pixel is drawn as `pitch` x `pitch` camera pixels with its red, green and blue
   subpixels side by side as vertical stripes (`Device.subpixel` of its light in its own stripe), and a darker
   line (`Device.row_gap` brightness) between pixel rows, as a
   camera close to an LCD sees it; the screen is brightened and tinted slightly blue (a screen's gamut).
3. Glare: a soft elliptical specular patch (Gaussian, up to +110 grey levels) added on the glass, off-centre.
4. Body: the screen inside a near-black bezel with rounded corners (radius 1/8 of the width); a print is a
   white margin instead, with no pixel grid and no glare.
5. Held up: the device is warped by a slight perspective (corners moved by up to 4 % of its size, as a device
   tilted towards the camera) and composited onto a plain booth backdrop, or in front of a real person's face
   and chest at booth framing (`scenes.booth_scene`), so the attacker's own hair and shoulders show around it.
6. Camera: sensor noise sigma 1.5 and JPEG quality 90 (`scenes.camera_like`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tests.photo.scenes import BACKDROPS, FRAME, camera_like


@dataclass(frozen=True)
class Device:
    """A device's size in the booth frame (width, height in camera pixels), its body and screen."""

    name: str
    size: tuple[int, int]
    pitch: int = 3             # camera pixels per screen pixel (0: no pixel grid, a print)
    bezel: float = 0.045       # the body's border, share of the width
    body: tuple[int, int, int] = (22, 22, 24)
    glare: bool = True
    subpixel: float = 0.35     # share of a screen pixel's light in its own subpixel stripe (the rest spread)
    row_gap: float = 0.6       # brightness of the line between pixel rows


PHONE = Device("phone", (250, 520))
TABLET = Device("tablet", (390, 520), bezel=0.06)
# a tablet held so close that its bezel is outside the camera's view; a finer, fainter grid (4 px per pixel)
CLOSE_TABLET = Device("close_tablet", (600, 800), pitch=4, subpixel=0.2, row_gap=0.8)
PRINT = Device("print", (330, 440), pitch=0, bezel=0.07, body=(236, 238, 240), glare=False)
DEVICES = {d.name: d for d in (PHONE, TABLET, CLOSE_TABLET, PRINT)}
SCREENS = (PHONE, TABLET, CLOSE_TABLET)


def portrait_crop(photo: np.ndarray, face: tuple[float, float, float, float], aspect: float) -> np.ndarray:
    """The head and shoulders of `photo` as an attacker shows them: a crop of width/height `aspect` around
    the face box (x0, y0, x1, y1), the face a third of the crop's width, the eyes in its upper third (kept
    inside the photo)."""
    x0, y0, x1, y1 = face
    ph, pw = photo.shape[:2]
    cw = min(float(pw), 3.0 * (x1 - x0), ph * aspect)
    ch = cw / aspect
    left = min(max(0.0, (x0 + x1) / 2 - cw / 2), pw - cw)
    top = min(max(0.0, y0 - 0.25 * ch), ph - ch)
    return photo[round(top):round(top + ch), round(left):round(left + cw)]


def _fill(photo: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`photo` resized to `size` (width, height) after cropping its centre to that aspect."""
    w, h = size
    ph, pw = photo.shape[:2]
    if pw / ph > w / h:
        cw = round(ph * w / h)
        crop = photo[:, (pw - cw) // 2:(pw - cw) // 2 + cw]
    else:
        ch = round(pw * h / w)
        crop = photo[(ph - ch) // 2:(ph - ch) // 2 + ch]
    return cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)


def screen_pixels(photo: np.ndarray, size: tuple[int, int], device: Device) -> np.ndarray:
    """The photo on a screen of `size` camera pixels (steps 1 and 2), float BGR."""
    w, h = size
    pitch = device.pitch
    if pitch == 0:
        return _fill(photo, size).astype(np.float32)
    pixels = _fill(photo, (w // pitch, h // pitch)).astype(np.float32)
    big = np.repeat(np.repeat(pixels, pitch, axis=0), pitch, axis=1)
    grid = np.full((pitch, pitch, 3), 1.0 - device.subpixel, np.float32)
    for i, channel in enumerate((2, 1, 0)):  # red, green, blue subpixels left to right (BGR channels 2, 1, 0)
        grid[:, i * pitch // 3:(i + 1) * pitch // 3, channel] += 3.0 * device.subpixel
    grid[-1, :, :] *= device.row_gap  # the darker line between pixel rows
    tiled = np.tile(grid, (h // pitch, w // pitch, 1))
    screen = np.zeros((h, w, 3), np.float32)
    screen[: big.shape[0], : big.shape[1]] = (big * tiled[: big.shape[0], : big.shape[1]] * 1.05 + 10.0) \
        * np.float32((1.06, 1.0, 0.95))
    return screen


def glare(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A soft specular patch (step 3), float added to every channel."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.6, 0.8), h * rng.uniform(0.15, 0.3)
    rx, ry = 0.22 * w, 0.12 * h
    return 110.0 * np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))[..., None]


def device_image(photo: np.ndarray, device: Device, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The device showing `photo` (steps 1-4): its BGR pixels (float) and its alpha (rounded corners)."""
    rng = np.random.default_rng(seed)
    w, h = device.size
    border = max(4, round(device.bezel * w))
    inner = (w - 2 * border, h - 2 * border - (border if device.pitch else 0))
    body = np.empty((h, w, 3), np.float32)
    body[:] = device.body
    screen = screen_pixels(photo, inner, device)
    if device.glare:
        screen = screen + glare(inner, rng)
    top = border + (border if device.pitch else 0) // 2
    body[top:top + inner[1], border:border + inner[0]] = screen
    alpha = np.zeros((h, w), np.float32)
    radius = w // 8 if device.pitch else 2
    cv2.rectangle(alpha, (radius, 0), (w - 1 - radius, h - 1), 1.0, -1)
    cv2.rectangle(alpha, (0, radius), (w - 1, h - 1 - radius), 1.0, -1)
    for x, y in ((radius, radius), (w - 1 - radius, radius), (radius, h - 1 - radius), (w - 1 - radius, h - 1 - radius)):
        cv2.circle(alpha, (x, y), radius, 1.0, -1, lineType=cv2.LINE_AA)
    return np.clip(body, 0, 255), alpha


def hold_up(device_bgr: np.ndarray, alpha: np.ndarray, scene: np.ndarray, centre: tuple[float, float],
            seed: int = 0) -> np.ndarray:
    """The device warped by a slight perspective and composited onto `scene` around `centre` (step 5), then
    through the camera (step 6)."""
    rng = np.random.default_rng(seed)
    h, w = alpha.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-0.04, 0.04, (4, 2)) * np.float32([w, h])
    dst = src + jitter + np.float32([centre[0] - w / 2, centre[1] - h / 2])
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(device_bgr, matrix, size, flags=cv2.INTER_LINEAR)
    a = cv2.warpPerspective(alpha, matrix, size, flags=cv2.INTER_LINEAR)[..., None]
    return camera_like(scene.astype(np.float32) * (1.0 - a) + warped * a, seed)


def plain_backdrop(colour: str = "grey") -> np.ndarray:
    """An empty booth frame in a provider colour."""
    width, height = FRAME
    back = np.empty((height, width, 3), np.float32)
    back[:] = BACKDROPS[colour]
    return back


def device_scene(photo: np.ndarray, face: tuple[float, float, float, float], device: Device,
                 scene: np.ndarray | None = None, centre: tuple[float, float] | None = None,
                 seed: int = 0) -> np.ndarray:
    """`photo` (its face box `face`) on `device` held up in front of `scene` (a plain grey booth when None)
    at `centre` (the frame's middle, a little high, when None): a 480x640 BGR camera frame."""
    base = plain_backdrop() if scene is None else scene
    where = centre or (base.shape[1] / 2, 0.45 * base.shape[0])
    w, h = device.size
    bgr, alpha = device_image(portrait_crop(photo, face, w / h), device, seed)
    return hold_up(bgr, alpha, base, where, seed)
