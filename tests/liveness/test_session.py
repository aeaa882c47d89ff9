"""The liveness state machine on synthetic per-frame measures (no models): plans, passing, the time limit,
staff skips, wrong actions, the depth cue, the outline cue, face loss and jumps, presence after passing."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from kiosk.checkresult import UnknownThresholdError
from kiosk.liveness import (
    INSTRUCTIONS,
    Challenge,
    FaceMeasures,
    FailReason,
    LivenessConfig,
    LivenessSession,
    Outcome,
    Phase,
    choose_challenges,
)
from kiosk.liveness.challenges import TURNS
from kiosk.liveness.depth import depth_ratio, expected_residual, planar_residual
from kiosk.liveness.measures import SHAPE_POINTS
from kiosk.text import KioskError

FPS = 15.0
IOD = 60.0
_rng = np.random.default_rng(0)
# a solid face: points on a half-ellipsoid (x, y across the face, z towards the back), in eye distances
_FACE = np.column_stack([_rng.uniform(-1.2, 1.2, len(SHAPE_POINTS)), _rng.uniform(-1.6, 1.6, len(SHAPE_POINTS))])
_FACE = np.column_stack([_FACE, 0.9 * (1 - np.clip((_FACE[:, 0] / 1.3) ** 2 + (_FACE[:, 1] / 1.8) ** 2, 0, 1)) ** 0.5 * -1])


def shape(yaw: float, flat: bool = False) -> np.ndarray:
    """The 34 landmarks (pixels) of the synthetic face turned by `yaw` degrees: as a solid head, or as a flat
    picture (no depth: the points only foreshorten)."""
    a = math.radians(yaw)
    x, y, z = _FACE[:, 0], _FACE[:, 1], _FACE[:, 2]
    if flat:
        xs, zs = x * math.cos(a), z
    else:
        xs, zs = x * math.cos(a) + z * math.sin(a), -x * math.sin(a) + z * math.cos(a)
    return np.column_stack([200 + IOD * xs, 150 + IOD * y, IOD * zs])


def face(t: float, *, ear: float = 0.30, mar: float = 0.03, yaw: float = 0.0, aspect: float = 2.2,
         centre: tuple[float, float] = (200.0, 150.0), iod: float = IOD, flat: bool = False) -> FaceMeasures:
    return FaceMeasures(t, True, ear=ear, mar=mar, yaw=yaw, aspect=aspect, iod=iod, centre=centre,
                        shape=shape(yaw, flat))


class Applicant:
    """Feeds frames at FPS; each method acts for a while (one frame per 1/FPS s)."""

    def __init__(self, session: LivenessSession) -> None:
        self.s = session
        self.t = 0.0
        self.step = session.start(0.0)

    def frame(self, **kw) -> None:
        self.step = self.s.feed(face(self.t, **kw))
        self.t += 1 / FPS

    def calm(self, seconds: float, **kw) -> None:
        for _ in range(round(seconds * FPS)):
            self.frame(**kw)

    def blink(self) -> None:
        for ear in (0.2, 0.08, 0.07, 0.2, 0.3):
            self.frame(ear=ear)

    def turn(self, direction: int, peak: float = 22.0, flat: bool = False) -> None:
        """direction -1: the person's own left (yaw decreases), +1: right."""
        for share in (0.3, 0.6, 0.9, 1.0, 1.0, 0.6, 0.2, 0.0):
            self.frame(yaw=direction * peak * share, flat=flat)

    def open_mouth(self) -> None:
        for mar in (0.3, 0.6, 0.7, 0.7, 0.6, 0.1):
            self.frame(mar=mar)

    def do(self, challenge: Challenge) -> None:
        {Challenge.BLINK: self.blink, Challenge.OPEN_MOUTH: self.open_mouth,
         Challenge.TURN_LEFT: lambda: self.turn(-1), Challenge.TURN_RIGHT: lambda: self.turn(+1)}[challenge]()


def cooperate(session: LivenessSession) -> Applicant:
    a = Applicant(session)
    a.calm(0.6)
    for _ in range(len(session.plan)):
        assert a.step.phase == Phase.CHALLENGE
        a.calm(0.4)  # reading the instruction
        a.do(a.step.challenge)
        a.calm(0.2)
    return a


def test_plans_always_turn_in_random_order() -> None:
    plans = {choose_challenges(random.Random(seed), 2) for seed in range(200)}
    assert all(len(p) == 2 and sum(c in TURNS for c in p) == 1 for p in plans)
    assert len(plans) == 8  # 2 directions x (blink, mouth) x 2 orders
    assert {choose_challenges(random.Random(seed), 1) for seed in range(50)} == {(c,) for c in TURNS}
    assert choose_challenges(random.Random(3), 2) == choose_challenges(random.Random(3), 2)


