"""The booth session: one worker thread per running camera that judges the newest frame continuously.

The worker takes the newest frame from the grabber (never a queue), judges it with a `PhotoJudge(video=True)`
created in the worker thread, feeds the verdict to the stability countdown and publishes the latest state
(`kiosk.booth.live.BoothState`: verdict, countdown, camera health, frame seq and timings) for the pages' live
updates. The countdown runs while nothing blocks the photo (`Verdict.capturable`: a check in the grey band does
not stop it; staff confirm that check when they accept). When it completes while the booth is armed for a case,
the very frame that was judged is handed to `on_capture` (`kiosk.booth.attempts.AttemptRecorder`: finishes and
stores the photo) and the booth disarms until staff ask for a retake. Staff accepting the photo tells the session
(`accepted`), and the booth screen shows it at once.

Liveness (`liveness=` a factory of `kiosk.liveness.LivenessSession`; None = off, `Settings.liveness`): while the
booth is armed, each frame's face mesh (the judge's own `observe`, models run once per frame) feeds the case's
liveness session, and the countdown only starts once it passed and the same face is still in view, or staff
skipped it with a written reason (`skip_liveness`). A failed test (20 s, wrong actions, a flat face, a screen)
keeps the booth from capturing until staff skip it or ask for a retake (a fresh test). The result goes with the
capture (`Capture.liveness`) and is stored with the attempt.

The worker only judges while someone is watching (`touch()` from the pages' event streams), so an unattended
kiosk does not burn its CPU. `kiosk.booth.station` builds a session from Settings.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from capture.base import Camera, CameraError
from capture.grabber import FrameGrabber, Grab
from capture.push import PushCamera
from capture.stream import JpegCache
from kiosk.booth.countdown import Phase, StabilityCountdown, Tick
from kiosk.booth.live import BoothPhase, BoothProblem, BoothState, CameraStatus, FrameInfo, LastCapture
from kiosk.liveness import FaceMeasures, LivenessResult, LivenessSession, Step, measure, presentation_attack
from kiosk.liveness import Phase as LivenessPhase
from kiosk.liveness.session import LOOK
from kiosk.models import CaptureTrigger
from kiosk.photo.result import Verdict
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 8 * 1024 * 1024  # one frame uploaded by the booth page's own camera
_running: weakref.WeakSet[BoothSession] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Stop every booth before the interpreter exits: a worker still inside the vision models when daemon threads
    are torn down aborts the process."""
    for booth in list(_running):
        booth.stop(timeout=3.0)


class JudgeLike(Protocol):
    """What the booth needs of a judge (kiosk.photo.PhotoJudge; tests pass fakes)."""

    def judge(self, frame_bgr: np.ndarray) -> Verdict: ...


class ObservingJudge(JudgeLike, Protocol):
    """A judge that also hands out its per-frame observation (the face mesh), for liveness."""

    def observe(self, frame_bgr: np.ndarray) -> Any: ...

    def judge_observation(self, obs: Any) -> Verdict: ...


@dataclass(frozen=True, slots=True)
class Capture:
    """What the worker hands to `on_capture`: the exact judged frame and its verdict."""

    case_id: int
    frame: np.ndarray  # the camera's own frame: full resolution, not mirrored, read-only
    verdict: Verdict
    verdict_dict: dict[str, Any]  # verdict.as_dict(), as stored with the attempt
    seq: int
    grabbed_at: float  # wall clock
    trigger: CaptureTrigger
    liveness: dict[str, Any] | None = None  # LivenessResult.as_dict() (None: liveness off at this booth)


