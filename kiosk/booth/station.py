"""The photo station put together from Settings: the camera (`settings.camera`), the judge (`settings.profile`)
and the recorder that stores each capture (`kiosk.booth.attempts.AttemptRecorder`), in one `BoothSession`.

Nothing heavy starts here: the session opens the camera and makes the judge in its worker thread on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from capture import AUTO, Camera, open_source
from kiosk.archive.store import BlobStore
from kiosk.booth.attempts import AttemptRecorder, has_accepted_photo, pending_attempt
from kiosk.booth.session import BoothSession, JudgeLike
from kiosk.db import Database
from kiosk.models import Case
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
                        **(options or {}))


def serve_case(booth: BoothSession, case: Case) -> None:
    """Staff opened the booth for `case`: serve it, ready to take a photo unless one waits for their decision."""
    booth.bind(case.id, arm=pending_attempt(case) is None)


def pick_up(booth: BoothSession, case: Case) -> None:
    """A booth screen with a current token for `case` found the session serving nothing (the kiosk restarted):
    serve the case again, armed only if no photo waits for a decision and none was accepted."""
    if booth.case_id is None:
        accepted = has_accepted_photo(case)
        booth.bind(case.id, arm=pending_attempt(case) is None and not accepted, accepted=accepted)
