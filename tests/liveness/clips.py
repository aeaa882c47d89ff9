"""Clips for the liveness tests: the real clips of tests/data/liveness measured frame by frame, and attack clips
made from real photos and clips with known transformations (all deterministic):

- `still_clip`: a real photo held up to the camera: a few pixels of hand shake, slight rotation and zoom, sensor
  noise, no other motion (a printed photo);
- `planar_turn_clip`: the same photo turned as a plane about its vertical axis, out to `max_deg` each way and
  back (a print or a phone turned to fake a head turn), perspective from a 1.2-frame-width focal length;
- `phone_replay`: a real clip played on a phone held up to the camera: the whole video across the width of a
  9:19.5 portrait screen (black above and below), brightened and tinted like a screen, inside a dark rounded
  phone body, on a plain booth backdrop, with hand shake;
- `close_screen_replay`: a real clip played on a tablet held so close to the camera that the screen fills the
  view (no bezel, no outline): the frame drawn as screen pixels with subpixel stripes (tests/photo/devices.py,
  `CLOSE_TABLET`), a fixed glare patch and a slight fixed perspective, sensor noise and JPEG 90 per frame;
- `photo_swap`: two photos of one person (frontal, then turned) swapped in front of the camera.

Every frame goes through the photo judge's own `observe` (MediaPipe models in video mode), as at the booth.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.liveness import FaceMeasures, measure, presentation_attack
from kiosk.photo.vision import Models, observe
from tests.photo.devices import CLOSE_TABLET, glare, screen_pixels
from tests.photo.scenes import camera_like

DATA = Path(__file__).resolve().parent.parent / "data" / "liveness"
HAMILTON = Path(__file__).resolve().parent.parent / "data" / "photos" / "videos" / "fail_video_performer_mic_fr_hamilton.mp4"
DEMO = Path(__file__).resolve().parent.parent.parent / "capture" / "demo" / "demo_person.mp4"
BACKDROP = (206, 200, 196)  # BGR light grey-blue, like a booth backdrop


@dataclass(frozen=True, slots=True)
class Frame:
    """One measured frame: the face measures (t in seconds from the clip's start) and the outline cue."""

    measures: FaceMeasures
    attack: bool


def read_clip(path: Path, *, start: float = 0.0, end: float = math.inf, flip: bool = False) -> tuple[list[np.ndarray], float]:
    """The frames of a video between `start` and `end` seconds (mirrored when `flip`) and its frame rate."""
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames, i = [], 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if start <= i / fps < end:
            frames.append(cv2.flip(frame, 1) if flip else frame)
        i += 1
    cap.release()
    return frames, fps


def measure_frames(frames: Sequence[np.ndarray], fps: float, models: Models | None = None) -> list[Frame]:
    """Run the judge's models on every frame (video mode) and take the liveness measures and the booth's
    presentation-attack cue (kiosk.liveness.presentation_attack)."""
    own = models is None
    models = models or Models(video=True)
    out = []
    try:
        for i, frame in enumerate(frames):
            obs = observe(frame, models)
            out.append(Frame(measure(obs.mesh, i / fps), presentation_attack(obs)))
    finally:
        if own:
            models.close()
    return out


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float = 2.0) -> np.ndarray:
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def still_clip(photo: np.ndarray, seconds: float = 6.0, fps: float = 15.0, seed: int = 0) -> list[np.ndarray]:
    """A photo held up to the camera (see the module docstring)."""
    rng = np.random.default_rng(seed)
    h, w = photo.shape[:2]
    frames = []
    for i in range(round(seconds * fps)):
        t = i / fps
        angle = 1.5 * math.sin(2 * math.pi * 0.4 * t)
        zoom = 1.0 + 0.02 * math.sin(2 * math.pi * 0.3 * t)
        M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, zoom)
        M[:, 2] += (4 * math.sin(2 * math.pi * 0.7 * t), 3 * math.sin(2 * math.pi * 0.5 * t))
        frames.append(_noise(cv2.warpAffine(photo, M, (w, h), borderMode=cv2.BORDER_REPLICATE), rng))
    return frames


def plane_turn(image: np.ndarray, degrees: float, focal: float = 1.2) -> np.ndarray:
    """`image` as a plane turned by `degrees` about its vertical centre line, seen by a pinhole camera."""
    h, w = image.shape[:2]
    f = focal * w
    cx, cy = w / 2, h / 2
    a = math.radians(degrees)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = []
    for u, v in src:
        x, y = u - cx, v - cy  # the plane at depth f: image coordinates are its own
        z = f + x * math.sin(a)
        dst.append([f * x * math.cos(a) / z + cx, f * y / z + cy])
    M = cv2.getPerspectiveTransform(src, np.float32(dst))
    return cv2.warpPerspective(image, M, (w, h), borderMode=cv2.BORDER_REPLICATE)


