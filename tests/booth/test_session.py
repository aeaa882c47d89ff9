"""The booth worker with a fake camera and judge: countdown, capture of the exact frame, retake, manual."""

from __future__ import annotations

import time

import pytest

from kiosk.booth.live import BoothPhase
from kiosk.booth.session import BoothSession, Capture
from kiosk.text import KioskError, Text
from tests.booth.fakes import SignalCamera, SignalJudge
from tests.conftest import wait_for

CAPTURED, NO_CAMERA, PAUSED, WAITING = BoothPhase.CAPTURED, BoothPhase.NO_CAMERA, BoothPhase.PAUSED, BoothPhase.WAITING


def live(session: BoothSession) -> dict:
    """The session's live state as the pages' scripts get it (BoothState.as_dict())."""
    return session.state().as_dict()


class Recorder:
    def __init__(self) -> None:
        self.captures: list[Capture] = []

    def __call__(self, capture: Capture) -> int:
        self.captures.append(capture)
        return len(self.captures)


@pytest.fixture
def rig():
    camera = SignalCamera()
    judges: list[SignalJudge] = []
    recorder = Recorder()

    def judge_factory() -> SignalJudge:
        judges.append(SignalJudge())
        return judges[-1]

    session = BoothSession(lambda: camera, judge_factory, recorder, steady_seconds=0.2, countdown_seconds=1)
    yield session, camera, recorder, judges
    session.stop()


def test_passing_frames_count_down_and_capture_the_judged_frame(rig) -> None:
    session, camera, recorder, judges = rig
    camera.value = 250
    session.bind(7)
    phases = set()
    assert wait_for(lambda: phases.add(live(session)["phase"]) or recorder.captures)
    assert {"steady", "countdown"} <= phases
    capture = recorder.captures[0]
    assert capture.case_id == 7 and capture.trigger == "auto"
    assert int(capture.frame[0, 0, 0]) == 250 and capture.verdict.passed
    assert capture.verdict_dict["passed"] is True
    assert capture.frame.shape == (720, 1280, 3) and capture.frame[300, 10, 2] == 255  # full size, unmirrored
    assert judges[0].thread == "booth worker"  # the judge lives in the worker thread
    assert wait_for(lambda: live(session)["phase"] == CAPTURED)
    assert live(session)["last_capture"]["attempt_id"] == 1
    time.sleep(1.5)
    assert len(recorder.captures) == 1  # disarmed until staff ask for a retake


def test_failing_frames_never_capture_and_show_the_first_failure(rig) -> None:
    session, camera, recorder, _ = rig
    camera.value = 120  # glasses
    session.bind(7)
    assert wait_for(lambda: (live(session).get("verdict") or {}).get("first_failure") == "glasses")
    state = live(session)
    assert state["phase"] == "idle"
    assert state["verdict"]["message"]["zh"] == "请摘下眼镜"
    time.sleep(1.6)
    assert recorder.captures == []


def test_a_break_during_the_countdown_stops_it(rig) -> None:
    session, camera, recorder, _ = rig
    camera.value = 250
    session.bind(7)
    assert wait_for(lambda: live(session)["phase"] == "countdown")
    camera.value = 0  # the person leaves
    assert wait_for(lambda: live(session)["phase"] == "idle")
    assert live(session)["countdown"]["phase"] == "idle"
    time.sleep(1.5)
    assert recorder.captures == []


def test_retake_arms_again_and_manual_takes_a_failing_frame(rig) -> None:
    session, camera, recorder, _ = rig
    camera.value = 250
    session.bind(7)
    assert wait_for(lambda: len(recorder.captures) == 1)
    session.arm(7)
    assert wait_for(lambda: len(recorder.captures) == 2)
    camera.value = 120
    session.request_manual(7)
    assert wait_for(lambda: len(recorder.captures) == 3)
    manual = recorder.captures[2]
    assert manual.trigger == "manual" and not manual.verdict.passed


def test_unbound_booth_waits_and_never_captures(rig) -> None:
    session, camera, recorder, _ = rig
    camera.value = 250
    session.touch()
    assert wait_for(lambda: live(session)["phase"] == WAITING and live(session)["verdict"])
    time.sleep(1.5)
    assert recorder.captures == []
    session.bind(3)
    session.unbind(3)
    assert session.case_id is None


def test_camera_stall_is_reported_and_resets_the_countdown(rig) -> None:
    session, camera, recorder, _ = rig
    camera.value = 250
    session.bind(7)
    assert wait_for(lambda: live(session)["phase"] == "countdown")
    camera.frozen.set()
    assert wait_for(lambda: live(session)["camera"]["health"] in ("stalled", "reopening"), timeout=2.0)
    assert live(session)["phase"] == NO_CAMERA
    camera.frozen.clear()
    assert wait_for(lambda: len(recorder.captures) == 1)  # recovers, counts down again from the start


def test_storage_failure_is_shown_and_disarms() -> None:
    camera = SignalCamera(value=250)

    def broken(capture: Capture) -> int:
        raise KioskError("disk_full", Text("存储空间已满", "The storage is full"), status=507)

    session = BoothSession(lambda: camera, SignalJudge, broken, steady_seconds=0.1, countdown_seconds=1)
    try:
        session.bind(1)
        assert wait_for(lambda: live(session)["error"] is not None)
        assert live(session)["error"]["code"] == "disk_full"
        assert not session.armed
    finally:
        session.stop()


def test_no_camera_and_idle_pause() -> None:
    def no_camera():
        raise KioskError("camera_source_unknown", Text("无法识别", "unknown"))

    session = BoothSession(no_camera, SignalJudge, Recorder(), idle_after=0.3)
    try:
        session.touch()
        assert wait_for(lambda: live(session)["phase"] == NO_CAMERA)
        assert live(session)["camera"]["error"]["code"] == "camera_source_unknown"
        assert wait_for(lambda: live(session)["phase"] == PAUSED, timeout=5)
    finally:
        session.stop()


def test_camera_is_released_when_nobody_watches_and_comes_back() -> None:
    camera = SignalCamera(value=250)
    session = BoothSession(lambda: camera, SignalJudge, Recorder(), idle_after=0.2, release_after=0.5)
    try:
        session.touch()
        assert wait_for(lambda: session.grabber is not None and live(session)["verdict"])
        assert wait_for(lambda: session.grabber is None, timeout=5)  # released
        assert not camera.is_open
        session.touch()  # a viewer again (keeps touching, as the pages' streams do)
        assert wait_for(lambda: session.touch() or (session.grabber is not None
                                                   and live(session)["phase"] == WAITING))
        assert camera.is_open
    finally:
        session.stop()
