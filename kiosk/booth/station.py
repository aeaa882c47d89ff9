"""The photo station put together from Settings: the camera (`settings.camera`), the judge (`settings.profile`)
and the recorder that stores each capture (`kiosk.booth.attempts.AttemptRecorder`), in one `BoothSession`.

Nothing heavy starts here: the session opens the camera and makes the judge in its worker thread on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from capture import Camera, open_source
from kiosk.archive.store import BlobStore
from kiosk.booth.attempts import AttemptRecorder
from kiosk.booth.session import BoothSession, JudgeLike
from kiosk.db import Database
from kiosk.settings import Settings


def camera_factory(settings: Settings) -> Callable[[], Camera]:
    """Opens the kiosk's camera (webcam index, URL, video file, image folder, "browser" or "auto")."""
    spec = settings.camera or "auto"
    return lambda: open_source(spec)


def judge_factory(settings: Settings) -> Callable[[], JudgeLike]:
    """Makes the photo judge for video (tracking across frames) with the kiosk's threshold profile, if any."""
    profile = settings.profile

    def make_judge() -> JudgeLike:
        from kiosk.photo import JudgeConfig, PhotoJudge  # loads MediaPipe: only in the booth's worker thread

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
    return BoothSession(camera or camera_factory(settings), judge or judge_factory(settings), recorder,
                        **(options or {}))
