"""The booth's live state and its two views, and how the session moves through it, without Flask: the booth
screen learns no names, numbers or measured values; the counter sees everything, including the checks staff
confirm later; a check in the grey band does not stop the photo; staff accepting it shows at once."""

from __future__ import annotations

from kiosk.booth.countdown import Phase, Tick
from kiosk.booth.live import BoothPhase, BoothState, CameraStatus
from kiosk.booth.session import BoothSession, Capture
from kiosk.checkresult import failed, passed, uncertain
from kiosk.photo.result import Verdict
from kiosk.text import Text
from tests.booth.fakes import SignalCamera
from tests.conftest import wait_for

FRAMING = Text("请后退一点", "Step back a little")
BACKDROP = Text("请工作人员确认背景", "Staff: confirm the backdrop")


def grey_band_verdict() -> Verdict:
    return Verdict((passed("person_present", value=1.0, threshold=1.0),
                    uncertain("backdrop", reason="backdrop_grey_band", message=BACKDROP, value=11.8, threshold=12.0)),
                   overlay={"outline": [[0.3, 0.9], [0.5, 0.1], [0.7, 0.9]], "face_box": [0.4, 0.1, 0.6, 0.3]})


def state(verdict: Verdict, *, case_id: int | None = 7, phase: BoothPhase = BoothPhase.STEADY) -> BoothState:
    return BoothState(version=3, phase=phase, camera=CameraStatus("ok", source="fake:1", fps=15.0), case_id=case_id,
                      armed=True, countdown=Tick(Phase.STEADY, steady_for=0.4, progress=0.4), verdict=verdict,
                      verdict_json=verdict.as_dict())


def walk(value: object) -> list[str]:
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in [k, *walk(v)]]
    if isinstance(value, list):
        return [k for v in value for k in walk(v)]
    return []


def test_the_booth_screen_gets_no_values_and_a_grey_band_light_holds() -> None:
    screen = state(grey_band_verdict()).for_screen(7).as_dict()
    assert screen["phase"] == "steady" and screen["passed"] is True  # nothing blocks the photo
    assert [(light["code"], light["passed"]) for light in screen["lights"]] == [("person_present", True), ("backdrop", True)]
    keys = set(walk(screen))
    assert not keys & {"value", "threshold", "case_id", "details", "reason", "results", "source", "uncertain"}
    assert screen["overlay"]["outline"] and screen["instruction"]["zh"] == "很好，请保持不动"


def test_the_counter_sees_values_and_the_checks_to_confirm() -> None:
    counter = state(grey_band_verdict()).for_counter(7).as_dict()
    assert counter["bound_here"] is True and counter["uncertain"] == ["backdrop"]
    assert counter["verdict"]["results"][1]["value"] == 11.8 and counter["lights"][1]["passed"] is False
    assert counter["camera"]["source"] == "fake:1"
    other = state(grey_band_verdict()).for_counter(8).as_dict()
    assert other["bound_here"] is False and other["last_capture"] is None


def test_another_case_sees_only_that_the_booth_waits() -> None:
    screen = state(grey_band_verdict(), case_id=8).for_screen(7).as_dict()
    assert screen["phase"] == "waiting" and screen["lights"] == [] and screen["frame"] is None
    assert "first_failure" not in screen and screen["overlay"] is None


def test_a_blocking_check_gives_the_one_instruction() -> None:
    verdict = Verdict((failed("framing", reason="too_close", message=FRAMING, value=0.2, threshold=0.3),))
    screen = state(verdict, phase=BoothPhase.IDLE).for_screen(7).as_dict()
    assert screen["instruction"] == FRAMING.as_dict() and screen["first_failure"] == "framing"
    assert screen["passed"] is False and screen["lights"][0]["passed"] is False


class GreyBandJudge:
    def judge(self, frame) -> Verdict:
        return grey_band_verdict()


def test_the_session_captures_with_a_check_to_confirm_and_shows_acceptance_at_once() -> None:
    captures: list[Capture] = []

    def store(capture: Capture) -> int:
        captures.append(capture)
        return 41

    camera = SignalCamera(value=250)
    session = BoothSession(lambda: camera, GreyBandJudge, store, steady_seconds=0.1, countdown_seconds=1)
    try:
        session.bind(7)
        assert wait_for(lambda: session.state().phase == BoothPhase.CAPTURED)
        assert len(captures) == 1 and captures[0].verdict.uncertain[0].code == "backdrop"
        assert session.state().for_screen(7).as_dict()["captured"]["attempt_id"] == 41
        version = session.state().version
        session.accepted(7)  # what the counter's accept does after committing
        now = session.wait_state(version, timeout=0.5)
        assert now.phase == BoothPhase.ACCEPTED and now.for_screen(7).as_dict()["instruction"]["zh"] == "拍照完成，请回到柜台"
        session.arm(7)  # a retake: the new photo is not accepted yet
        assert wait_for(lambda: len(captures) == 2 and session.state().phase == BoothPhase.CAPTURED)
    finally:
        session.stop()
