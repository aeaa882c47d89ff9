"""Fakes for booth tests: a camera whose frames carry a number, and a judge that reads it."""

from __future__ import annotations

import threading
import time

import numpy as np

from capture.base import Camera
from kiosk.photo.result import FAIL, PASS, CheckResult, Verdict
from kiosk.text import Text

GLASSES = Text("请摘下眼镜", "Please take off your glasses")
PERSON = Text("请站到镜头前", "Please stand in front of the camera")


class SignalCamera(Camera):
    """Delivers 1280x720 frames every `interval` s whose pixel [0, 0, 0] is `self.value` (settable live)."""

    kind = "fake"

    def __init__(self, value: int = 0, interval: float = 0.02, size: tuple[int, int] = (1280, 720)) -> None:
        super().__init__("signal")
        self.value = value
        self.interval = interval
        self.size = size
        self._open = False
        self.frozen = threading.Event()

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self._open = True
        self._frame_size = self.size

    def read(self) -> np.ndarray | None:
        time.sleep(self.interval)
        if not self._open or self.frozen.is_set():
            return None
        frame = np.full((self.size[1], self.size[0], 3), 128, np.uint8)
        frame[:8, :8] = self.value
        frame[:, : self.size[0] // 8] = (0, 0, 255)  # red stripe on the left: tells mirrored from not
        frame[:8, :8] = self.value
        return frame

    def close(self) -> None:
        self._open = False


class SignalJudge:
    """Passes when the frame's signal pixel is 200 or more; 1..199 means glasses; 0 means nobody."""

    def __init__(self) -> None:
        self.thread = threading.current_thread().name
        self.calls = 0

    def judge(self, frame: np.ndarray) -> Verdict:
        self.calls += 1
        value = int(frame[0, 0, 0])
        person = CheckResult("person_present", PASS if value else FAIL, value=float(value), threshold=1.0,
                             reason="ok" if value else "no_person", message=PERSON)
        glasses = CheckResult("glasses", PASS if value >= 200 else FAIL, value=float(value), threshold=200.0,
                              reason="ok" if value >= 200 else "glasses", message=GLASSES)
        return Verdict((person, glasses), overlay={"pose": None, "face_box": None, "outline": None,
                                                  "signal": value})
