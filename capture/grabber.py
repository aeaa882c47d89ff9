"""One reader thread per camera that keeps only the newest frame.

Consumers (the judge worker, preview streams) always take the newest frame; nothing queues, so a slow
consumer simply skips frames and latency stays flat. The grabber watches its camera: when no frame has
arrived for `stall_after` seconds the health turns "stalled" (the pages show it within 2 s), and after
`reopen_after` seconds without frames (or when the camera reports a failure for that long) it closes and
reopens the camera, retrying every `retry_delay` seconds until it delivers again.

Frames are shared between threads and marked read-only; copy before drawing on one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from capture.base import Camera, CameraError

log = logging.getLogger(__name__)

OK = "ok"
STARTING = "starting"
STALLED = "stalled"
REOPENING = "reopening"
STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class Grab:
    """One frame as grabbed: the pixels, a sequence number (1, 2, ...) and when it arrived.

    `grabbed_at` is wall-clock time (seconds since the epoch, comparable with a browser's Date.now()/1000
    on the same machine); `mono` is the monotonic clock used for ages and timeouts.
    """

    frame: np.ndarray
    seq: int
    grabbed_at: float
    mono: float


class FrameGrabber:
    """Reads `camera` on a background thread; `latest()` / `wait_newer()` hand out the newest frame."""

    def __init__(
        self,
        camera: Camera,
        *,
        stall_after: float = 1.0,
        reopen_after: float = 2.0,
        retry_delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.camera = camera
        self.stall_after = stall_after
        self.reopen_after = reopen_after
        self.retry_delay = retry_delay
        self._clock = clock
        self._wall = wall
        self._cond = threading.Condition()
        self._latest: Grab | None = None
        self._seq = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._opened = False
        self._reopening = False
        self._started_at = clock()
        self._last_ok = clock()  # last frame (or open) time, for stall detection
        self._recent: deque[float] = deque(maxlen=64)
        self.reopens = 0
        self.last_error: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FrameGrabber:
        """Start the reader thread (the camera may be opened already or not)."""
        if self._thread is not None:
            return self
        self._stop.clear()
        self._started_at = self._last_ok = self._clock()
        self._thread = threading.Thread(target=self._run, name=f"grabber {self.camera.label}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        """Stop the thread and close the camera."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.camera.close()
        self._opened = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> FrameGrabber:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- consumers ---------------------------------------------------------------------------------

    def latest(self, timeout: float = 2.0) -> Grab:
        """The newest frame if it is fresher than `timeout` seconds, else wait up to `timeout` for one.

        Raises TimeoutError("no frame for 2 s") when the camera delivered nothing in that time.
        """
        deadline = self._clock() + timeout
        with self._cond:
            while True:
                grab = self._latest
                now = self._clock()
                if grab is not None and now - grab.mono <= timeout:
                    return grab
                if now >= deadline or self._stop.is_set():
                    raise TimeoutError(f"no frame for {timeout:g} s")
                self._cond.wait(min(0.1, deadline - now))

    def wait_newer(self, after_seq: int, timeout: float = 2.0) -> Grab:
        """The newest frame with seq > `after_seq`, waiting up to `timeout` s. Raises TimeoutError."""
        deadline = self._clock() + timeout
        with self._cond:
            while True:
                grab = self._latest
                if grab is not None and grab.seq > after_seq:
                    return grab
                now = self._clock()
                if now >= deadline or self._stop.is_set():
                    raise TimeoutError(f"no frame for {timeout:g} s")
                self._cond.wait(min(0.1, deadline - now))

    @property
    def seq(self) -> int:
        return self._seq

    @property
    def health(self) -> str:
        """"ok", "starting", "stalled", "reopening" or "stopped"."""
        if self._stop.is_set() or self._thread is None:
            return STOPPED
        if self._reopening:
            return REOPENING
        now = self._clock()
        if self._latest is None:
            return STARTING if now - self._started_at <= self.stall_after else STALLED
        return STALLED if now - self._latest.mono > self.stall_after else OK

    def fps(self) -> float:
        """Frames per second delivered over the last ~2 seconds."""
        now = self._clock()
        times = [t for t in list(self._recent) if now - t <= 2.0]
        if len(times) < 2:
            return 0.0
        span = times[-1] - times[0]
        return (len(times) - 1) / span if span > 0 else 0.0

    def status(self) -> dict[str, Any]:
        """A JSON-able summary for the pages."""
        latest = self._latest
        age = None if latest is None else max(0.0, self._clock() - latest.mono)
        return {
            "health": self.health,
            "source": self.camera.label,
            "seq": self._seq,
            "fps": round(self.fps(), 1),
            "frame_size": list(self.camera.frame_size) if self.camera.frame_size else None,
            "frame_age": None if age is None else round(age, 3),
            "reopens": self.reopens,
            "error": self.last_error,
        }

    # -- the reader thread -------------------------------------------------------------------------

    def _publish(self, frame: np.ndarray) -> None:
        frame.flags.writeable = False
        now = self._clock()
        with self._cond:
            self._seq += 1
            self._latest = Grab(frame=frame, seq=self._seq, grabbed_at=self._wall(), mono=now)
            self._last_ok = now
            self._recent.append(now)
            self._cond.notify_all()

    def _try_open(self) -> bool:
        try:
            self.camera.open()
        except CameraError as exc:
            self.last_error = exc.code
            log.warning("cannot open %s: %s", self.camera.label, exc)
            return False
        except Exception as exc:  # a backend bug must not kill the thread
            self.last_error = type(exc).__name__
            log.exception("opening %s failed", self.camera.label)
            return False
        return True

    def _run(self) -> None:
        # A camera handed over already opened (open_source opens it) is used as is.
        self._opened = self.camera.is_open
        while not self._stop.is_set():
            if not self._opened:
                self._reopening = True
                if self._try_open():
                    self._opened = True
                    self._reopening = False
                    self._last_ok = self._clock()
                    if self._seq or self.last_error:
                        self.reopens += 1
                        log.info("reopened %s", self.camera.label)
                else:
                    self._stop.wait(self.retry_delay)
                continue
            try:
                frame = self.camera.read()
            except Exception as exc:
                log.warning("reading %s failed: %s", self.camera.label, exc)
                self.last_error = type(exc).__name__
                frame = None
            if frame is not None:
                self.last_error = None
                self._publish(frame)
                continue
            if self._clock() - self._last_ok > self.reopen_after:
                log.warning("%s delivered no frame for %.1f s: reopening", self.camera.label, self.reopen_after)
                self.last_error = self.last_error or "no_frames"
                self.camera.close()
                self._opened = False
                self._reopening = True
            else:
                self._stop.wait(0.02)
        self._reopening = False
