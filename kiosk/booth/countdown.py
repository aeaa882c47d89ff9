"""Stable frames, then a visible countdown, then capture: a pure state machine fed (passed, now).

idle --all checks pass--> steady --held `steady_seconds`--> countdown (3, 2, 1) --> capture
  ^                           |                                 |
  +------ any failing frame --+---------------------------------+

The machine never reads a clock itself: callers pass `now` (monotonic seconds), so tests drive it with a
fake clock. `capture` is reported exactly once; the machine then starts over from idle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    IDLE = "idle"  # a check is failing (or nothing judged yet)
    STEADY = "steady"  # every check passes; waiting until they have held long enough
    COUNTDOWN = "countdown"  # the visible 3-2-1
    CAPTURE = "capture"  # take the photo now, from the frame just judged


@dataclass(frozen=True, slots=True)
class Tick:
    """What the machine says after one frame."""

    phase: Phase
    steady_for: float = 0.0  # seconds every check has passed without a break
    remaining: int | None = None  # countdown number to show (3, 2, 1) during COUNTDOWN
    progress: float = 0.0  # 0..1 through the steady wait (STEADY) or the countdown (COUNTDOWN)
    interrupted: bool = False  # a running countdown was stopped by this frame

    def as_dict(self) -> dict[str, object]:
        return {
            "phase": self.phase.value,
            "steady_for": round(self.steady_for, 3),
            "remaining": self.remaining,
            "progress": round(self.progress, 3),
            "interrupted": self.interrupted,
        }


class StabilityCountdown:
    """Feeds on one verdict per judged frame; see the module docstring."""

    def __init__(self, steady_seconds: float = 1.0, countdown_seconds: int = 3) -> None:
        if steady_seconds < 0 or countdown_seconds < 1:
            raise ValueError("steady_seconds must be >= 0 and countdown_seconds >= 1")
        self.steady_seconds = steady_seconds
        self.countdown_seconds = countdown_seconds
        self._since: float | None = None  # when the current run of passing frames began
        self._phase = Phase.IDLE

    @property
    def phase(self) -> Phase:
        return self._phase

    def reset(self) -> None:
        """Back to idle (a failing frame, a camera stall, staff asking for a retake)."""
        self._since = None
        self._phase = Phase.IDLE

    def update(self, passed: bool, now: float) -> Tick:
        """Advance with one judged frame: `passed` is the frame's verdict, `now` its time in seconds."""
        if not passed:
            interrupted = self._phase is Phase.COUNTDOWN
            self.reset()
            return Tick(Phase.IDLE, interrupted=interrupted)
        if self._since is None:
            self._since = now
        held = max(0.0, now - self._since)
        if held < self.steady_seconds:
            self._phase = Phase.STEADY
            progress = held / self.steady_seconds if self.steady_seconds else 1.0
            return Tick(Phase.STEADY, steady_for=held, progress=progress)
        counted = held - self.steady_seconds
        if counted < self.countdown_seconds:
            self._phase = Phase.COUNTDOWN
            remaining = max(1, math.ceil(self.countdown_seconds - counted - 1e-9))
            return Tick(Phase.COUNTDOWN, steady_for=held, remaining=remaining,
                        progress=counted / self.countdown_seconds)
        self.reset()
        return Tick(Phase.CAPTURE, steady_for=held, progress=1.0)
