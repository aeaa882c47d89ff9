"""Where a captured photo becomes a stored attempt (kiosk.booth.attempts.AttemptRecorder), and the counter's
decisions on it, without Flask."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from kiosk import cases
from kiosk.booth.attempts import (
    AttemptRecorder,
    accept_attempt,
    discard_pending,
    has_accepted_photo,
    pending_attempt,
)
from kiosk.booth.session import Capture
from kiosk.models import AttemptStatus, CaptureTrigger, Case, CheckResultRow, PhotoAttempt, User
from kiosk.text import KioskError
from tests.booth.fakes import SignalJudge
from tests.conftest import ENTERPRISE_FORM


def onsite_case(core) -> int:
    with core.db.session() as s:
        staff = s.get(User, core.users["staff"])
        form = {k: (list(v) if isinstance(v, list) else v) for k, v in ENTERPRISE_FORM.items()}
        case = cases.create_case(s, cases.validate_case_input(form), staff)
        cases.move_case(s, case, "start_verification", staff)
        return case.id


def capture(case_id: int, signal: int = 250) -> Capture:
    frame = np.full((720, 1280, 3), 128, np.uint8)
    frame[:8, :8] = signal
    frame.flags.writeable = False
    verdict = SignalJudge().judge(frame)
    return Capture(case_id=case_id, frame=frame, verdict=verdict, verdict_dict=verdict.as_dict(), seq=5,
                   grabbed_at=1_796_000_000.0, trigger=CaptureTrigger.AUTO)


def test_a_capture_becomes_a_stored_attempt_with_its_results(core) -> None:
    case_id = onsite_case(core)
    recorder = AttemptRecorder(core.db, core.archive.store, "counter-1", core.settings.zone)
    attempt_id = recorder(capture(case_id))
    with core.db.session() as s:
        attempt = s.get(PhotoAttempt, attempt_id)
        assert attempt.case_id == case_id and attempt.status == AttemptStatus.TAKEN and attempt.passed
        assert attempt.kiosk_name == "counter-1" and attempt.trigger == "auto"
        rows = s.scalars(select(CheckResultRow).where(CheckResultRow.photo_attempt_id == attempt_id)
                         .order_by(CheckResultRow.position)).all()
        assert [(r.code, r.status, r.value) for r in rows] == [("person_present", "pass", 250.0), ("glasses", "pass", 250.0)]
        jpeg = core.archive.store.get(attempt.image_sha256)
        assert jpeg[:3] == b"\xff\xd8\xff" and b"counter-1" in jpeg  # the stamp's metadata names the kiosk
        assert attempt.taken_at == dt.datetime.fromtimestamp(1_796_000_000, dt.UTC)  # when the frame was grabbed
        assert b"2026-11-30T08:53:20+08:00" in jpeg  # printed and recorded in the kiosk's time zone


def test_no_attempt_for_a_case_that_left_on_site_verification(core) -> None:
    case_id = onsite_case(core)
    with core.db.session() as s:
        cases.move_case(s, s.get(Case, case_id), "back_to_draft", s.get(User, core.users["staff"]), reason="wrong case")
    recorder = AttemptRecorder(core.db, core.archive.store, "counter-1", core.settings.zone)
    with pytest.raises(KioskError) as err:
        recorder(capture(case_id))
    assert err.value.code == "case_not_onsite"
    with pytest.raises(KioskError) as err:
        recorder(capture(999_999))
    assert err.value.code == "case_not_found"


def test_retake_then_accept(core) -> None:
    case_id = onsite_case(core)
    recorder = AttemptRecorder(core.db, core.archive.store, "counter-1", core.settings.zone)
    first = recorder(capture(case_id))
    with core.db.session() as s:
        case, staff = s.get(Case, case_id), s.get(User, core.users["staff"])
        assert pending_attempt(case).id == first
        discard_pending(s, case, staff)
        assert pending_attempt(case) is None and s.get(PhotoAttempt, first).status == AttemptStatus.DISCARDED
    second = recorder(capture(case_id))
    with core.db.session() as s:
        case, staff = s.get(Case, case_id), s.get(User, core.users["staff"])
        accept_attempt(s, s.get(PhotoAttempt, second), staff)
        assert has_accepted_photo(case) and cases.accepted_photo(case).id == second
