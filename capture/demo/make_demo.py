"""Make the bundled demo video (and the tests' clips) from a real photograph.

There is no recording of a real person passing every check in the test data, so this animates one: the
photo `pass_hv_test4_standing_arms_down.jpg` (HivisionIDPhotos demo image, Apache-2.0; see README.md) is
letterboxed onto 1280x720 with its own backdrop colour, then shown as a little scene:

* `empty`: only the backdrop (nobody in front of the camera),
* `close`: the person far too close (a zoomed crop: head and shoulders only),
* `enter` / `leave`: the person sliding in from / out to the side,
* `good`: the whole photo with slight natural motion (a sway of a few pixels, a breath-like zoom,
  light flicker) and sensor noise, so consecutive frames are never identical.

Run `python -m capture.demo.make_demo` to rebuild `capture/demo/demo_person.mp4` (H.264 through Debian's
ffmpeg when present, else MPEG-4 part 2 through OpenCV). Tests call `write_clip()` with their own scripts.
"""

from __future__ import annotations

import argparse
import logging
import math
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
PHOTO_NAME = "pass_hv_test4_standing_arms_down.jpg"
# The project's copy of the test photos, else the shared test data it was copied from.
SOURCE_PHOTO = next(
    (p for p in (PROJECT_ROOT / "tests" / "data" / "photos" / PHOTO_NAME,
                 Path("/work/shared/testdata/photos") / PHOTO_NAME) if p.is_file()),
    PROJECT_ROOT / "tests" / "data" / "photos" / PHOTO_NAME,
)
DEMO_PATH = HERE / "demo_person.mp4"

# (segment kind, seconds). The demo loops: empty, too close, then a long steady good stretch.
DEMO_SCRIPT: tuple[tuple[str, float], ...] = (
    ("empty", 2.5),
    ("enter", 0.6),
    ("close", 3.0),
    ("good", 10.0),
    ("leave", 0.6),
)
PASSING_SCRIPT: tuple[tuple[str, float], ...] = (("empty", 1.0), ("enter", 0.5), ("good", 9.0))
LEAVING_SCRIPT: tuple[tuple[str, float], ...] = (("good", 2.4), ("leave", 0.6), ("empty", 3.0))