def planar_turn_clip(photo: np.ndarray, max_deg: float = 40.0, fps: float = 15.0, seed: int = 1) -> list[np.ndarray]:
    """The photo turned as a plane: still 1 s, out to +max_deg and back, out to -max_deg and back (1.5 s each)."""
    rng = np.random.default_rng(seed)
    n = round(1.5 * fps)
    angles = [0.0] * round(fps) + [max_deg * math.sin(math.pi * i / n) for i in range(n)] + \
             [-max_deg * math.sin(math.pi * i / n) for i in range(n)] + [0.0] * round(fps)
    return [_noise(plane_turn(photo, a), rng) for a in angles]


def phone_replay(frames: Sequence[np.ndarray], size: tuple[int, int] = (640, 480), seed: int = 2) -> list[np.ndarray]:
    """A clip played on a phone held up to the camera (see the module docstring)."""
    rng = np.random.default_rng(seed)
    W, H = size
    ph = round(0.86 * H)
    pw = round(ph * 9 / 19.5)
    bezel, radius = max(6, pw // 22), pw // 8
    sw, sh = pw - 2 * bezel, ph - 2 * round(1.6 * bezel)
    body = np.zeros((ph, pw, 3), np.uint8)
    body[:] = (24, 22, 22)
    mask = np.zeros((ph, pw), np.uint8)
    cv2.rectangle(mask, (radius, 0), (pw - radius, ph), 255, -1)
    cv2.rectangle(mask, (0, radius), (pw, ph - radius), 255, -1)
    for x, y in ((radius, radius), (pw - radius, radius), (radius, ph - radius), (pw - radius, ph - radius)):
        cv2.circle(mask, (x, y), radius, 255, -1)
    out = []
    for i, frame in enumerate(frames):
        fh, fw = frame.shape[:2]
        vh = min(sh, round(fh * sw / fw))  # the whole video across the screen's width, black above and below
        video = cv2.resize(frame, (sw, vh), interpolation=cv2.INTER_AREA).astype(np.float32)
        screen = np.zeros((sh, sw, 3), np.float32)
        top_bar = (sh - vh) // 2
        screen[top_bar:top_bar + vh] = video
        screen = np.clip((screen * 1.1 + 12) * np.float32((1.06, 1.0, 0.95)), 0, 255).astype(np.uint8)
        phone = body.copy()
        top = round(1.6 * bezel)
        phone[top:top + sh, bezel:bezel + sw] = screen
        canvas = np.empty((H, W, 3), np.uint8)
        canvas[:] = BACKDROP
        t = i / 25.0
        angle = 2.0 * math.sin(2 * math.pi * 0.35 * t)
        ox = (W - pw) / 2 + 5 * math.sin(2 * math.pi * 0.6 * t)
        oy = (H - ph) / 2 + 4 * math.sin(2 * math.pi * 0.45 * t)
        M = cv2.getRotationMatrix2D((pw / 2, ph / 2), angle, 1.0)
        M[:, 2] += (ox, oy)
        warped = cv2.warpAffine(phone, M, (W, H))
        alpha = cv2.warpAffine(mask, M, (W, H)).astype(np.float32)[..., None] / 255
        canvas = (warped * alpha + canvas * (1 - alpha)).astype(np.uint8)
        out.append(_noise(canvas, rng))
    return out


def close_screen_replay(frames: Sequence[np.ndarray], seed: int = 4) -> list[np.ndarray]:
    """A clip on a screen filling the camera's view (see the module docstring), at the clip's own size."""
    rng = np.random.default_rng(seed)
    h, w = frames[0].shape[:2]
    shine = glare((w, h), rng)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    tilt = cv2.getPerspectiveTransform(src, src + np.float32([[-12, -8], [10, -14], [14, 10], [-8, 12]]))
    out = []
    for i, frame in enumerate(frames):
        screen = np.clip(screen_pixels(frame, (w, h), CLOSE_TABLET) + shine, 0, 255)
        out.append(camera_like(cv2.warpPerspective(screen, tilt, (w, h), borderMode=cv2.BORDER_REPLICATE), seed + i))
    return out


def photo_swap(frontal: np.ndarray, turned: np.ndarray, fps: float = 15.0, seed: int = 3) -> list[np.ndarray]:
    """Two photos of one person swapped in front of the camera: frontal 1.5 s, turned 1 s, frontal 1.5 s, twice."""
    h, w = frontal.shape[:2]
    turned = cv2.resize(turned, (w, h), interpolation=cv2.INTER_AREA)
    order = ([frontal] * round(1.5 * fps) + [turned] * round(fps)) * 2 + [frontal] * round(1.5 * fps)
    rng = np.random.default_rng(seed)
    return [_noise(img, rng) for img in order]
