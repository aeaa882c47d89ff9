"""The booth session: one worker thread per running camera that judges the newest frame continuously.

The worker takes the newest frame from the grabber (never a queue), judges it with a `PhotoJudge(video=True)`
created in the worker thread, feeds the verdict to the stability countdown and publishes the latest state
(verdict, countdown, camera health, frame seq and timings) for the pages' live updates. When the countdown
completes while the booth is armed for a case, the very frame that was judged is handed to `on_capture`
(which finishes and stores the photo) and the booth disarms until staff ask for a retake.

The worker only judges while someone is watching (`touch()` from the pages' event streams), so an unattended
kiosk does not burn its CPU. No Flask here: the web layer injects the factories and the capture callback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from capture.base import Camera
from capture.grabber import FrameGrabber, Grab
from kiosk.booth.countdown import Phase, StabilityCountdown, Tick
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

# Extra phases beyond the countdown's own.
WAITING = "waiting"  # no case bound / not armed: the booth waits for staff
CAPTURED = "captured"  # a photo was taken; staff decide (retake / accept)
PAUSED = "paused"  # nobody watching: not judging
NO_CAMERA = "no_camera"  # the camera cannot be opened or delivers nothing


class JudgeLike(Protocol):
    def judge(self, frame_bgr: np.ndarray) -> Any: ...


@dataclass(frozen=True, slots=True)
class Capture:
    """What the worker hands to `on_capture`: the exact judged frame and its verdict."""

    case_id: int
    frame: np.ndarray  # the camera's own frame: full resolution, not mirrored, read-only
    verdict: Any  # kiosk.photo.Verdict (or a fake with .passed and .as_dict())
    verdict_dict: dict[str, Any]
    seq: int
    grabbed_at: float  # wall clock
    trigger: str  # "auto" | "manual"


CaptureHandler = Callable[[Capture], int]  # returns the stored attempt's id; raises KioskError on failure


class BoothSession:
    """See the module docstring. Thread-safe: pages call bind/arm/touch/wait_state from request threads."""

    def __init__(
        self,
        camera_factory: Callable[[], Camera],
        judge_factory: Callable[[], JudgeLike],
        on_capture: CaptureHandler,
        *,
        steady_seconds: float = 1.0,
        countdown_seconds: int = 3,
        idle_after: float = 20.0,
        release_after: float = 120.0,
        heartbeat: float = 0.25,
        grabber_options: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._camera_factory = camera_factory
        self._judge_factory = judge_factory
        self._on_capture = on_capture
        self._countdown = StabilityCountdown(steady_seconds, countdown_seconds)
        self.idle_after = idle_after
        self.release_after = release_after
        self.heartbeat = heartbeat
        self._grabber_options = grabber_options or {}
        self._clock = clock
        self._wall = wall
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by touch(): a paused worker resumes at once
        self._closed = False  # stop() is final: touch() must not bring the threads back
        self._thread: threading.Thread | None = None
        self.grabber: FrameGrabber | None = None
        self._camera_error: dict[str, Any] | None = None
        self._case_id: int | None = None
        self._armed = False
        self._manual = False
        self._last_touch = clock()
        self._last_capture: dict[str, Any] | None = None
        self._capture_error: dict[str, Any] | None = None
        self._state: dict[str, Any] = {}
        self._version = 0
        self._last_inputs: dict[str, Any] = {}  # the newest frame's tick/verdict/grab, to republish on changes
        self.judged = 0
        self._publish(phase=PAUSED)

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> BoothSession:
        with self._lock:
            if self._thread is None and not self._closed:
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="booth worker", daemon=True)
                self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker and the camera for good (pages streaming from this session end too)."""
        with self._lock:
            self._closed = True
        self._stop.set()
        self._wake.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.grabber is not None:
            self.grabber.stop()
            self.grabber = None

    # -- control from the pages --------------------------------------------------------------------

    @property
    def case_id(self) -> int | None:
        return self._case_id

    @property
    def armed(self) -> bool:
        return self._armed

    def bind(self, case_id: int, *, arm: bool = True) -> None:
        """Serve case `case_id` from now on (a new case replaces the previous one)."""
        with self._lock:
            if self._case_id != case_id:
                self._last_capture = None
            self._case_id = case_id
            self._armed = arm
            self._capture_error = None
            self._countdown.reset()
            self.touch()
            self._republish()

    def unbind(self, case_id: int | None = None) -> None:
        """Stop serving `case_id` (or whatever case is bound)."""
        with self._lock:
            if case_id is None or self._case_id == case_id:
                self._case_id = None
                self._armed = False
                self._manual = False
                self._last_capture = None
                self._countdown.reset()
                self._republish()

    def arm(self, case_id: int) -> None:
        """Take another photo for `case_id` (a retake): bind if needed, then count down afresh."""
        with self._lock:
            self.bind(case_id, arm=True)
            self._last_capture = None
            self._republish()

    def disarm(self, case_id: int) -> None:
        with self._lock:
            if self._case_id == case_id:
                self._armed = False
                self._countdown.reset()
                self._republish()

    def request_manual(self, case_id: int) -> None:
        """Staff take the photo now, whatever the checks say (the results are stored with it)."""
        with self._lock:
            self.bind(case_id, arm=True)
            self._manual = True

    def touch(self) -> None:
        """Somebody is watching: keep judging for at least `idle_after` seconds."""
        self._last_touch = self._clock()
        self._wake.set()
        self.start()

    # -- state for the pages -----------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        with self._lock:
            return self._state

    def wait_state(self, after_version: int, timeout: float = 1.0) -> dict[str, Any]:
        """The newest state once its version is above `after_version`, or the current one after `timeout`."""
        deadline = self._clock() + timeout
        with self._cond:
            while self._version <= after_version and not self._closed:
                left = deadline - self._clock()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self._state

    def _republish(self) -> None:
        """Publish at once after a control change (bind, arm...), so no page acts on a stale state."""
        with self._lock:
            inputs = dict(self._last_inputs)
            tick = Tick(Phase.IDLE)
            phase = self._phase_for(tick) if self._state.get("phase") not in (PAUSED, NO_CAMERA) \
                else self._state["phase"]
            self._publish(phase=phase, tick=tick, verdict=inputs.get("verdict"), grab=inputs.get("grab"),
                          judge_ms=inputs.get("judge_ms"))

    def _publish(self, *, phase: str, tick: Tick | None = None, verdict: dict[str, Any] | None = None,
                 grab: Grab | None = None, judge_ms: float | None = None) -> None:
        with self._cond:
            if verdict is not None:
                self._last_inputs = {"verdict": verdict, "grab": grab, "judge_ms": judge_ms}
            self._version += 1
            camera = self.grabber.status() if self.grabber is not None else {
                "health": NO_CAMERA if self._camera_error else "starting", "source": None, "seq": 0,
                "fps": 0.0, "frame_size": None, "frame_age": None, "reopens": 0, "error": None,
            }
            if self._camera_error and self.grabber is None:
                camera["error"] = self._camera_error
            self._state = {
                "version": self._version,
                "case_id": self._case_id,
                "armed": self._armed,
                "phase": phase,
                "countdown": (tick or Tick(Phase.IDLE)).as_dict(),
                "verdict": verdict,
                "camera": camera,
                "frame": None if grab is None else {
                    "seq": grab.seq,
                    "grabbed_at": round(grab.grabbed_at, 4),
                    "judged_at": round(self._wall(), 4),
                    "judge_ms": None if judge_ms is None else round(judge_ms, 1),
                    "width": int(grab.frame.shape[1]),
                    "height": int(grab.frame.shape[0]),
                },
                "last_capture": self._last_capture,
                "error": self._capture_error,
            }
            self._cond.notify_all()

    # -- the worker --------------------------------------------------------------------------------

    def _ensure_camera(self) -> bool:
        if self.grabber is not None:
            return True
        try:
            camera = self._camera_factory()
        except KioskError as exc:
            self._camera_error = {"code": exc.code, "message": exc.text.as_dict()}
            log.warning("camera unavailable: %s", exc)
            return False
        except Exception as exc:
            self._camera_error = {"code": "camera_failed", "message": Text("摄像头故障", str(exc)).as_dict()}
            log.exception("opening the camera failed")
            return False
        self._camera_error = None
        self.grabber = FrameGrabber(camera, **self._grabber_options).start()
        return True

    def _release_camera(self) -> None:
        grabber = self.grabber
        if grabber is not None:
            grabber.stop()
            self.grabber = None
            log.info("camera released after %.0f s without viewers", self.release_after)

    def _phase_for(self, tick: Tick) -> str:
        if self._case_id is None or (not self._armed and self._last_capture is None):
            return WAITING
        if not self._armed:
            return CAPTURED
        return tick.phase.value

    def _run(self) -> None:
        judge: JudgeLike | None = None
        last_seq = 0
        while not self._stop.is_set():
            idle = self._clock() - self._last_touch
            if idle > self.idle_after:
                self._countdown.reset()
                if idle > self.release_after and self.grabber is not None:
                    self._release_camera()  # nobody for a while: free the camera (its light goes off)
                    last_seq = 0
                if self._state.get("phase") != PAUSED:
                    self._publish(phase=PAUSED)
                self._wake.clear()
                self._wake.wait(self.heartbeat)
                continue
            if not self._ensure_camera():
                self._publish(phase=NO_CAMERA)
                self._stop.wait(2.0)
                continue
            assert self.grabber is not None
            try:
                grab = self.grabber.wait_newer(last_seq, timeout=self.heartbeat)
            except TimeoutError:
                # No new frame: the countdown cannot go on without seeing the person; report camera health.
                self._countdown.reset()
                self._publish(phase=NO_CAMERA if self.grabber.health != "ok" else self._phase_for(Tick(Phase.IDLE)))
                continue
            last_seq = grab.seq
            try:
                if judge is None:
                    judge = self._judge_factory()  # created in this thread: MediaPipe graphs are per thread
                t0 = time.perf_counter()
                verdict = judge.judge(grab.frame)
                judge_ms = (time.perf_counter() - t0) * 1000
                verdict_dict = verdict.as_dict()
            except Exception as exc:
                log.exception("judging frame %d failed", grab.seq)
                self._countdown.reset()
                with self._lock:
                    self._capture_error = {"code": getattr(exc, "code", "judge_failed"), "message": (
                        exc.text.as_dict() if isinstance(exc, KioskError)
                        else Text("照片检查出错，请联系工作人员", f"The photo checks failed: {exc}").as_dict())}
                self._publish(phase=self._phase_for(Tick(Phase.IDLE)))
                self._stop.wait(1.0)
                continue
            if self._capture_error and self._capture_error.get("code") in ("judge_failed", "frame_invalid"):
                self._capture_error = None
            self.judged += 1
            self._step(grab, verdict, verdict_dict, judge_ms)
        close = getattr(judge, "close", None)
        if callable(close):
            try:
                close()  # release the models in the thread that made them
            except Exception:
                log.exception("closing the judge failed")

    def _step(self, grab: Grab, verdict: Any, verdict_dict: dict[str, Any], judge_ms: float) -> None:
        with self._lock:
            case_id, armed, manual = self._case_id, self._armed, self._manual
            if case_id is None or not armed:
                self._countdown.reset()
                tick = Tick(Phase.IDLE)
            elif manual:
                self._manual = False
                tick = Tick(Phase.CAPTURE, progress=1.0)
            else:
                tick = self._countdown.update(bool(verdict.passed), grab.mono)
        if tick.phase is Phase.CAPTURE and case_id is not None and armed:
            self._capture(Capture(
                case_id=case_id, frame=grab.frame, verdict=verdict, verdict_dict=verdict_dict, seq=grab.seq,
                grabbed_at=grab.grabbed_at, trigger="manual" if manual else "auto",
            ))
        self._publish(phase=self._phase_for(tick), tick=tick, verdict=verdict_dict, grab=grab, judge_ms=judge_ms)

    def _capture(self, capture: Capture) -> None:
        try:
            attempt_id = self._on_capture(capture)
        except KioskError as exc:
            log.error("storing the photo failed: %s", exc)
            with self._lock:
                self._capture_error = {"code": exc.code, "message": exc.text.as_dict()}
                self._armed = False
            return
        except Exception as exc:
            log.exception("storing the photo failed")
            with self._lock:
                self._capture_error = {"code": "capture_failed",
                                       "message": Text("照片保存失败，请联系工作人员", str(exc)).as_dict()}
                self._armed = False
            return
        with self._lock:
            if self._case_id == capture.case_id:
                self._armed = False
                self._capture_error = None
                self._last_capture = {
                    "attempt_id": attempt_id, "case_id": capture.case_id, "trigger": capture.trigger,
                    "seq": capture.seq, "passed": bool(capture.verdict.passed), "at": round(self._wall(), 3),
                }
        log.info("photo attempt %s stored for case %s (%s)", attempt_id, capture.case_id, capture.trigger)
