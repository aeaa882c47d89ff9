"""The booth's live state and what each audience sees of it.

`BoothState` is the session's newest state (a frozen snapshot, replaced on every judged frame and every control
change). Two views are cut from it:

- `ScreenView` for the applicant's booth screen: the lights, one instruction, the countdown, the outline, their
  own photo once taken. No names, no numbers, no measured values, nothing about another case.
- `CounterView` for staff: everything, including each check's value and threshold, the checks in the grey band
  that staff confirm later (`uncertain`), timings, camera details and errors.

Both turn into the JSON the pages' scripts read (`as_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.booth.countdown import Phase, Tick
from kiosk.photo.result import Verdict
from kiosk.text import Text


class BoothPhase(StrEnum):
    """Where the booth is, as the pages show it."""

    PAUSED = "paused"  # nobody watching: not judging
    NO_CAMERA = "no_camera"  # the camera cannot be opened or delivers nothing
    WAITING = "waiting"  # no case bound, or not armed: the booth waits for staff
    LIVENESS = "liveness"  # the liveness test runs (or failed: staff decide); no countdown before it passed
    IDLE = Phase.IDLE.value  # a check blocks the photo (or nothing judged yet)
    STEADY = Phase.STEADY.value  # nothing blocks; waiting until it has held long enough
    COUNTDOWN = Phase.COUNTDOWN.value  # the visible 3-2-1
    CAPTURE = Phase.CAPTURE.value  # taking the photo from the frame just judged
    CAPTURED = "captured"  # a photo was taken; staff decide (retake / accept)
    ACCEPTED = "accepted"  # staff accepted it


# One instruction per phase for the booth screen (the judge's own message while a check blocks the photo).
PHASE_TEXTS: dict[BoothPhase, Text] = {
    BoothPhase.WAITING: Text("请稍候，工作人员正在准备", "Please wait: staff are getting ready"),
    BoothPhase.CAPTURED: Text("照片已拍好，请等待工作人员确认", "Photo taken: please wait for staff to confirm"),
    BoothPhase.ACCEPTED: Text("拍照完成，请回到柜台", "Photo taken — please return to the counter"),
    BoothPhase.NO_CAMERA: Text("摄像头暂时不可用，请联系工作人员", "The camera is not available: please ask staff"),
    BoothPhase.PAUSED: Text("请稍候", "Please wait"),
    BoothPhase.LIVENESS: Text("请正对镜头，保持不动", "Please look straight at the camera and hold still"),
    BoothPhase.IDLE: Text("请稍候", "Please wait"),  # only until the first verdict arrives
    BoothPhase.STEADY: Text("很好，请保持不动", "Good: please hold still"),
    BoothPhase.COUNTDOWN: Text("请保持不动，即将拍照", "Hold still: taking the photo"),
    BoothPhase.CAPTURE: Text("拍照中", "Taking the photo"),
}
SOMETHING_WRONG = Text("出现问题，请联系工作人员", "Something went wrong: please ask staff")

# Short names of the checks for the lights (the judge's own messages say what to do).
CHECK_LABELS: dict[str, Text] = {
    "person_present": Text("人像", "Person"),
    "single_person": Text("单人", "One person"),
    "real_photo": Text("真人", "Real person"),
    "framing": Text("半身", "Head to waist"),
    "centred": Text("居中", "Centred"),
    "hands_hanging": Text("双手", "Hands"),
    "hat": Text("免冠", "No hat"),
    "glasses": Text("眼镜", "No glasses"),
    "frontal": Text("正面", "Facing camera"),
    "exposure": Text("光线", "Light"),
    "sharp": Text("清晰", "Sharp"),
    "colour": Text("彩色", "Colour"),
    "backdrop": Text("幕布", "Backdrop"),
    "curtain_head": Text("头肩在幕布内", "Head and shoulders on the curtain"),
    "curtain_edge": Text("不露墙面", "No wall showing"),
    "wordmark": Text("幕布标识", "Wordmark"),
    "clothing_colour": Text("衣服颜色", "Clothes colour"),
}


@dataclass(frozen=True, slots=True)
class BoothProblem:
    """Something staff must see: a reason code and a message."""

    code: str
    message: Text

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message.as_dict()}


@dataclass(frozen=True, slots=True)
class CameraStatus:
    """The camera as the grabber reports it (`capture.grabber.FrameGrabber.status`)."""

    health: str  # ok | stalled | reopening (the grabber's), starting, no_camera
    source: str | None = None
    seq: int = 0
    fps: float = 0.0
    frame_size: tuple[int, int] | None = None
    frame_age: float | None = None
    reopens: int = 0
    error: str | BoothProblem | None = None  # the grabber's last error code, or why the camera cannot be opened

    @classmethod
    def from_grabber(cls, status: Mapping[str, Any]) -> CameraStatus:
        size = status.get("frame_size")
        return cls(health=str(status.get("health")), source=status.get("source"), seq=int(status.get("seq") or 0),
                   fps=float(status.get("fps") or 0.0), frame_size=(int(size[0]), int(size[1])) if size else None,
                   frame_age=status.get("frame_age"), reopens=int(status.get("reopens") or 0),
                   error=status.get("error"))

    def as_dict(self) -> dict[str, Any]:
        error = self.error.as_dict() if isinstance(self.error, BoothProblem) else self.error
        return {"health": self.health, "source": self.source, "seq": self.seq, "fps": self.fps,
                "frame_size": list(self.frame_size) if self.frame_size else None, "frame_age": self.frame_age,
                "reopens": self.reopens, "error": error}


@dataclass(frozen=True, slots=True)
class FrameInfo:
    """The judged frame: its number, when it was grabbed and judged (wall clock), how long judging took."""

    seq: int
    grabbed_at: float
    judged_at: float
    judge_ms: float | None
    width: int
    height: int

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "grabbed_at": round(self.grabbed_at, 4), "judged_at": round(self.judged_at, 4),
                "judge_ms": None if self.judge_ms is None else round(self.judge_ms, 1),
                "width": self.width, "height": self.height}


@dataclass(frozen=True, slots=True)
class LastCapture:
    """The photo the booth last stored for its case."""

    attempt_id: int
    case_id: int
    trigger: str  # kiosk.models.CaptureTrigger
    seq: int
    passed: bool
    at: float  # wall clock

    def as_dict(self) -> dict[str, Any]:
        return {"attempt_id": self.attempt_id, "case_id": self.case_id, "trigger": str(self.trigger),
                "seq": self.seq, "passed": self.passed, "at": round(self.at, 3)}


@dataclass(frozen=True, slots=True)
class Light:
    """One check's light: its short name and whether it holds."""

    code: str
    passed: bool
    status: str
    label: Text

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "passed": self.passed, "status": str(self.status), "label": self.label.as_dict()}


