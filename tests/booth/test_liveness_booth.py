"""The booth with liveness on: a scripted applicant (face measures made from a synthetic 3-D head, driven by the
instruction the booth shows) and the fake signal camera. No photo before the test passed or staff skipped it."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import numpy as np
import pytest

from kiosk.booth.live import BoothPhase
from kiosk.booth.session import BoothSession
from kiosk.liveness import Challenge, LivenessConfig, LivenessSession
from kiosk.liveness.measures import FaceMeasures
from kiosk.text import KioskError
from tests.booth.fakes import SignalCamera, SignalJudge
from tests.booth.test_session import Recorder
from tests.conftest import wait_for

HEAD = np.column_stack([np.random.default_rng(0).uniform(-60, 60, 34), np.random.default_rng(1).uniform(-80, 80, 34),
                        np.random.default_rng(2).uniform(-40, 40, 34)])  # a head's 34 landmarks in 3-D


def face(t: float, *, yaw: float = 0.0, ear: float = 0.3, mar: float = 0.1) -> FaceMeasures:
    """A frontal face (or turned by `yaw` degrees: the 3-D points rotate, so the depth cue sees a head)."""
    a = math.radians(yaw)
    rot = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    return FaceMeasures(t, True, ear=ear, mar=mar, yaw=yaw, iod=60.0, aspect=2.0, centre=(640.0, 330.0),
                        shape=HEAD @ rot.T + np.array([640, 360, 0]))


def acting(challenge: Challenge, u: float, t: float) -> FaceMeasures:
    """The asked action `u` (0..1) of the way through."""
    if challenge in (Challenge.TURN_LEFT, Challenge.TURN_RIGHT):
        return face(t, yaw=(-1 if challenge == Challenge.TURN_LEFT else 1) * 25 * math.sin(math.pi * u))
    if challenge == Challenge.BLINK:
        return face(t, ear=0.08 if 0.4 < u < 0.55 else 0.3)
    return face(t, mar=0.9 if 0.2 < u < 0.8 else 0.1)


class Applicant:
    """The booth's `measure_frame`: no face while the signal is 0; otherwise a calm face, and, when
    `cooperative`, the action the booth asks for (over 1.2 s of frames, after 0.3 s to read it)."""

    def __init__(self, cooperative: bool) -> None:
        self.cooperative = cooperative
        self.booth: BoothSession | None = None
        self.asked: tuple[Challenge, float] | None = None
        self.instructions: list[dict] = []

    def __call__(self, obs: SimpleNamespace, t: float) -> tuple[FaceMeasures, bool]:
        if not obs.value:
            return FaceMeasures(t, False), False
        step = self.booth._liveness_step if self.booth is not None else None
        challenge = step.challenge if step is not None else None
        if challenge is None or not self.cooperative:
            self.asked = None
            return face(t), False
        if self.asked is None or self.asked[0] != challenge:
            self.asked = (challenge, t)
        u = (t - self.asked[1] - 0.3) / 1.2
        return (acting(challenge, u, t) if 0 <= u <= 1 else face(t)), False


class ObservingJudge(SignalJudge):
    """The signal judge as an observing judge: the observation is the frame's signal value."""

    def observe(self, frame: np.ndarray) -> SimpleNamespace:
        return SimpleNamespace(value=int(frame[0, 0, 0]), frame=frame)

    def judge_observation(self, obs: SimpleNamespace):
        return self.judge(obs.frame)


def make_booth(applicant: Applicant, **config) -> tuple[BoothSession, SignalCamera, Recorder]:
    camera, recorder = SignalCamera(value=250), Recorder()
    cfg = LivenessConfig(**config)
    booth = BoothSession(lambda: camera, ObservingJudge, recorder, steady_seconds=0.2, countdown_seconds=1,
                         liveness=lambda: LivenessSession(cfg, rng=random.Random(3)), measure_frame=applicant)
    applicant.booth = booth
    return booth, camera, recorder


@pytest.fixture
def stop():
    booths: list[BoothSession] = []
    yield booths.append
    for booth in booths:
        booth.stop()


def screen(booth: BoothSession, case_id: int = 7) -> dict:
    return booth.state().for_screen(case_id).as_dict()


def test_a_cooperative_applicant_passes_then_the_photo_is_taken(stop) -> None:
    applicant = Applicant(cooperative=True)
    booth, camera, recorder = make_booth(applicant)
    stop(booth)
    booth.bind(7)
    seen: list[dict] = []
    assert wait_for(lambda: seen.append(screen(booth)) or recorder.captures, timeout=15)
    asked = [s["liveness"] for s in seen if s.get("liveness") and s["liveness"]["challenge"]]
    assert asked, "the booth screen showed no challenge"
    assert {a["challenge"] for a in asked} == {str(c) for c in booth._liveness.plan}
    assert all(s["phase"] == BoothPhase.LIVENESS for s in seen if s.get("liveness"))
    first = next(s for s in seen if s.get("liveness") and s["liveness"]["challenge"])
    assert first["instruction"] == first["liveness"]["instruction"]  # the one line, zh and en
    assert set(first["instruction"]) == {"zh", "en"} and first["liveness"]["total"] == 2
    assert not any(s["phase"] in ("steady", "countdown") for s in seen[:seen.index(first)])
    capture = recorder.captures[0]
    assert capture.liveness is not None and capture.liveness["outcome"] == "passed"
    assert len(capture.liveness["challenges"]) == 2 and capture.liveness["challenge_s"] > 0


