"""The camera interface every frame source implements.

A backend only produces frames: `open()` acquires the device or file, `read()` returns the next BGR frame
(HxWx3 uint8) or None when the source failed to deliver one, `close()` releases it. Sources that replay
recorded material (video files, image folders) pace themselves like a live camera, so the rest of the
kiosk cannot tell them apart from a webcam. Threading is the grabber's job (`capture.grabber`).
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CameraMessage:
    """What went wrong, in Chinese then English (capture/ imports nothing of the kiosk's, so not kiosk.text)."""

    zh: str
    en: str

    def both(self) -> str:
        return f"{self.zh} / {self.en}"

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class CameraError(Exception):
    """A camera could not be opened or has failed: a reason code (`code`) and a bilingual message (`text`)."""

    status = 503  # what a web page answers when a camera it needs fails

    def __init__(self, code: str, en: str, zh: str = "摄像头无法打开") -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.text = CameraMessage(zh, en)


class Camera(abc.ABC):
    """One frame source. Not thread-safe: a single grabber thread calls `read()`."""

    #: backend name shown on the pages ("device", "url", "video", "folder", ...)
    kind: str = "camera"

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self._frame_size: tuple[int, int] | None = None

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """(width, height) of the frames, once known (after `open()` or the first frame)."""
        return self._frame_size

    @property
    def label(self) -> str:
        """A short human-readable description for logs and the counter page."""
        return f"{self.kind}:{self.spec}"

    @property
    @abc.abstractmethod
    def is_open(self) -> bool:
        """True between a successful `open()` and `close()`."""

    @abc.abstractmethod
    def open(self) -> None:
        """Acquire the source. Raises CameraError when it cannot be opened."""

    @abc.abstractmethod
    def read(self) -> np.ndarray | None:
        """The next frame (BGR uint8), waiting for it if needed; None if the source failed to deliver."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the source; safe to call twice and on a camera that never opened."""

    def _note_size(self, frame: np.ndarray) -> None:
        h, w = frame.shape[:2]
        if self._frame_size != (w, h):
            self._frame_size = (w, h)
            log.info("%s delivers %dx%d frames", self.label, w, h)

    def __enter__(self) -> Camera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
