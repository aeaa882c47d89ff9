"""A folder of still images shown in turn, each held for a while like a person standing still."""

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

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


class ImageFolderCamera(Camera):
    """Cycles through the images of a folder (sorted by name) at `fps`, holding each for `hold` seconds.

    Every image is decoded once when first shown; unreadable files are skipped with a warning. A folder
    without any readable image cannot be opened.
    """

    kind = "folder"

    def __init__(
        self,
        spec: str,
        *,
        fps: float = 25.0,
        hold: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(spec)
        self.path = Path(spec)
        self.fps = fps
        self.frames_per_image = max(1, round(hold * fps))
        self._clock = clock
        self._sleep = sleep
        self._files: list[Path] = []
        self._index = 0
        self._shown = 0
        self._current: np.ndarray | None = None
        self._pacer: Pacer | None = None

    @property
    def is_open(self) -> bool:
        return self._pacer is not None

    def open(self) -> None:
        if not self.path.is_dir():
            raise CameraError("folder_not_found", f"no image folder at {self.path}")
        self._files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise CameraError("folder_empty", f"no images ({', '.join(IMAGE_SUFFIXES)}) in {self.path}")
        self._index = 0
        self._shown = 0
        self._current = None
        self._pacer = Pacer(self.fps, clock=self._clock, sleep=self._sleep)
        log.info("opened image folder %s (%d images)", self.path, len(self._files))

    def _load_next(self) -> np.ndarray | None:
        for _ in range(len(self._files)):
            path = self._files[self._index % len(self._files)]
            self._index += 1
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None:
                return image
            log.warning("skipping unreadable image %s", path)
        return None

    def read(self) -> np.ndarray | None:
        if self._pacer is None:
            return None
        if self._current is None or self._shown >= self.frames_per_image:
            self._current = self._load_next()
            self._shown = 0
            if self._current is None:
                return None
        self._shown += 1
        self._pacer.wait()
        self._note_size(self._current)
        return self._current.copy()

    def close(self) -> None:
        self._pacer = None
        self._current = None