def test_a_still_face_fails_in_time_and_nothing_is_taken_until_staff_skip(stop) -> None:
    applicant = Applicant(cooperative=False)
    booth, camera, recorder = make_booth(applicant, time_limit_s=1.5)
    stop(booth)
    booth.bind(7)
    assert wait_for(lambda: (booth.state().liveness or {}).get("result"), timeout=10)
    state = booth.state()
    assert state.liveness["result"]["outcome"] == "failed" and state.liveness["result"]["reason"] == "timeout"
    view = screen(booth)
    assert view["phase"] == BoothPhase.LIVENESS and "请联系工作人员" in view["instruction"]["zh"]
    assert not recorder.captures
    with pytest.raises(KioskError):
        booth.skip_liveness(7, "staff", "  ")
    with pytest.raises(KioskError):
        booth.skip_liveness(8, "staff", "wheelchair user")  # not the case the booth serves
    result = booth.skip_liveness(7, "staff", "cannot turn the head (neck brace)")
    assert result.outcome == "skipped"
    assert wait_for(lambda: recorder.captures, timeout=10)
    liveness = recorder.captures[0].liveness
    assert liveness["outcome"] == "skipped" and liveness["skipped_by"] == "staff"
    assert liveness["skip_reason"] == "cannot turn the head (neck brace)"


def test_a_retake_after_a_failure_tests_afresh(stop) -> None:
    booth, camera, recorder = make_booth(Applicant(cooperative=False), time_limit_s=1.0)
    stop(booth)
    booth.bind(7)
    assert wait_for(lambda: (booth.state().liveness or {}).get("result"), timeout=10)
    first = booth._liveness
    booth.arm(7)
    assert booth._liveness is not first and not booth._liveness.finished


def test_without_liveness_the_booth_counts_down_as_before(stop) -> None:
    camera, recorder = SignalCamera(value=250), Recorder()
    booth = BoothSession(lambda: camera, SignalJudge, recorder, steady_seconds=0.2, countdown_seconds=1)
    stop(booth)
    booth.bind(7)
    assert wait_for(lambda: recorder.captures, timeout=10)
    assert recorder.captures[0].liveness is None and booth.state().liveness is None
    with pytest.raises(KioskError):
        booth.skip_liveness(7, "staff", "reason")


# ---------------------------------------------------------------- the counter's skip, through the web app

@pytest.fixture
def liveness_app(tmp_path):
    from tests.booth.conftest import FAST
    from tests.conftest import build_app
    from web.booth import stop_booth

    camera = SignalCamera(value=250)
    app = build_app(tmp_path, settings={"liveness": True}, CAMERA_FACTORY=lambda: camera,
                    JUDGE_FACTORY=ObservingJudge, BOOTH_OPTIONS=FAST)
    yield app
    stop_booth(app)
    app.extensions["kiosk.db"].dispose()


def test_staff_skip_liveness_with_a_reason_and_the_photo_keeps_it(liveness_app) -> None:
    from sqlalchemy import select

    from kiosk.models import AuditEvent, PhotoAttempt
    from tests.booth.conftest import new_onsite_case, open_booth
    from tests.booth.test_web import form
    from tests.conftest import login, post
    from web.db import get_database

    staff = liveness_app.test_client()
    login(staff, "staff")
    case_id = new_onsite_case(staff, form())
    booth = liveness_app.test_client()
    open_booth(staff, booth, case_id)
    page = staff.get(f"/booth/counter/{case_id}").data.decode()
    assert 'id="skip-liveness"' in page and "可填写原因跳过" in page  # the counter says it can be skipped
    assert b'id="liveness-light"' in booth.get("/booth").data

    def stored() -> list[PhotoAttempt]:
        with get_database(liveness_app).session() as db:
            return list(db.scalars(select(PhotoAttempt).where(PhotoAttempt.case_id == case_id)))

    assert not wait_for(stored, timeout=1.5)  # no face mesh from the fake judge: liveness never passes
    assert post(staff, f"/booth/counter/{case_id}/skip-liveness", {"reason": " "}).status_code == 303
    assert not stored()  # a blank reason skips nothing
    response = post(staff, f"/booth/counter/{case_id}/skip-liveness", {"reason": "演示视频 demo video"})
    assert response.status_code == 303
    assert wait_for(stored, timeout=10)
    attempt = stored()[0]
    assert attempt.liveness["outcome"] == "skipped" and attempt.liveness["skipped_by"] == "staff"
    assert attempt.liveness["skip_reason"] == "演示视频 demo video"
    with get_database(liveness_app).session() as db:
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "liveness_skipped")).one()
        assert event.detail["reason"] == "演示视频 demo video" and event.target == f"case:{case_id}"
