"""The stable-frames-then-countdown logic, driven by a fake clock."""

from __future__ import annotations

import pytest

from kiosk.booth.countdown import Phase, StabilityCountdown


def run(machine: StabilityCountdown, frames: list[tuple[float, bool]]) -> list:
    return [machine.update(passed, t) for t, passed in frames]


def frames_at(fps: float, start: float, seconds: float, passed: bool = True) -> list[tuple[float, bool]]:
    n = round(seconds * fps)
    return [(start + i / fps, passed) for i in range(n)]


def test_idle_until_checks_pass() -> None:
    m = StabilityCountdown()
    ticks = run(m, frames_at(10, 0.0, 2.0, passed=False))
    assert {t.phase for t in ticks} == {Phase.IDLE}


def test_steady_then_countdown_then_capture_exactly_once() -> None:
    m = StabilityCountdown(steady_seconds=1.0, countdown_seconds=3)
    ticks = run(m, frames_at(10, 0.0, 4.2))
    phases = [t.phase for t in ticks]
    assert phases[:10] == [Phase.STEADY] * 10  # 0.0 .. 0.9 s
    assert phases[10] == Phase.COUNTDOWN  # held 1.0 s
    assert [t.remaining for t in ticks[10:40]] == [3] * 10 + [2] * 10 + [1] * 10
    assert phases[40] == Phase.CAPTURE  # held 4.0 s
    assert phases.count(Phase.CAPTURE) == 1
    # after capturing, the machine starts over
    assert phases[41] == Phase.STEADY
    assert ticks[5].progress == pytest.approx(0.5)


def test_a_failing_frame_during_the_countdown_stops_it() -> None:
    m = StabilityCountdown()
    ticks = run(m, frames_at(10, 0.0, 2.5))
    assert ticks[-1].phase == Phase.COUNTDOWN
    stop = m.update(False, 2.5)
    assert stop.phase == Phase.IDLE and stop.interrupted
    # passing again must wait the full steady second and the full countdown again
    ticks = run(m, frames_at(10, 2.6, 3.9))
    assert Phase.CAPTURE not in [t.phase for t in ticks]
    assert m.update(True, 2.6 + 4.01).phase == Phase.CAPTURE


def test_one_failing_frame_in_the_steady_wait_resets_it() -> None:
    m = StabilityCountdown()
    run(m, frames_at(10, 0.0, 0.8))
    tick = m.update(False, 0.8)
    assert tick.phase == Phase.IDLE and not tick.interrupted
    assert m.update(True, 0.9).steady_for == 0.0


def test_slow_frames_still_count_real_time() -> None:
    """With 2 verdicts a second the timing follows the clock, not the number of frames."""
    m = StabilityCountdown()
    ticks = run(m, frames_at(2, 0.0, 4.5))
    assert [t.phase for t in ticks] == [Phase.STEADY, Phase.STEADY] + [Phase.COUNTDOWN] * 6 + [Phase.CAPTURE]


def test_reset_and_bad_arguments() -> None:
    m = StabilityCountdown()
    run(m, frames_at(10, 0.0, 2.0))
    m.reset()
    assert m.phase == Phase.IDLE
    assert m.update(True, 10.0).phase == Phase.STEADY
    with pytest.raises(ValueError):
        StabilityCountdown(countdown_seconds=0)
