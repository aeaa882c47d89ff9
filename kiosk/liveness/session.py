"""The active liveness test as a pure state machine, fed one frame's measures at a time.

    session = LivenessSession(rng=random.Random(), clock=time.monotonic)
    session.start()
    for frame in camera:                                    # the booth's judge loop
        obs = judge.observe(frame)
        step = session.feed(measure(obs.mesh, clock()), attack=screen_outline(obs).found)
        show(step.instruction, step.progress)              # one bilingual line and a progress light
        if step.finished: break
    result = session.result()                              # frozen, ready to seal with the case

Phases: `waiting` (no frontal face yet), `baseline` (the person's own neutral measures, `baseline_s`), then the
challenges one after the other (`challenges` of them, in random order; one is always a head turn, left or right
at random, so the depth cue always runs; the other a blink or an open mouth), then `passed`. It ends `failed`
after `time_limit_s` (call staff), after more than `max_wrong_actions` head turns that were not asked (a
recorded video does not follow the instructions), when the turn looked flat
(the depth cue), or when a screen or print outline was seen around the face on `attack_frames` of the last 15
frames. Staff may `skip` it with a written reason (e.g. a disability); the result records who and why.

The face losing contact for `face_lost_s`, or jumping (a swapped photo), restarts the current challenge. After
`passed` the session keeps watching: `present` stays True while the same face stays in front of the camera,
so the booth takes the photo of the person who passed, not of someone who stepped in.

Time comes from the frames (`FaceMeasures.t`) and, between frames, from the injected `clock` (the same clock
must stamp the frames); the challenge order from the injected `rng`. Not thread-safe: one session per booth,
fed from one thread.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.liveness.challenges import (
    INSTRUCTIONS,
    NAMES,
    TURNS,
    Baseline,
    Challenge,
    Detector,
    TurnDetector,
    detector,
)
from kiosk.liveness.config import LivenessConfig
from kiosk.liveness.measures import FaceMeasures
from kiosk.text import KioskError, Text


class Phase(StrEnum):
    WAITING = "waiting"
    BASELINE = "baseline"
    CHALLENGE = "challenge"
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


class FailReason(StrEnum):
    TIMEOUT = "timeout"
    WRONG_ACTIONS = "wrong_actions"
    FLAT_FACE = "flat_face"
    SCREEN_OR_PRINT = "screen_or_print"


LOOK = Text("请正对镜头，保持不动", "Please look straight at the camera and hold still")
PASSED_TEXT = Text("活体检测通过", "Liveness check passed")
CALL_STAFF = "请联系工作人员"
FAIL_TEXTS: dict[FailReason, Text] = {
    FailReason.TIMEOUT: Text(f"未能在规定时间内完成动作，{CALL_STAFF}",
                             "The actions were not completed in time: please call a member of staff"),
    FailReason.WRONG_ACTIONS: Text(f"动作与提示不符，{CALL_STAFF}",
                                   "The actions did not follow the instructions: please call a member of staff"),
    FailReason.FLAT_FACE: Text(f"转头时人脸呈平面（疑似照片或屏幕），{CALL_STAFF}",
                               "The face turned like a flat picture (a photo or screen?): please call a member of staff"),
    FailReason.SCREEN_OR_PRINT: Text(f"镜头前疑似有屏幕或照片，{CALL_STAFF}",
                                     "A screen or photo seems to be held up to the camera: please call a member of staff"),
}
ATTACK_WINDOW = 15  # frames
MAX_JUMP_GAP_S = 0.2  # a face jump is only judged between frames this close in time


def choose_challenges(rng: random.Random, count: int) -> tuple[Challenge, ...]:
    """`count` (1 or 2) challenges in random order: always one head turn (left or right), then a blink or an
    open mouth."""
    turn = rng.choice(TURNS)
    if count <= 1:
        return (turn,)
    chosen = [turn, rng.choice((Challenge.BLINK, Challenge.OPEN_MOUTH))]
    rng.shuffle(chosen)
    return tuple(chosen)


@dataclass(frozen=True, slots=True)
class Step:
    """What the booth shows after a frame: the phase, the current challenge (1-based `index` of `total`), the
    one-line instruction, the current challenge's progress 0..1, and the seconds left."""

    phase: Phase
    instruction: Text
    challenge: Challenge | None = None
    index: int = 0
    total: int = 0
    progress: float = 0.0
    remaining_s: float = 0.0

    @property
    def finished(self) -> bool:
        return self.phase in (Phase.PASSED, Phase.FAILED, Phase.SKIPPED)

    def as_dict(self) -> dict[str, Any]:
        return {"phase": str(self.phase), "instruction": self.instruction.as_dict(),
                "challenge": None if self.challenge is None else str(self.challenge), "index": self.index,
                "total": self.total, "progress": round(self.progress, 3), "remaining_s": round(self.remaining_s, 1),
                "finished": self.finished}


