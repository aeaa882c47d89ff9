"""The grabber thread: newest frame only, timeouts, stall detection and automatic reopen."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from capture.base import Camera, CameraError
from capture.grabber import OK, STALLED, FrameGrabber


class ScriptedCamera(Camera):
    """Delivers numbered frames every `interval` s; `stall()` makes read() fail until reopened."""

    kind = "fake"

    def __init__(self, interval: float = 0.005, fail_opens: int = 0) -> None:
        super().__init__("scripted")
        self.interval = interval
        self.counter = 0
        self.opens = 0
        self.closes = 0
        self.fail_opens = fail_opens
        self._open = False
        self.stalled = threading.Event()

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        self.opens += 1
        if self.fail_opens > 0:
            self.fail_opens -= 1
            raise CameraError("device_unavailable", "scripted failure")
        self._open = True
        self.stalled.clear()

    def read(self) -> np.ndarray | None:
        time.sleep(self.interval)
        if not self._open or self.stalled.is_set():
            return None
        self.counter += 1
        return np.full((4, 4, 3), self.counter % 256, np.uint8)

    def close(self) -> None:
        self.closes += 1
        self._open = False


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_latest_is_always_the_newest_and_nothing_queues() -> None:
    cam = ScriptedCamera()
    with FrameGrabber(cam) as grabber:
        first = grabber.latest()
        time.sleep(0.1)  # a slow consumer
        later = grabber.latest()
        assert later.seq > first.seq + 3  # skipped the frames in between
        assert later.seq == grabber.seq or later.seq >= grabber.seq - 1
        newer = grabber.wait_newer(later.seq)
        assert newer.seq > later.seq
        assert not newer.frame.flags.writeable  # shared frames are read-only
        assert grabber.health == OK
        assert grabber.status()["fps"] > 0


def test_latest_times_out_when_nothing_arrives() -> None:
    cam = ScriptedCamera()
    cam.open()
    cam.stalled.set()
    grabber = FrameGrabber(cam, reopen_after=60.0)
    with grabber:
        with pytest.raises(TimeoutError, match="no frame for 0.3 s"):
            grabber.latest(timeout=0.3)
        with pytest.raises(TimeoutError):
            grabber.wait_newer(0, timeout=0.2)


def test_a_stalled_camera_is_reported_and_reopened() -> None:
    cam = ScriptedCamera()
    cam.open()
    grabber = FrameGrabber(cam, stall_after=0.2, reopen_after=0.4, retry_delay=0.05)
    with grabber:
        grabber.latest()
        cam.stalled.set()
        assert wait_for(lambda: grabber.health == STALLED or cam.closes > 0)
        assert wait_for(lambda: cam.closes >= 1)  # closed and reopened by the grabber
        assert wait_for(lambda: grabber.health == OK)
        seq = grabber.seq
        assert grabber.wait_newer(seq).seq > seq
        assert grabber.reopens >= 1


def test_reopen_retries_until_the_camera_comes_back() -> None:
    cam = ScriptedCamera(fail_opens=3)  # never opened: the grabber opens it, failing 3 times first
    grabber = FrameGrabber(cam, retry_delay=0.02)
    with grabber:
        grab = grabber.latest(timeout=3.0)
        assert grab.seq >= 1
    assert cam.opens == 4
    assert grabber.health == "stopped"
