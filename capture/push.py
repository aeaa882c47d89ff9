"""A camera fed from outside: frames pushed in (the booth page's own camera on a tablet, via the browser).

`push(frame)` keeps only the newest frame; `read()` returns each pushed frame once, waiting up to
`wait` seconds for the next one (None after that, so the grabber reports the stall and reopens).
"""

from __future__ import annotations

import threading

import numpy as np

from capture.base import Camera


class PushCamera(Camera):
    """Frames arrive through `push()` from request threads; the grabber thread reads them."""

    kind = "browser"

    def __init__(self, spec: str = "", *, wait: float = 0.5) -> None:
        super().__init__(spec or "browser")
        self.wait = wait
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._open = False
        self.pushed = 0

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self._open = True

    def push(self, frame: np.ndarray) -> None:
        """Offer a new frame (BGR uint8); an unread older one is dropped."""
        with self._cond:
            self._frame = frame
            self.pushed += 1
            self._note_size(frame)
            self._cond.notify_all()

    def read(self) -> np.ndarray | None:
        with self._cond:
            if self._frame is None:
                self._cond.wait(self.wait)
            frame, self._frame = self._frame, None
            return frame if self._open else None

    def close(self) -> None:
        with self._cond:
            self._open = False
            self._frame = None
            self._cond.notify_all()