def _close_judge(judge: Any) -> None:
    """Release a judge's models (in the thread that made them)."""
    close = getattr(judge, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.exception("closing the judge failed")


def measure_observation(obs: Any, t: float) -> tuple[FaceMeasures, bool]:
    """One observation's liveness measures at time `t` and whether a presentation-attack cue fired (a screen or
    print outline around the face, a screen's pixel grid in it: kiosk.liveness.presentation_attack)."""
    return measure(getattr(obs, "mesh", None), t), presentation_attack(obs)


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
        liveness: Callable[[], LivenessSession] | None = None,
        measure_frame: Callable[[Any, float], tuple[FaceMeasures, bool]] = measure_observation,
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
        self._preview: JpegCache | None = None
        self._camera_error: BoothProblem | None = None
        self._case_id: int | None = None
        self._armed = False
        self._accepted = False
        self._manual = False
        self._last_touch = clock()
        self._last_capture: LastCapture | None = None
        self._capture_error: BoothProblem | None = None
        self._version = 0
        self._state = BoothState(0, BoothPhase.PAUSED, CameraStatus("starting"))
        self._last_frame: tuple[Verdict, dict[str, Any], Grab, float] | None = None  # to republish on changes
        self.judged = 0
        self._liveness_factory = liveness
        self._measure_frame = measure_frame
        self._liveness: LivenessSession | None = None  # the bound case's test (fed in the worker, under the lock)
        self._liveness_step: Step | None = None
        self._judge_stale = False  # set by reload_judge(): the worker makes its judge again
        self._publish(phase=BoothPhase.PAUSED)

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
                _running.add(self)
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

    def bind(self, case_id: int, *, arm: bool = True, accepted: bool = False) -> None:
        """Serve case `case_id` from now on (a new case replaces the previous one). `accepted`: staff have already
        accepted the case's photo (a booth picking its case up again after a restart)."""
        with self._lock:
            if self._case_id != case_id:
                self._last_capture = None
                self._new_liveness()
            elif arm and self._liveness is not None and not self._liveness_valid():
                self._new_liveness()  # a retake after a failed test (or another face): test afresh
            self._case_id = case_id
            self._armed = arm
            self._accepted = accepted and not arm
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
                self._accepted = False
                self._manual = False
                self._last_capture = None
                self._new_liveness()
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

    def accepted(self, case_id: int) -> None:
        """Staff accepted the photo of `case_id`: the booth screen says so at once (no polling)."""
        with self._lock:
            if self._case_id == case_id:
                self._armed = False
                self._accepted = True
                self._countdown.reset()
                self._republish()

    def request_manual(self, case_id: int) -> None:
        """Staff take the photo now, whatever the checks say (the results are stored with it)."""
        with self._lock:
            self.bind(case_id, arm=True)
            self._manual = True

    # -- liveness ----------------------------------------------------------------------------------------

    @property
    def liveness_enabled(self) -> bool:
        return self._liveness_factory is not None

    def _new_liveness(self) -> None:
        self._liveness = self._liveness_factory() if self._liveness_factory is not None else None
        self._liveness_step = None

    def _liveness_valid(self) -> bool:
        """The bound case may be photographed as far as liveness goes: off, skipped, or passed by the face still
        in view."""
        live = self._liveness
        if live is None:
            return True
        return live.phase == LivenessPhase.SKIPPED or live.present

    def skip_liveness(self, case_id: int, staff: str, reason: str) -> LivenessResult:
        """Staff skip the liveness test of `case_id` (e.g. a disability): who and the written reason are
        recorded with the photo. KioskError when the booth does not serve the case or the reason is missing."""
        with self._lock:
            if self._case_id != case_id:
                raise KioskError("booth_not_serving", Text("摄像头没有在为这个案件拍照",
                                                            "The booth is not serving this case"), status=409)
            if self._liveness is None:
                self._new_liveness()
            if self._liveness is None:
                raise KioskError("liveness_off", Text("本机未启用活体检测", "Liveness is off at this kiosk"), status=409)
            result = self._liveness.skip(staff, reason, self._clock())
            self._liveness_step = self._liveness.tick(self._clock())
            self._republish()
            return result

    def liveness_result(self) -> LivenessResult | None:
        with self._lock:
            return self._liveness.result() if self._liveness is not None else None

    def reload_judge(self) -> None:
        """The kiosk's calibration profile changed: the worker makes its judge again before the next frame."""
        self._judge_stale = True
        self._wake.set()

    def touch(self) -> None:
        """Somebody is watching: keep judging for at least `idle_after` seconds."""
        self._last_touch = self._clock()
        self._wake.set()
        self.start()

    def preview(self, quality: int) -> JpegCache | None:
        """The shared JPEG encoder of the camera's newest frame (None until the camera is open)."""
        grabber = self.grabber
        if grabber is None:
            return None
        with self._lock:
            if self._preview is None or self._preview.grabber is not grabber:
                self._preview = JpegCache(grabber, quality=quality)
            return self._preview

    def push_frame(self, data: bytes) -> bool:
        """Hand a JPEG or PNG from the booth page's own camera (`--camera browser`) to the grabber; False while
        the camera is still starting. Raises KioskError("frame_invalid") for an empty, oversized or unreadable
        frame."""
        if not data or len(data) > MAX_FRAME_BYTES:
            raise KioskError("frame_invalid", Text("图像无效", "Empty or oversized frame"), status=400)
        frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if frame is None:
            raise KioskError("frame_invalid", Text("图像无法解码", "The frame is not a readable JPEG or PNG"), status=400)
        self.touch()
        camera = self.grabber.camera if self.grabber is not None else None
        if not isinstance(camera, PushCamera):
            return False
        camera.push(frame)
        return True

    # -- state for the pages -----------------------------------------------------------------------

    def state(self) -> BoothState:
        with self._lock:
            return self._state

    def wait_state(self, after_version: int, timeout: float = 1.0) -> BoothState:
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
            phase = self._state.phase
            if phase not in (BoothPhase.PAUSED, BoothPhase.NO_CAMERA):
                phase = self._phase_for(Tick(Phase.IDLE))
            self._publish(phase=phase, frame=self._last_frame)

    def _publish(self, *, phase: BoothPhase, tick: Tick | None = None,
                 frame: tuple[Verdict, dict[str, Any], Grab, float] | None = None) -> None:
        """Replace the state; `frame` is the newest judged frame (verdict, its JSON, the grab, judging ms)."""
        with self._cond:
            if frame is not None:
                self._last_frame = frame
            self._version += 1
            if self.grabber is not None:
                camera = CameraStatus.from_grabber(self.grabber.status())
            else:
                camera = CameraStatus(BoothPhase.NO_CAMERA if self._camera_error else "starting",
                                      error=self._camera_error)
            verdict, verdict_json, grab, judge_ms = frame if frame is not None else (None, None, None, None)
            self._state = BoothState(
                version=self._version,
                phase=phase,
                camera=camera,
                case_id=self._case_id,
                armed=self._armed,
                accepted=self._accepted,
                countdown=tick or Tick(Phase.IDLE),
                verdict=verdict,
                verdict_json=verdict_json,
                frame=None if grab is None else FrameInfo(
                    seq=grab.seq, grabbed_at=grab.grabbed_at, judged_at=self._wall(), judge_ms=judge_ms,
                    width=int(grab.frame.shape[1]), height=int(grab.frame.shape[0])),
                last_capture=self._last_capture,
                error=self._capture_error,
                liveness=self._liveness_view(),
            )
            self._cond.notify_all()

    # -- the worker --------------------------------------------------------------------------------

    def _ensure_camera(self) -> bool:
        if self.grabber is not None:
            return True
        try:
            camera = self._camera_factory()
        except (KioskError, CameraError) as exc:
            self._camera_error = BoothProblem(exc.code, Text(exc.text.zh, exc.text.en))
            log.warning("camera unavailable: %s", exc)
            return False
        except Exception as exc:
            self._camera_error = BoothProblem("camera_failed", Text("摄像头故障", str(exc)))
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

    def _liveness_view(self) -> dict[str, Any] | None:
        """The bound case's liveness for the pages: the step (instruction, progress) and, once over, the result."""
        live = self._liveness
        if live is None or self._case_id is None:
            return None
        step = self._liveness_step or Step(LivenessPhase.WAITING, LOOK, total=len(live.plan))
        out: dict[str, Any] = {"step": step.as_dict(), "plan": [str(c) for c in live.plan],
                               "valid": self._liveness_valid()}
        if live.finished:
            result = live.result()
            out["result"] = {"outcome": str(result.outcome), "reason": result.reason,
                             "message": result.message.as_dict(), "duration_s": round(result.duration_s, 2),
                             "skipped_by": result.skipped_by, "skip_reason": result.skip_reason}
        return out

    def _phase_for(self, tick: Tick) -> BoothPhase:
        if self._case_id is None or (not self._armed and self._last_capture is None):
            return BoothPhase.WAITING
        if not self._armed:
            return BoothPhase.ACCEPTED if self._accepted else BoothPhase.CAPTURED
        if tick.phase is Phase.IDLE and not self._manual and not self._liveness_valid():
            return BoothPhase.LIVENESS
        return BoothPhase(tick.phase.value)

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
                if self._state.phase != BoothPhase.PAUSED:
                    self._publish(phase=BoothPhase.PAUSED)
                self._wake.clear()
                self._wake.wait(self.heartbeat)
                continue
            if not self._ensure_camera():
                self._publish(phase=BoothPhase.NO_CAMERA)
                self._stop.wait(2.0)
                continue
            assert self.grabber is not None
            try:
                grab = self.grabber.wait_newer(last_seq, timeout=self.heartbeat)
            except TimeoutError:
                # No new frame: the countdown cannot go on without seeing the person; report camera health.
                self._countdown.reset()
                self._publish(phase=BoothPhase.NO_CAMERA if self.grabber.health != "ok"
                              else self._phase_for(Tick(Phase.IDLE)))
                continue
            last_seq = grab.seq
            if self._judge_stale:
                self._judge_stale = False
                _close_judge(judge)
                judge = None  # made again below with the kiosk's new calibration profile
            try:
                if judge is None:
                    judge = self._judge_factory()  # created in this thread: MediaPipe graphs are per thread
                t0 = time.perf_counter()
                obs = None
                if self._liveness_factory is not None:  # one observation feeds the checks and the liveness test
                    observing: ObservingJudge = judge  # type: ignore[assignment]  # checked by open_booth
                    obs = observing.observe(grab.frame)
                    verdict = observing.judge_observation(obs)
                else:
                    verdict = judge.judge(grab.frame)
                judge_ms = (time.perf_counter() - t0) * 1000
                verdict_dict = verdict.as_dict()
            except Exception as exc:
                log.exception("judging frame %d failed", grab.seq)
                self._countdown.reset()
                with self._lock:
                    self._capture_error = BoothProblem(getattr(exc, "code", "judge_failed"), (
                        exc.text if isinstance(exc, KioskError)
                        else Text("照片检查出错，请联系工作人员", f"The photo checks failed: {exc}")))
                self._publish(phase=self._phase_for(Tick(Phase.IDLE)))
                self._stop.wait(1.0)
                continue
            if self._capture_error and self._capture_error.code in ("judge_failed", "frame_invalid"):
                self._capture_error = None
            self.judged += 1
            self._step(grab, verdict, verdict_dict, judge_ms, obs)
        _close_judge(judge)

    def _feed_liveness(self, grab: Grab, obs: Any) -> None:
        """Feed the bound case's liveness test with this frame's face mesh (under the lock)."""
        live = self._liveness
        if live is None or obs is None:
            return
        if live.phase == LivenessPhase.PASSED and not live.present:
            self._new_liveness()  # the face that passed left, or another stepped in: test again
            live = self._liveness
            assert live is not None
        if live.finished and live.phase != LivenessPhase.PASSED:
            return  # failed or skipped: nothing more to measure
        measures, attack = self._measure_frame(obs, grab.mono)
        self._liveness_step = live.feed(measures, attack=attack)

    def _step(self, grab: Grab, verdict: Verdict, verdict_dict: dict[str, Any], judge_ms: float,
              obs: Any = None) -> None:
        with self._lock:
            case_id, armed, manual = self._case_id, self._armed, self._manual
            if case_id is not None and armed and not manual:
                self._feed_liveness(grab, obs)
            liveness = self._liveness.result().as_dict() if self._liveness is not None else None
            if case_id is None or not armed:
                self._countdown.reset()
                tick = Tick(Phase.IDLE)
            elif manual:
                self._manual = False
                tick = Tick(Phase.CAPTURE, progress=1.0)
            elif not self._liveness_valid():
                self._countdown.reset()
                tick = Tick(Phase.IDLE)
            else:
                tick = self._countdown.update(verdict.capturable, grab.mono)
        if tick.phase is Phase.CAPTURE and case_id is not None and armed:
            self._capture(Capture(
                case_id=case_id, frame=grab.frame, verdict=verdict, verdict_dict=verdict_dict, seq=grab.seq,
                grabbed_at=grab.grabbed_at, trigger=CaptureTrigger.MANUAL if manual else CaptureTrigger.AUTO,
                liveness=liveness,
            ))
        self._publish(phase=self._phase_for(tick), tick=tick, frame=(verdict, verdict_dict, grab, judge_ms))

    def _capture(self, capture: Capture) -> None:
        try:
            attempt_id = self._on_capture(capture)
        except KioskError as exc:
            log.error("storing the photo failed: %s", exc)
            with self._lock:
                self._capture_error = BoothProblem(exc.code, exc.text)
                self._armed = False
            return
        except Exception as exc:
            log.exception("storing the photo failed")
            with self._lock:
                self._capture_error = BoothProblem("capture_failed", Text("照片保存失败，请联系工作人员", str(exc)))
                self._armed = False
            return
        with self._lock:
            if self._case_id == capture.case_id:
                self._armed = False
                self._accepted = False
                self._capture_error = None
                self._last_capture = LastCapture(
                    attempt_id=attempt_id, case_id=capture.case_id, trigger=capture.trigger, seq=capture.seq,
                    passed=capture.verdict.passed, at=self._wall(),
                )
        log.info("photo attempt %s stored for case %s (%s)", attempt_id, capture.case_id, capture.trigger)
