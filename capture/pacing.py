"""Deliver recorded frames at a fixed rate, like a live camera would."""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    """Sleeps so that successive `wait()` calls return `1/fps` apart on average.

    If the caller falls behind by more than one frame (slow consumer), the schedule restarts from now
    instead of bursting to catch up: a live camera drops frames, it does not deliver them late in a rush.
    """

    def __init__(
        self,
        fps: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not fps > 0:
            raise ValueError(f"fps must be positive, not {fps!r}")
        self.interval = 1.0 / fps
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._next is None:
            self._next = now + self.interval
            return
        delay = self._next - now
        if delay > 0:
            self._sleep(delay)
            self._next += self.interval
        elif -delay > self.interval:
            self._next = now + self.interval  # fell behind: restart the schedule, never burst
        else:
            self._next += self.interval

    def reset(self) -> None:
        self._next = None
