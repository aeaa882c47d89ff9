"""A video file replayed in a loop at its own frame rate: the demo and the tests' "camera"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from capture.base import Camera, CameraError
from capture.pacing import Pacer

log = logging.getLogger(__name__)

DEFAULT_FPS = 25.0


class VideoFileCamera(Camera):
    """Plays `path` forever (rewinding at the end), paced at the file's frame rate (or `fps`)."""

    kind = "video"

    def __init__(
        self,
        spec: str,
        *,
        fps: float | None = None,
        loop: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(spec)
        self.path = Path(spec)
        self.loop = loop
        self._fps_override = fps
        self._clock = clock
        self._sleep = sleep
        self._cap: cv2.VideoCapture | None = None
        self._pacer: Pacer | None = None
        self.fps: float = fps or DEFAULT_FPS
        self.loops = 0  # how many times the file was rewound

    @property
    def is_open(self) -> bool:
        return self._cap is not None

    def open(self) -> None:
        if not self.path.is_file():
            raise CameraError("video_not_found", f"no video file at {self.path}")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise CameraError("video_unreadable", f"OpenCV cannot read {self.path}")
        file_fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = self._fps_override or (file_fps if 1.0 <= file_fps <= 240.0 else DEFAULT_FPS)
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w > 0 and h > 0:
            self._frame_size = (w, h)
        self._cap = cap
        self._pacer = Pacer(self.fps, clock=self._clock, sleep=self._sleep)
        log.info("opened video %s (%dx%d at %.2f fps)", self.path, w, h, self.fps)

    def read(self) -> np.ndarray | None:
        if self._cap is None or self._pacer is None:
            return None
        ok, frame = self._cap.read()
        if not ok or frame is None:
            if not self.loop:
                return None
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self.loops += 1
            ok, frame = self._cap.read()
            if not ok or frame is None:
                log.warning("video %s delivered no frame after rewinding", self.path)
                return None
        self._pacer.wait()
        self._note_size(frame)
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._pacer = None