def lights(verdict: Verdict | None, *, for_applicant: bool = False) -> tuple[Light, ...]:
    """The lights of `verdict`. For the applicant a check in the grey band shows as holding: it does not stop the
    photo and is not theirs to fix (staff confirm it)."""
    if verdict is None:
        return ()
    return tuple(
        Light(r.code, (not r.blocking) if for_applicant else r.passed, r.status, CHECK_LABELS.get(r.code, Text(r.code, r.code)))
        for r in verdict.results
    )


@dataclass(frozen=True, slots=True)
class ScreenView:
    """What the booth screen gets: see the module docstring. `captured` is the applicant's own photo."""

    version: int
    phase: BoothPhase
    instruction: Text | None
    camera_health: str
    camera_fps: float
    lights: tuple[Light, ...] = ()
    first_failure: str | None = None
    passed: bool | None = None  # nothing blocks the photo (the outline turns green)
    countdown: Tick | None = None
    outline: Any = None
    face_box: Any = None
    frame: FrameInfo | None = None
    captured: tuple[int, str] | None = None  # (attempt id, photo URL)
    bound: bool = True
    liveness: Mapping[str, Any] | None = None  # the current challenge: instruction, index/total, progress

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": self.version,
            "camera": {"health": self.camera_health, "fps": self.camera_fps},
            "phase": str(self.phase),
            "instruction": self.instruction.as_dict() if self.instruction else None,
            "lights": [light.as_dict() for light in self.lights],
            "countdown": self.countdown.as_dict() if self.countdown else None,
            "overlay": {"outline": self.outline, "face_box": self.face_box} if self.bound else None,
            "frame": self.frame.as_dict() if self.frame else None,
            "captured": ({"attempt_id": self.captured[0], "photo_url": self.captured[1]} if self.captured else None),
            "liveness": dict(self.liveness) if self.liveness else None,
        }
        if self.bound:
            out["first_failure"] = self.first_failure
            out["passed"] = self.passed
        return out