def backdrop_colour(photo: np.ndarray) -> np.ndarray:
    """The median colour of the photo's outer border (BGR float)."""
    h, w = photo.shape[:2]
    b = max(4, min(h, w) // 40)
    border = np.concatenate(
        [photo[:b].reshape(-1, 3), photo[:, :b].reshape(-1, 3), photo[:, w - b:].reshape(-1, 3)]
    )
    return np.median(border, axis=0).astype(np.float32)


class Scene:
    """Renders frames of the photographed person on a letterboxed backdrop (uint8 OpenCV ops: fast)."""

    def __init__(self, photo: np.ndarray, size: tuple[int, int] = (1280, 720), seed: int = 7) -> None:
        self.width, self.height = size
        self.rng = np.random.default_rng(seed)
        self.colour = backdrop_colour(photo)
        scale = self.height / photo.shape[0]
        self.photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        ph, pw = self.photo.shape[:2]
        # Feathered alpha so the photo's own background melts into the plain letterbox colour.
        alpha = np.ones((ph, pw), np.float32)
        feather = max(8, pw // 10)
        ramp = np.linspace(0.0, 1.0, feather, dtype=np.float32)
        alpha[:, :feather] *= ramp
        alpha[:, pw - feather:] *= ramp[::-1]
        self.alpha = alpha
        backdrop = np.empty((self.height, self.width, 3), np.float32)
        backdrop[:] = self.colour
        # a gentle vertical light falloff, like a lit backdrop
        backdrop *= np.linspace(1.03, 0.97, self.height, dtype=np.float32)[:, None, None]
        self.backdrop = np.clip(backdrop, 0, 255).astype(np.uint8)
        # Sensor noise: a few pre-drawn fields (as saturating +/- uint8 pairs), shifted at random per frame.
        self._fields: list[tuple[np.ndarray, np.ndarray]] = []

    def _place(self, dx: float, dy: float, zoom: float, crop_top: float = 0.0) -> np.ndarray:
        """The backdrop with the photo scaled by `zoom` about its top-centre, shifted by (dx, dy) px."""
        ph, pw = self.photo.shape[:2]
        cx = self.width / 2 + dx
        # Affine: scale about the photo's (pw/2, crop_top*ph) point, put that point at (cx, dy).
        m = np.array([[zoom, 0, cx - zoom * pw / 2], [0, zoom, dy - zoom * crop_top * ph]], np.float32)
        size = (self.width, self.height)
        warped = cv2.warpAffine(self.photo, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        a = cv2.warpAffine(self.alpha, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        return cv2.blendLinear(warped, self.backdrop, a, 1.0 - a)

    def _noise(self, img: np.ndarray, sigma: float) -> np.ndarray:
        if not self._fields:
            shape = (self.height + 16, self.width + 16, 3)
            for _ in range(4):
                n = self.rng.normal(0.0, sigma, shape)
                self._fields.append((np.clip(n, 0, 255).astype(np.uint8), np.clip(-n, 0, 255).astype(np.uint8)))
        pos, neg = self._fields[int(self.rng.integers(len(self._fields)))]
        dy, dx = (int(v) for v in self.rng.integers(0, 16, 2))
        img = cv2.add(img, pos[dy:dy + self.height, dx:dx + self.width])
        return cv2.subtract(img, neg[dy:dy + self.height, dx:dx + self.width])

    def _finish(self, img: np.ndarray, t: float, noise: float = 2.0) -> np.ndarray:
        gain = 1.0 + 0.01 * math.sin(2 * math.pi * 0.7 * t)  # light flicker
        img = cv2.convertScaleAbs(img, alpha=gain)
        return self._noise(img, noise)

    def frame(self, kind: str, t: float, progress: float) -> np.ndarray:
        """One frame of segment `kind` at time `t` (s since the start), `progress` 0..1 in the segment."""
        sway = 4.0 * math.sin(2 * math.pi * 0.23 * t) + 1.5 * math.sin(2 * math.pi * 0.61 * t)
        bob = 2.0 * math.sin(2 * math.pi * 0.31 * t)
        breath = 1.015 + 0.006 * math.sin(2 * math.pi * 0.25 * t)  # >= 1.009: the photo always reaches the bottom
        if kind == "empty":
            img = self.backdrop
        elif kind == "good":
            img = self._place(sway, bob, breath)
        elif kind == "close":
            # head and shoulders filling the frame: 2.1x zoom about the top of the head
            img = self._place(sway * 2, -30 + bob, 2.1 * breath, crop_top=0.02)
        elif kind in ("enter", "leave"):
            off = (1.0 - progress) if kind == "enter" else progress
            img = self._place(sway + off * self.width * 0.8, bob, breath)
        else:
            raise ValueError(f"unknown segment kind {kind!r}")
        return self._finish(img, t)

    def frames(self, script: Sequence[tuple[str, float]], fps: float) -> Iterator[np.ndarray]:
        t = 0.0
        for kind, seconds in script:
            n = max(1, round(seconds * fps))
            for i in range(n):
                yield self.frame(kind, t, i / max(1, n - 1))
                t += 1.0 / fps


def load_photo(path: Path = SOURCE_PHOTO) -> np.ndarray:
    photo = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if photo is None:
        raise FileNotFoundError(f"cannot read the source photo {path}")
    return photo


def write_clip(
    path: Path,
    script: Sequence[tuple[str, float]],
    *,
    fps: float = 25.0,
    size: tuple[int, int] = (1280, 720),
    photo: Path = SOURCE_PHOTO,
    codec: str = "MJPG",
) -> Path:
    """Write `script` as a video OpenCV can read (MJPG in .avi by default: fast, no ffmpeg needed)."""
    scene = Scene(load_photo(photo), size)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), fps, size)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {codec} to {path}")
    try:
        for frame in scene.frames(script, fps):
            writer.write(frame)
    finally:
        writer.release()
    return path


def write_h264(path: Path, script: Sequence[tuple[str, float]], *, fps: float, size: tuple[int, int],
               crf: int) -> Path:
    """Encode with Debian's ffmpeg (libx264, yuv420p, +faststart) from raw frames on a pipe."""
    scene = Scene(load_photo(), size)
    cmd = [
        "ffmpeg", "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24",
        "-s", f"{size[0]}x{size[1]}", "-r", f"{fps:g}", "-i", "-",
        "-c:v", "libx264", "-preset", "slow", "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", "-an", str(path),
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for frame in scene.frames(script, fps):
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("ffmpeg failed to encode the demo video")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="rebuild the bundled demo video")
    parser.add_argument("--out", type=Path, default=DEMO_PATH)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--crf", type=int, default=27)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if shutil.which("ffmpeg"):
        write_h264(args.out, DEMO_SCRIPT, fps=args.fps, size=(1280, 720), crf=args.crf)
    else:
        log.warning("no ffmpeg: writing MPEG-4 part 2 through OpenCV (larger file)")
        write_clip(args.out, DEMO_SCRIPT, fps=args.fps, codec="mp4v")
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