@dataclass(frozen=True, slots=True)
class ChallengeRecord:
    """One challenge as it went: asked at `started_s`, done at `done_s` (seconds since the session started)."""

    challenge: Challenge
    passed: bool
    started_s: float
    done_s: float | None
    restarts: int
    evidence: dict[str, float]

    @property
    def seconds(self) -> float | None:
        return None if self.done_s is None else self.done_s - self.started_s

    def as_dict(self) -> dict[str, Any]:
        return {"challenge": str(self.challenge), "name": NAMES[self.challenge].as_dict(), "passed": self.passed,
                "started_s": round(self.started_s, 2),
                "done_s": None if self.done_s is None else round(self.done_s, 2),
                "seconds": None if self.seconds is None else round(self.seconds, 2), "restarts": self.restarts,
                "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """The sealed outcome: passed / failed (with the reason) / skipped by staff (who and why); the challenges in
    the order asked; timings (seconds); a summary of the per-frame evidence; the limits used."""

    outcome: Outcome
    reason: str
    message: Text
    challenges: tuple[ChallengeRecord, ...]
    duration_s: float  # start to end
    challenge_s: float | None  # first instruction to the last challenge done (what the person spent acting)
    evidence: dict[str, Any]
    config: dict[str, Any]
    skipped_by: str | None = None
    skip_reason: str | None = None
    started_at: float = 0.0  # the session clock's values (the booth converts them to wall time)
    ended_at: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASSED

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome), "reason": self.reason, "message": self.message.as_dict(),
            "challenges": [c.as_dict() for c in self.challenges], "duration_s": round(self.duration_s, 2),
            "challenge_s": None if self.challenge_s is None else round(self.challenge_s, 2),
            "evidence": self.evidence, "config": self.config, "skipped_by": self.skipped_by,
            "skip_reason": self.skip_reason,
        }


@dataclass
class _Running:
    """The challenge being worked on."""

    challenge: Challenge
    started_s: float
    detector: Detector
    restarts: int = 0
    watchers: list[Detector] = field(default_factory=list)


class LivenessSession:
    """One applicant's liveness test (see the module docstring)."""

    def __init__(self, config: LivenessConfig | None = None, *, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config or LivenessConfig()
        self.clock = clock
        self.plan = choose_challenges(rng or random.SystemRandom(), self.config.challenges)
        self.phase = Phase.WAITING
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.reason = ""
        self.baseline: Baseline | None = None
        self._baseline_frames: list[FaceMeasures] = []
        self._records: list[ChallengeRecord] = []
        self._running: _Running | None = None
        self._first_instruction_s: float | None = None
        self._last_face: FaceMeasures | None = None
        self._attack: deque[bool] = deque(maxlen=ATTACK_WINDOW)
        self._present = False
        self.skipped_by: str | None = None
        self.skip_reason: str | None = None
        # evidence counters
        self.frames = 0
        self.face_frames = 0
        self.attack_frames = 0
        self.jumps = 0
        self.face_lost = 0
        self.wrong_actions: list[str] = []
        self._ears: list[float] = []
        self._mars: list[float] = []
        self._yaws: list[float] = []

    # --- control ---------------------------------------------------------------------------------------------

    def start(self, now: float | None = None) -> Step:
        """Start the clock (the time limit runs from here)."""
        self.started_at = self.clock() if now is None else now
        return self._step(self.started_at)

    def skip(self, staff: str, reason: str, now: float | None = None) -> LivenessResult:
        """Staff skip the test (e.g. the applicant cannot blink or turn): `reason` is required and recorded."""
        if not reason or not reason.strip():
            raise KioskError("skip_reason_required", Text("跳过活体检测须填写原因", "A reason is required to skip the liveness check"))
        if not staff or not staff.strip():
            raise KioskError("skip_staff_required", Text("须记录跳过检测的工作人员", "The member of staff who skips must be recorded"))
        now = self.clock() if now is None else now
        if self.started_at is None:
            self.started_at = now
        self.skipped_by, self.skip_reason = staff.strip(), reason.strip()
        self._end(Phase.SKIPPED, "skipped_by_staff", now)
        return self.result()

    @property
    def finished(self) -> bool:
        return self.phase in (Phase.PASSED, Phase.FAILED, Phase.SKIPPED)

    @property
    def present(self) -> bool:
        """After passing: the face that passed is still in front of the camera (no loss, no jump since)."""
        return self.phase == Phase.PASSED and self._present

    # --- frames ----------------------------------------------------------------------------------------------

    def tick(self, now: float | None = None) -> Step:
        """Check the time limit without a frame (the camera stalled)."""
        now = self.clock() if now is None else now
        if self.started_at is None:
            self.start(now)
        self._check_time(now)
        return self._step(now)

    def feed(self, m: FaceMeasures, *, attack: bool = False) -> Step:
        """Read one frame's measures; `attack` is True when a single-frame presentation-attack cue fired on it
        (e.g. `kiosk.liveness.screen.screen_outline(...).found`)."""
        if self.started_at is None:
            self.start(m.t)
        now = m.t
        if self.phase == Phase.PASSED:
            self._watch_presence(m)
            return self._step(now)
        if self.finished:
            return self._step(now)
        self.frames += 1
        self._attack.append(bool(attack))
        if attack:
            self.attack_frames += 1
        if sum(self._attack) >= self.config.attack_frames:
            self._end(Phase.FAILED, FailReason.SCREEN_OR_PRINT, now)
            return self._step(now)
        if self._check_time(now):
            return self._step(now)
        if not m.face:
            self._on_no_face(now)
            return self._step(now)
        self.face_frames += 1
        self._ears.append(m.ear)
        self._mars.append(m.mar)
        self._yaws.append(m.yaw)
        jumped = self._jumped(m)
        self._last_face = m
        if jumped:
            self.jumps += 1
            self._restart(now)
            return self._step(now)
        if self.phase in (Phase.WAITING, Phase.BASELINE):
            self._collect_baseline(m)
        elif self.phase == Phase.CHALLENGE:
            self._challenge_frame(m)
        return self._step(now)

    # --- internals -------------------------------------------------------------------------------------------

    def _elapsed(self, now: float) -> float:
        return 0.0 if self.started_at is None else now - self.started_at

    def _check_time(self, now: float) -> bool:
        if not self.finished and self._elapsed(now) >= self.config.time_limit_s:
            if self._running is not None:
                self._record(passed=False)
            self._end(Phase.FAILED, FailReason.TIMEOUT, now)
            return True
        return False

    def _jumped(self, m: FaceMeasures) -> bool:
        """The face moved by more than `face_jump_iod` eye distances, or changed size by more than
        `face_jump_scale`, between two frames at most 0.2 s apart: a different face (a swapped photo)."""
        last = self._last_face
        if last is None or m.t - last.t > MAX_JUMP_GAP_S or last.iod <= 0:
            return False
        moved = ((m.centre[0] - last.centre[0]) ** 2 + (m.centre[1] - last.centre[1]) ** 2) ** 0.5 / last.iod
        return moved > self.config.face_jump_iod or abs(m.iod / last.iod - 1.0) > self.config.face_jump_scale

    def _on_no_face(self, now: float) -> None:
        last = self._last_face
        if last is not None and now - last.t >= self.config.face_lost_s:
            self.face_lost += 1
            self._last_face = None
            self._restart(now)

    def _restart(self, now: float) -> None:
        """The face left or changed: collect the baseline again, or start the current challenge over."""
        if self.phase in (Phase.WAITING, Phase.BASELINE):
            self._baseline_frames.clear()
            self.phase = Phase.WAITING
        elif self._running is not None and self.baseline is not None:
            r = self._running
            self._running = _Running(r.challenge, r.started_s, detector(r.challenge, self.baseline, self.config),
                                     r.restarts + 1, self._watchers(r.challenge))

    def _collect_baseline(self, m: FaceMeasures) -> None:
        if abs(m.yaw) > self.config.baseline_max_yaw:
            self._baseline_frames.clear()
            self.phase = Phase.WAITING
            return
        self.phase = Phase.BASELINE
        self._baseline_frames.append(m)
        if m.t - self._baseline_frames[0].t >= self.config.baseline_s and len(self._baseline_frames) >= 3:
            self.baseline = Baseline.of(self._baseline_frames)
            self._next_challenge(m.t)

    def _watchers(self, asked: Challenge) -> list[Detector]:
        """Detectors of the wrong actions: a head turn (out and back) that was not asked, i.e. any turn while a
        blink or an open mouth is asked, and a turn the other way while a turn is asked. Blinks are involuntary
        and people talk, so neither counts."""
        assert self.baseline is not None
        return [TurnDetector(c, self.baseline, self.config) for c in TURNS if c != asked]

    def _next_challenge(self, now: float) -> None:
        assert self.baseline is not None
        index = len(self._records)
        if index >= len(self.plan):
            self._running = None
            self._end(Phase.PASSED, "passed", now)
            self._present = True
            return
        challenge = self.plan[index]
        started = self._elapsed(now)
        if self._first_instruction_s is None:
            self._first_instruction_s = started
        self.phase = Phase.CHALLENGE
        self._running = _Running(challenge, started, detector(challenge, self.baseline, self.config),
                                 watchers=self._watchers(challenge))

    def _challenge_frame(self, m: FaceMeasures) -> None:
        r = self._running
        assert r is not None and self.baseline is not None
        for i, w in enumerate(r.watchers):
            w.update(m)
            if w.done:
                self.wrong_actions.append(f"{w.challenge}@{self._elapsed(m.t):.1f}s")
                r.watchers[i] = type(w)(w.challenge, self.baseline, self.config)
                if len(self.wrong_actions) > self.config.max_wrong_actions:
                    self._record(passed=False)
                    self._end(Phase.FAILED, FailReason.WRONG_ACTIONS, m.t)
                    return
        r.detector.update(m)
        if not r.detector.done:
            return
        if isinstance(r.detector, TurnDetector):
            depth = r.detector.depth
            if depth is not None and depth < self.config.depth_min_ratio:
                self._record(passed=False, done_at=r.detector.done_at)
                self._end(Phase.FAILED, FailReason.FLAT_FACE, m.t)
                return
        self._record(passed=True, done_at=r.detector.done_at)
        self._next_challenge(m.t)

    def _record(self, *, passed: bool, done_at: float | None = None) -> None:
        r = self._running
        if r is None:
            return
        self._records.append(ChallengeRecord(r.challenge, passed, r.started_s,
                                             None if done_at is None else self._elapsed(done_at), r.restarts,
                                             r.detector.evidence()))
        self._running = None

    def _end(self, phase: Phase, reason: str, now: float) -> None:
        self.phase = phase
        self.reason = str(reason)
        self.ended_at = now

    def _watch_presence(self, m: FaceMeasures) -> None:
        if not self._present:
            return
        if not m.face:
            last = self._last_face
            if last is None or m.t - last.t >= self.config.face_lost_s:
                self._present = False
            return
        if self._jumped(m):
            self._present = False
        self._last_face = m

    def _step(self, now: float) -> Step:
        remaining = max(0.0, self.config.time_limit_s - self._elapsed(now)) if not self.finished else 0.0
        total = len(self.plan)
        if self.phase == Phase.CHALLENGE and self._running is not None:
            c = self._running.challenge
            return Step(self.phase, INSTRUCTIONS[c], c, len(self._records) + 1, total,
                        self._running.detector.progress, remaining)
        if self.phase == Phase.PASSED:
            return Step(self.phase, PASSED_TEXT, None, total, total, 1.0, 0.0)
        if self.phase == Phase.FAILED:
            return Step(self.phase, FAIL_TEXTS[FailReason(self.reason)], None, len(self._records), total, 0.0, 0.0)
        if self.phase == Phase.SKIPPED:
            return Step(self.phase, Text("工作人员已跳过活体检测", "Liveness check skipped by staff"), None, 0, total)
        return Step(self.phase, LOOK, None, 0, total, 0.0, remaining)

    def result(self) -> LivenessResult:
        """The outcome so far (call it once `finished`; before that it reports `failed` / "not_finished")."""
        now = self.ended_at if self.ended_at is not None else self.clock()
        started = self.started_at if self.started_at is not None else now
        records = list(self._records)
        if self._running is not None:
            r = self._running
            records.append(ChallengeRecord(r.challenge, False, r.started_s, None, r.restarts, r.detector.evidence()))
        done = [c.done_s for c in records if c.passed and c.done_s is not None]
        challenge_s = (max(done) - self._first_instruction_s if self.phase == Phase.PASSED and done
                       and self._first_instruction_s is not None else None)
        if self.phase == Phase.PASSED:
            outcome, message = Outcome.PASSED, PASSED_TEXT
        elif self.phase == Phase.SKIPPED:
            outcome = Outcome.SKIPPED
            message = Text(f"工作人员 {self.skipped_by} 跳过活体检测：{self.skip_reason}",
                           f"Liveness check skipped by {self.skipped_by}: {self.skip_reason}")
        elif self.phase == Phase.FAILED:
            outcome, message = Outcome.FAILED, FAIL_TEXTS[FailReason(self.reason)]
        else:
            outcome, message = Outcome.FAILED, Text("活体检测未完成", "The liveness check did not finish")
        return LivenessResult(
            outcome=outcome, reason=self.reason or "not_finished", message=message, challenges=tuple(records),
            duration_s=now - started, challenge_s=challenge_s, evidence=self._evidence(now - started),
            config=self.config.to_dict(), skipped_by=self.skipped_by, skip_reason=self.skip_reason,
            started_at=started, ended_at=now,
        )

    def _evidence(self, seconds: float) -> dict[str, Any]:
        def rng(values: list[float], digits: int) -> list[float] | None:
            return [round(min(values), digits), round(max(values), digits)] if values else None

        depth = [c.evidence["depth_ratio"] for c in self._records if "depth_ratio" in c.evidence]
        return {
            "plan": [str(c) for c in self.plan],
            "frames": self.frames,
            "face_frames": self.face_frames,
            "fps": round(self.frames / seconds, 1) if seconds > 0 else None,
            "baseline": None if self.baseline is None else self.baseline.as_dict(),
            "ear_range": rng(self._ears, 3),
            "mar_range": rng(self._mars, 3),
            "yaw_range": rng(self._yaws, 1),
            "median_ear": round(statistics.median(self._ears), 3) if self._ears else None,
            "depth_ratio": depth[0] if depth else None,
            "attack_frames": self.attack_frames,
            "face_jumps": self.jumps,
            "face_lost": self.face_lost,
            "wrong_actions": list(self.wrong_actions),
        }
