"""The photo station put together from Settings: the camera (`settings.camera`), the judge (`settings.profile`)
and the recorder that stores each capture (`kiosk.booth.attempts.AttemptRecorder`), in one `BoothSession`.

Nothing heavy starts here: the session opens the camera and makes the judge in its worker thread on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from capture import AUTO, Camera, open_source
from kiosk.archive.store import BlobStore
from kiosk.booth.attempts import (
    AttemptRecorder,
    has_accepted_photo,
    normalise_reason,
    pending_attempt,
    require_onsite,
)
from kiosk.booth.session import BoothSession, JudgeLike
from kiosk.db import Database
from kiosk.liveness import LivenessConfig, LivenessSession
from kiosk.models import AuditEvent, Case, User, utcnow
from kiosk.profiles import current as current_profile
from kiosk.settings import Settings


def camera_factory(settings: Settings) -> Callable[[], Camera]:
    """Opens the kiosk's camera (webcam index, URL, video file, image folder, "browser" or "auto")."""
    spec = settings.camera or AUTO
    return lambda: open_source(spec)


def judge_factory(settings: Settings, database: Database | None = None) -> Callable[[], JudgeLike]:
    """Makes the photo judge for video (tracking across frames) with the kiosk's current calibration profile
    version from the database (kiosk.profiles), else the threshold profile file of the settings, if any."""
    profile = settings.profile

    def make_judge() -> JudgeLike:
        from kiosk.photo import JudgeConfig, PhotoJudge  # loads MediaPipe: only in the booth's worker thread

        if database is not None:
            with database.session() as db:
                stored = current_profile(db, settings.kiosk_name)
                if stored is not None:
                    return PhotoJudge(JudgeConfig.from_dict(stored.data.get("thresholds")), video=True)
        return PhotoJudge(JudgeConfig.from_profile(profile) if profile else None, video=True)

    return make_judge


def liveness_factory(settings: Settings) -> Callable[[], LivenessSession] | None:
    """A fresh liveness test per applicant with the profile's "liveness" limits; None when `settings.liveness`
    is off (tests with fake judges, a demo on the bundled video: that animated still never passes)."""
    if not settings.liveness:
        return None
    config = LivenessConfig.from_profile(settings.profile) if settings.profile else LivenessConfig()
    return lambda: LivenessSession(config)


def open_booth(
    settings: Settings,
    database: Database,
    store: BlobStore,
    *,
    camera: Callable[[], Camera] | None = None,
    judge: Callable[[], JudgeLike] | None = None,
    options: dict[str, Any] | None = None,
) -> BoothSession:
    """The kiosk's booth session. `camera` and `judge` replace the factories made from `settings` (tests pass
    fakes); `options` are BoothSession's timings."""
    recorder = AttemptRecorder(database, store, settings.kiosk_name, settings.zone)
    return BoothSession(camera or camera_factory(settings), judge or judge_factory(settings, database), recorder,
                        liveness=liveness_factory(settings), **(options or {}))


def serve_case(booth: BoothSession, case: Case) -> None:
    """Staff opened the booth for `case`: serve it, ready to take a photo unless one waits for their decision."""
    booth.bind(case.id, arm=pending_attempt(case) is None)


def pick_up(booth: BoothSession, case: Case) -> None:
    """A booth screen with a current token for `case` found the session serving nothing (the kiosk restarted):
    serve the case again, armed only if no photo waits for a decision and none was accepted."""
    if booth.case_id is None:
        accepted = has_accepted_photo(case)
        booth.bind(case.id, arm=pending_attempt(case) is None and not accepted, accepted=accepted)


def skip_liveness(session: Session, booth: BoothSession, case: Case, actor: User, reason: str | None,
                  remote_addr: str = "") -> None:
    """Staff skip the booth's liveness test for `case` (the applicant cannot blink, turn or open the mouth, or
    the demo video): the written reason and who are kept with the next photo and in the audit log. The caller
    commits. KioskError when the reason is missing, the case is not on site or the booth serves another case."""
    require_onsite(case)
    text = normalise_reason(reason)
    result = booth.skip_liveness(case.id, actor.username, text)
    session.add(AuditEvent(
        actor_id=actor.id, action="liveness_skipped", target=f"case:{case.id}",
        detail={"case_id": case.id, "reason": text, "plan": result.evidence.get("plan"),
                "at": utcnow().isoformat()},
        remote_addr=remote_addr,
    ))