@dataclass(frozen=True, slots=True)
class CounterView:
    """What staff get: the whole state, whether the booth serves this case, the lights, the checks to confirm."""

    state: BoothState
    bound_here: bool

    def as_dict(self) -> dict[str, Any]:
        out = self.state.as_dict()
        out["bound_here"] = self.bound_here
        out["lights"] = [light.as_dict() for light in lights(self.state.verdict)]
        out["uncertain"] = [r.code for r in self.state.verdict.uncertain] if self.state.verdict else []
        if not self.bound_here:
            out["last_capture"] = None
        return out


@dataclass(frozen=True, slots=True)
class BoothState:
    """The booth session's newest state (see the module docstring); `version` grows with every change."""

    version: int
    phase: BoothPhase
    camera: CameraStatus
    case_id: int | None = None
    armed: bool = False
    accepted: bool = False  # staff accepted the photo last taken for the case
    countdown: Tick = field(default_factory=lambda: Tick(Phase.IDLE))
    verdict: Verdict | None = None
    verdict_json: Mapping[str, Any] | None = field(default=None, repr=False)  # verdict.as_dict(), made once
    frame: FrameInfo | None = None
    last_capture: LastCapture | None = None
    error: BoothProblem | None = None
    liveness: Mapping[str, Any] | None = None  # the bound case's liveness test: step, plan, result (None: off)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "case_id": self.case_id,
            "liveness": self.liveness,
            "armed": self.armed,
            "accepted": self.accepted,
            "phase": str(self.phase),
            "phase_label": _word("booth_phase", self.phase),
            "countdown": self.countdown.as_dict(),
            "verdict": self.verdict_json,
            "camera": {**self.camera.as_dict(), "health_label": _word("camera_health", self.camera.health)},
            "frame": self.frame.as_dict() if self.frame else None,
            "last_capture": self.last_capture.as_dict() if self.last_capture else None,
            "error": self.error.as_dict() if self.error else None,
        }

    def for_counter(self, case_id: int) -> CounterView:
        return CounterView(self, self.case_id == case_id)

    def for_screen(self, case_id: int, photo_url: str = "/booth/photo/{}.jpg") -> ScreenView:
        """The booth screen of case `case_id`; `photo_url` is formatted with the attempt id."""
        if self.case_id != case_id:  # the camera serves another case (or none): show nothing of it
            return ScreenView(self.version, BoothPhase.WAITING, PHASE_TEXTS[BoothPhase.WAITING], self.camera.health,
                              self.camera.fps, bound=False)
        last = self.last_capture
        captured = None
        if last is not None and last.case_id == case_id and self.phase in (BoothPhase.CAPTURED, BoothPhase.ACCEPTED):
            captured = (last.attempt_id, photo_url.format(last.attempt_id))
        verdict = self.verdict
        first = verdict.first_failure if verdict else None
        overlay = (self.verdict_json or {}).get("overlay") or {}
        return ScreenView(
            version=self.version, phase=self.phase, instruction=self._instruction(), camera_health=self.camera.health,
            camera_fps=self.camera.fps, lights=lights(verdict, for_applicant=True),
            first_failure=first.code if first else None, passed=verdict.capturable if verdict else None,
            countdown=self.countdown, outline=overlay.get("outline"), face_box=overlay.get("face_box"),
            frame=self.frame, captured=captured, liveness=self._screen_liveness(),
        )

    def _screen_liveness(self) -> dict[str, Any] | None:
        """The applicant's part of the liveness test: the step (instruction, progress light), while it matters."""
        if self.liveness is None or self.phase != BoothPhase.LIVENESS:
            return None
        step = dict(self.liveness.get("step") or {})
        return {k: step.get(k) for k in ("phase", "instruction", "challenge", "index", "total", "progress",
                                         "remaining_s", "finished")}

    def _instruction(self) -> Text | None:
        first = self.verdict.first_failure if self.verdict else None
        if self.phase == BoothPhase.LIVENESS and self.liveness is not None:
            text = (self.liveness.get("step") or {}).get("instruction")
            if text:
                return Text(text["zh"], text["en"])
        if self.phase == BoothPhase.IDLE and first is not None:
            return first.message
        if self.error and self.phase in (BoothPhase.WAITING, BoothPhase.CAPTURED):
            return SOMETHING_WRONG
        return PHASE_TEXTS.get(self.phase)


def _word(kind: str, code: object) -> dict[str, str]:
    """The counter's words for a code. kiosk.words is built from this module's labels, so it is imported when
    the state is first shown, not when this module loads."""
    from kiosk import words

    return words.word(kind, code).as_dict()