@pytest.mark.parametrize("seed", range(8))
def test_cooperative_applicant_passes(seed: int) -> None:
    session = LivenessSession(rng=random.Random(seed))
    a = cooperate(session)
    assert a.step.phase == Phase.PASSED and session.finished
    result = session.result()
    assert result.passed and result.outcome == Outcome.PASSED and result.reason == "passed"
    assert [c.challenge for c in result.challenges] == list(session.plan)
    assert all(c.passed and c.seconds is not None and 0 < c.seconds < 3 for c in result.challenges)
    assert 0 < result.challenge_s < 4
    turn = next(c for c in result.challenges if c.challenge in TURNS)
    assert turn.evidence["depth_ratio"] > 0.8 and turn.evidence["peak_yaw"] >= 15
    ev = result.evidence
    assert ev["plan"] == [str(c) for c in session.plan] and ev["face_frames"] == ev["frames"] > 10
    json.dumps(result.as_dict(), ensure_ascii=False)  # ready to seal


def test_steps_show_one_bilingual_instruction_and_progress() -> None:
    session = LivenessSession(rng=random.Random(1))
    a = Applicant(session)
    assert a.step.phase == Phase.WAITING and a.step.instruction.zh and a.step.instruction.en
    a.calm(0.6)
    step = a.step
    assert step.phase == Phase.CHALLENGE and step.index == 1 and step.total == 2
    assert step.instruction == INSTRUCTIONS[step.challenge] and step.progress == 0
    assert 19 < step.remaining_s <= 20
    progress = []
    for share in (0.3, 0.6, 0.9):
        if step.challenge in TURNS:
            a.frame(yaw=(-1 if step.challenge == Challenge.TURN_LEFT else 1) * 22 * share)
        elif step.challenge == Challenge.OPEN_MOUTH:
            a.frame(mar=0.45 * share)
        else:
            a.frame(ear=0.3 * (1 - share))
        progress.append(a.step.progress)
    assert progress == sorted(progress) and progress[-1] > 0
    assert set(a.step.as_dict()) >= {"phase", "instruction", "challenge", "progress", "remaining_s"}


def test_a_still_face_times_out_and_calls_staff() -> None:
    session = LivenessSession(rng=random.Random(0))
    a = Applicant(session)
    a.calm(21)
    result = session.result()
    assert result.outcome == Outcome.FAILED and result.reason == FailReason.TIMEOUT
    assert "工作人员" in result.message.zh and "staff" in result.message.en
    assert 20 <= result.duration_s < 20.2
    assert result.challenges and not result.challenges[0].passed


def test_time_limit_runs_without_frames() -> None:
    now = [100.0]
    session = LivenessSession(rng=random.Random(0), clock=lambda: now[0])
    session.start()
    now[0] = 119.0
    assert session.tick().phase == Phase.WAITING
    now[0] = 120.5
    assert session.tick().phase == Phase.FAILED and session.result().reason == FailReason.TIMEOUT


def test_staff_skip_needs_a_reason_and_is_recorded() -> None:
    session = LivenessSession(rng=random.Random(0))
    session.start(0.0)
    with pytest.raises(KioskError) as err:
        session.skip("wang", "  ")
    assert err.value.code == "skip_reason_required"
    result = session.skip("wang", "申请人无法转头（颈部受伤）", now=3.0)
    assert result.outcome == Outcome.SKIPPED and result.skipped_by == "wang"
    assert result.skip_reason == "申请人无法转头（颈部受伤）" and "wang" in result.message.zh
    assert result.as_dict()["skip_reason"] == result.skip_reason


def test_a_flat_picture_turned_fails_the_depth_cue() -> None:
    session = LivenessSession(rng=random.Random(0))
    a = Applicant(session)
    a.calm(0.6)
    for _ in range(3):
        if a.step.finished:
            break
        c = a.step.challenge
        if c in TURNS:
            a.turn(-1 if c == Challenge.TURN_LEFT else 1, flat=True)
        else:
            a.do(c)
        a.calm(0.2)
    result = session.result()
    assert result.outcome == Outcome.FAILED and result.reason == FailReason.FLAT_FACE
    assert "照片或屏幕" in result.message.zh


def test_screen_outline_frames_fail() -> None:
    session = LivenessSession(rng=random.Random(0))
    session.start(0.0)
    for i in range(15):
        step = session.feed(face(i / FPS), attack=i % 3 == 0)
    assert step.phase == Phase.FAILED and session.result().reason == FailReason.SCREEN_OR_PRINT
    assert session.result().evidence["attack_frames"] == 5


def test_turns_while_a_blink_is_asked_are_wrong_actions() -> None:
    seed = next(s for s in range(50) if choose_challenges(random.Random(s), 2)[0] == Challenge.BLINK)
    session = LivenessSession(rng=random.Random(seed))
    a = Applicant(session)
    a.calm(0.6)
    assert a.step.challenge == Challenge.BLINK
    a.turn(+1)
    a.calm(0.2)
    assert not session.finished  # one mix-up is forgiven
    a.turn(-1)
    a.calm(0.2)
    result = session.result()
    assert result.reason == FailReason.WRONG_ACTIONS and len(result.evidence["wrong_actions"]) == 2


