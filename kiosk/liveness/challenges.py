"""The challenges (blink, turn left, turn right, open the mouth): their instructions and per-frame detectors.

A detector reads one frame's `FaceMeasures` against the person's own baseline (measured on the frontal frames
before the first challenge) and reports progress 0..1; it is `done` once the action was seen:

- blink: the eye aspect ratio, divided by the change of the whole face's aspect (a photo tilted back shortens the
  face, not only the eyes), falls below `blink_closed` of the baseline and rises above `blink_open` again within
  `blink_max_s`, with the head within 25 degrees of the baseline yaw;
- turn: the yaw moves `turn_min_deg` from the baseline towards the person's own left or right, passing through
  the angles in between (a frame part-way out within `turn_partial_s`: two photos swapped jump across), then
  comes back within `turn_back_deg`. Looking at the person (the camera image, not mirrored), turning to one's own left
  moves the nose towards the image's right: the yaw of `kiosk.photo.checks.frontal.head_pose` decreases. While
  turned, the depth cue (`kiosk.liveness.depth`) is measured on every frame turned at least `depth_min_yaw`;
- open mouth: the mouth aspect ratio stays at least `mouth_min` (and `mouth_min_rise` above the baseline) for
  `mouth_hold_s`.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from kiosk.liveness.config import LivenessConfig
from kiosk.liveness.depth import depth_ratio
from kiosk.liveness.measures import FaceMeasures
from kiosk.text import Text


class Challenge(StrEnum):
    BLINK = "blink"
    TURN_LEFT = "turn_left"  # to the person's own left
    TURN_RIGHT = "turn_right"
    OPEN_MOUTH = "open_mouth"


INSTRUCTIONS: dict[Challenge, Text] = {
    Challenge.BLINK: Text("请眨一下眼睛", "Please blink once"),
    Challenge.TURN_LEFT: Text("请把头稍向左转，再转回正面", "Please turn your head slightly to your left, then back"),
    Challenge.TURN_RIGHT: Text("请把头稍向右转，再转回正面", "Please turn your head slightly to your right, then back"),
    Challenge.OPEN_MOUTH: Text("请张一下嘴", "Please open your mouth"),
}
NAMES: dict[Challenge, Text] = {
    Challenge.BLINK: Text("眨眼", "blink"),
    Challenge.TURN_LEFT: Text("向左转头", "turn left"),
    Challenge.TURN_RIGHT: Text("向右转头", "turn right"),
    Challenge.OPEN_MOUTH: Text("张嘴", "open mouth"),
}
TURNS = (Challenge.TURN_LEFT, Challenge.TURN_RIGHT)
BLINK_MAX_YAW = 25.0


@dataclass(frozen=True, slots=True)
class Baseline:
    """The person's own neutral measures (medians over the baseline frames)."""

    ear: float
    mar: float
    yaw: float
    aspect: float
    iod: float
    shape: np.ndarray  # (34, 3) landmark positions, the depth cue's reference

    @classmethod
    def of(cls, frames: list[FaceMeasures]) -> Baseline:
        shapes = [f.shape for f in frames if f.shape is not None]
        return cls(
            ear=statistics.median(f.ear for f in frames),
            mar=statistics.median(f.mar for f in frames),
            yaw=statistics.median(f.yaw for f in frames),
            aspect=statistics.median(f.aspect for f in frames),
            iod=statistics.median(f.iod for f in frames),
            shape=np.median(np.stack(shapes), axis=0) if shapes else np.zeros((0, 3)),
        )

    def as_dict(self) -> dict[str, float]:
        return {"ear": round(self.ear, 3), "mar": round(self.mar, 3), "yaw": round(self.yaw, 1),
                "aspect": round(self.aspect, 3), "iod_px": round(self.iod, 1)}


class Detector:
    """Base: progress 0..1, `done` once the action was seen, and the peak figures for the evidence."""

    def __init__(self, challenge: Challenge, base: Baseline, cfg: LivenessConfig) -> None:
        self.challenge = challenge
        self.base = base
        self.cfg = cfg
        self.progress = 0.0
        self.done = False
        self.done_at: float | None = None

    def update(self, m: FaceMeasures) -> None:
        raise NotImplementedError

    def _finish(self, t: float) -> None:
        self.progress = 1.0
        self.done = True
        self.done_at = t

    def evidence(self) -> dict[str, float]:
        return {}


