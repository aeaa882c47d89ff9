"""Drive a `LivenessSession` with measured real frames.

- `cooperative`: an applicant who follows the instructions. The frames are the person's own: calm frames of
  their clip while the session collects its baseline and while the person reads the instruction
  (`reaction_s`), then the frames of a labelled segment of their clip showing the asked action
  (tests/data/liveness/segments.json), then calm frames again. Time is re-stamped at the clip's frame rate
  (every `every`-th frame: 2 gives about 15 frames per second, the booth's judge rate).
- `replay`: a clip (or an attack clip) played to the session as it is, looping, whatever is asked.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kiosk.liveness import Challenge, LivenessConfig, LivenessResult, LivenessSession, Phase, Step
from tests.liveness.clips import DATA, Frame

SEGMENTS = json.loads((DATA / "segments.json").read_text(encoding="utf-8"))["clips"]


@dataclass(frozen=True)
class Person:
    """A real clip seen as an applicant: its measured frames, their rate, the labelled actions by challenge."""

    name: str
    frames: list[Frame]
    fps: float
    actions: dict[Challenge, list[tuple[float, float]]]

    @property
    def calm(self) -> list[Frame]:
        return calm_frames(self.frames)


def calm_frames(frames: list[Frame]) -> list[Frame]:
    """The longest run of frames with a face, eyes open, mouth closed and the head near its median yaw."""
    faces = [f.measures for f in frames if f.measures.face]
    if not faces:
        return []
    ear = statistics.median(m.ear for m in faces)
    yaw = statistics.median(m.yaw for m in faces)
    best: list[Frame] = []
    run: list[Frame] = []
    for f in frames:
        m = f.measures
        if m.face and m.ear >= 0.8 * ear and m.mar < 0.2 and abs(m.yaw - yaw) < 5:
            run.append(f)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return best


def person(name: str, frames: list[Frame], fps: float, labels: dict[str, list[list[float]]]) -> Person:
    """`labels` as in segments.json; a turn's direction comes from the sign of its peak yaw change (turning to
    one's own left lowers the yaw, see kiosk.liveness.challenges)."""
    calm = calm_frames(frames)
    base_yaw = statistics.median(f.measures.yaw for f in calm) if calm else 0.0
    actions: dict[Challenge, list[tuple[float, float]]] = {}
    for kind, spans in labels.items():
        for start, end in spans:
            if kind == "turn":
                yaws = [f.measures.yaw - base_yaw for f in frames if start <= f.measures.t <= end and f.measures.face]
                if not yaws:
                    continue
                peak = max(yaws, key=abs)
                challenge = Challenge.TURN_RIGHT if peak > 0 else Challenge.TURN_LEFT
            else:
                challenge = Challenge(kind)
            actions.setdefault(challenge, []).append((start, end))
    return Person(name, frames, fps, actions)


def mirrored(p: Person, frames: list[Frame]) -> Person:
    """The same person from the mirrored clip (`frames` measured on the flipped video): turns swap sides."""
    swap = {Challenge.TURN_LEFT: Challenge.TURN_RIGHT, Challenge.TURN_RIGHT: Challenge.TURN_LEFT}
    return Person(p.name + " mirrored", frames, p.fps, {swap.get(c, c): spans for c, spans in p.actions.items()})


class Player:
    """Feeds frames to a session with re-stamped time; `last` is the session's latest step."""

    def __init__(self, session: LivenessSession, fps: float, every: int = 1) -> None:
        self.session = session
        self.every = every
        self.dt = every / fps
        self.t = 0.0
        self.last: Step = session.start(0.0)

    def feed(self, f: Frame) -> Step:
        self.last = self.session.feed(dataclasses.replace(f.measures, t=self.t), attack=f.attack)
        self.t += self.dt
        return self.last

    def play(self, frames: Iterable[Frame], *, seconds: float | None = None,
             stop: Callable[[Step], bool] = lambda step: False) -> None:
        """Feed every `every`-th frame until they run out, the session finishes, `stop(step)` or `seconds`."""
        stop_at = None if seconds is None else self.t + seconds
        for i, f in enumerate(frames):
            if i % self.every:
                continue
            step = self.feed(f)
            if step.finished or stop(step) or (stop_at is not None and self.t >= stop_at - 1e-9):
                return


def cooperative(p: Person, seed: int, *, reaction_s: float = 0.6, every: int = 2,
                config: LivenessConfig | None = None) -> LivenessResult | None:
    """One session with an applicant who follows the instructions (None: the plan asks for an action the
    person's clip does not show, or the clip has no calm stretch)."""
    session = LivenessSession(config, rng=random.Random(seed))
    calm = p.calm
    if not calm or any(c not in p.actions for c in session.plan):
        return None
    player = Player(session, p.fps, every)
    player.play(itertools.cycle(calm), stop=lambda s: s.phase == Phase.CHALLENGE)
    used: dict[Challenge, int] = {}
    while not session.finished:
        asked = player.last
        challenge = asked.challenge
        assert challenge is not None

        def moved_on(step: Step, index: int = asked.index) -> bool:
            return step.phase != Phase.CHALLENGE or step.index != index

        player.play(itertools.cycle(calm), seconds=reaction_s, stop=moved_on)  # reading the instruction
        if moved_on(player.last):
            continue
        spans = p.actions[challenge]
        start, end = spans[used.get(challenge, 0) % len(spans)]
        used[challenge] = used.get(challenge, 0) + 1
        player.play([f for f in p.frames if start <= f.measures.t <= end], stop=moved_on)
        player.play(itertools.cycle(calm), seconds=1.5, stop=moved_on)  # then tries again if still asked
    return session.result()


def replay(frames: list[Frame], fps: float, seed: int, *, every: int = 1, seconds: float = 25.0,
           config: LivenessConfig | None = None) -> LivenessResult:
    """A recorded clip played to the session as it is, looping, for up to `seconds`."""
    session = LivenessSession(config, rng=random.Random(seed))
    player = Player(session, fps, every)
    if frames:
        player.play(itertools.cycle(frames), seconds=seconds)
    if not session.finished:
        session.tick(max(player.t, seconds))
    return session.result()