def test_the_wrong_direction_does_not_complete_a_turn() -> None:
    seed = next(s for s in range(50) if choose_challenges(random.Random(s), 2)[0] == Challenge.TURN_LEFT)
    session = LivenessSession(rng=random.Random(seed))
    a = Applicant(session)
    a.calm(0.6)
    a.turn(+1)
    a.calm(0.3)
    assert a.step.challenge == Challenge.TURN_LEFT and a.step.index == 1
    assert [w.split("@")[0] for w in session.result().evidence["wrong_actions"]] == ["turn_right"]
    a.turn(-1)
    assert a.step.index == 2


def test_a_turn_that_jumps_across_does_not_count() -> None:
    """Two photos swapped: frontal, then turned by 25 degrees, with nothing in between."""
    seed = next(s for s in range(50) if choose_challenges(random.Random(s), 2)[0] == Challenge.TURN_RIGHT)
    session = LivenessSession(rng=random.Random(seed))
    a = Applicant(session)
    a.calm(0.6)
    for _ in range(3):
        a.calm(1.0)
        a.calm(0.7, yaw=25.0)
    a.calm(1.0)
    assert a.step.challenge == Challenge.TURN_RIGHT and a.step.index == 1
    assert session.result().challenges[0].evidence["jumps_across"] >= 3


def test_losing_the_face_restarts_the_challenge() -> None:
    session = LivenessSession(rng=random.Random(2))
    a = Applicant(session)
    a.calm(0.6)
    first = a.step.challenge
    for _ in range(round(1.2 * FPS)):
        a.step = session.feed(FaceMeasures(a.t, False))
        a.t += 1 / FPS
    a.calm(0.2)
    a.do(first)
    a.calm(0.2)
    a.do(a.step.challenge)
    a.calm(0.2)
    result = session.result()
    assert result.passed and result.challenges[0].restarts == 1 and result.evidence["face_lost"] == 1


def test_a_face_jump_restarts_and_ends_presence() -> None:
    session = LivenessSession(rng=random.Random(2))
    a = cooperate(session)
    assert session.present
    a.frame()
    assert session.present
    a.frame(centre=(400.0, 150.0))  # 3.3 eye distances in one frame: someone else
    assert not session.present and session.result().passed


def test_presence_ends_when_the_face_leaves_after_passing() -> None:
    session = LivenessSession(rng=random.Random(4))
    a = cooperate(session)
    for _ in range(round(1.2 * FPS)):
        session.feed(FaceMeasures(a.t, False))
        a.t += 1 / FPS
    assert not session.present


def test_a_photo_tilted_back_is_not_a_blink() -> None:
    seed = next(s for s in range(50) if choose_challenges(random.Random(s), 2)[0] == Challenge.BLINK)
    session = LivenessSession(rng=random.Random(seed))
    a = Applicant(session)
    a.calm(0.6)
    for k in (0.8, 0.4, 0.35, 0.8, 1.0):  # the whole face shortens with the eyes
        a.frame(ear=0.30 * k, aspect=2.2 * k)
    assert a.step.challenge == Challenge.BLINK and a.step.index == 1
    a.blink()
    assert a.step.index == 2


def test_eyes_held_shut_are_not_a_blink() -> None:
    seed = next(s for s in range(50) if choose_challenges(random.Random(s), 2)[0] == Challenge.BLINK)
    session = LivenessSession(rng=random.Random(seed))
    a = Applicant(session)
    a.calm(0.6)
    a.calm(2.0, ear=0.05)
    a.calm(0.3)
    assert a.step.challenge == Challenge.BLINK and a.step.index == 1


def test_depth_ratio_tells_a_head_from_a_plane() -> None:
    ref = shape(0.0)
    for yaw in (12.0, 20.0, -18.0):
        assert depth_ratio(ref, shape(yaw), yaw, IOD, IOD) > 0.9
        assert depth_ratio(ref, shape(yaw, flat=True), yaw, IOD, IOD) < 0.05
    assert planar_residual(ref[:, :2], ref[:, :2], IOD) < 1e-9
    assert expected_residual(ref, 0.0, IOD) < 1e-9


def test_config_from_profile_section(tmp_path) -> None:
    profile = tmp_path / "kiosk.json"
    profile.write_text(json.dumps({"thresholds": {}, "liveness": {"time_limit_s": 30, "challenges": 1}}))
    cfg = LivenessConfig.from_profile(profile)
    assert cfg.time_limit_s == 30 and cfg.challenges == 1 and cfg.turn_min_deg == 15
    with pytest.raises(UnknownThresholdError):
        LivenessConfig.from_dict({"time_limit": 5})
    assert len(LivenessSession(cfg, rng=random.Random(0)).plan) == 1