class BlinkDetector(Detector):
    def __init__(self, challenge: Challenge, base: Baseline, cfg: LivenessConfig) -> None:
        super().__init__(challenge, base, cfg)
        self.closed_at: float | None = None
        self.min_ratio = 1.0

    def update(self, m: FaceMeasures) -> None:
        if self.done or self.base.ear <= 0 or self.base.aspect <= 0 or m.aspect <= 0:
            return
        if abs(m.yaw - self.base.yaw) > BLINK_MAX_YAW:
            self.closed_at = None
            return
        ratio = (m.ear / self.base.ear) / (m.aspect / self.base.aspect)
        self.min_ratio = min(self.min_ratio, ratio)
        if ratio < self.cfg.blink_closed:
            if self.closed_at is None:
                self.closed_at = m.t
            self.progress = max(self.progress, 0.5)
        elif self.closed_at is not None:
            if m.t - self.closed_at > self.cfg.blink_max_s:
                self.closed_at = None  # eyes held shut: not a blink
                self.progress = 0.0
            elif ratio > self.cfg.blink_open:
                self._finish(m.t)

    def evidence(self) -> dict[str, float]:
        return {"min_ear_ratio": round(self.min_ratio, 3)}


class TurnDetector(Detector):
    def __init__(self, challenge: Challenge, base: Baseline, cfg: LivenessConfig) -> None:
        super().__init__(challenge, base, cfg)
        self.sign = -1.0 if challenge == Challenge.TURN_LEFT else 1.0
        self.reached = False
        self.partial_at: float | None = None
        self.skipped_across = 0
        self.peak = 0.0
        self.opposite_peak = 0.0
        self.depth_ratios: list[float] = []

    def update(self, m: FaceMeasures) -> None:
        if self.done:
            return
        dy = m.yaw - self.base.yaw
        turned = self.sign * dy
        self.peak = max(self.peak, turned)
        self.opposite_peak = max(self.opposite_peak, -turned)
        if abs(dy) >= self.cfg.depth_min_yaw and m.shape is not None and len(self.base.shape):
            self.depth_ratios.append(depth_ratio(self.base.shape, m.shape, dy, self.base.iod, m.iod))
        if not self.reached:
            share = max(0.0, turned) / self.cfg.turn_min_deg
            if self.cfg.turn_partial <= share < 0.9:
                self.partial_at = m.t
            if share < 1.0:
                self.progress = max(self.progress, 0.7 * share)
            elif self.partial_at is not None and m.t - self.partial_at <= self.cfg.turn_partial_s:
                self.reached = True
                self.progress = 0.7
            else:
                self.skipped_across += 1  # jumped straight across: not a head turning
        elif abs(dy) <= self.cfg.turn_back_deg:
            self._finish(m.t)
        else:
            self.progress = max(self.progress, 0.7 + 0.3 * (1 - min(1.0, abs(dy) / self.cfg.turn_min_deg)))

    @property
    def depth(self) -> float | None:
        """Median depth ratio over the turned frames (None: no frame was turned enough)."""
        return statistics.median(self.depth_ratios) if self.depth_ratios else None

    def evidence(self) -> dict[str, float]:
        out = {"peak_yaw": round(self.peak, 1), "opposite_peak_yaw": round(self.opposite_peak, 1),
               "depth_frames": len(self.depth_ratios), "jumps_across": self.skipped_across}
        if self.depth is not None:
            out["depth_ratio"] = round(self.depth, 3)
        return out


class MouthDetector(Detector):
    def __init__(self, challenge: Challenge, base: Baseline, cfg: LivenessConfig) -> None:
        super().__init__(challenge, base, cfg)
        self.open_since: float | None = None
        self.peak = 0.0

    @property
    def threshold(self) -> float:
        return max(self.cfg.mouth_min, self.base.mar + self.cfg.mouth_min_rise)

    def update(self, m: FaceMeasures) -> None:
        if self.done:
            return
        self.peak = max(self.peak, m.mar)
        if m.mar >= self.threshold:
            if self.open_since is None:
                self.open_since = m.t
            self.progress = max(self.progress, 0.8)
            if m.t - self.open_since >= self.cfg.mouth_hold_s:
                self._finish(m.t)
        else:
            self.open_since = None
            self.progress = max(self.progress, 0.6 * min(1.0, m.mar / self.threshold))

    def evidence(self) -> dict[str, float]:
        return {"peak_mar": round(self.peak, 3)}


DETECTORS: dict[Challenge, type[Detector]] = {
    Challenge.BLINK: BlinkDetector,
    Challenge.TURN_LEFT: TurnDetector,
    Challenge.TURN_RIGHT: TurnDetector,
    Challenge.OPEN_MOUTH: MouthDetector,
}


def detector(challenge: Challenge, base: Baseline, cfg: LivenessConfig) -> Detector:
    return DETECTORS[challenge](challenge, base, cfg)
