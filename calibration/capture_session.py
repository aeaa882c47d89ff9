"""Backdrop calibration from the live camera (the admin page's steps, without Flask).

1. `collect_frames(source)`: a few seconds of the empty backdrop from the camera's grabber (the newest frames,
   spread over the time so that a passer-by or a flicker drops out of the median).
2. `start_draft(frames, ...)`: the backdrop model (calibration.backdrop_model), the camera check
   (calibration.camera_check) and the guide geometry (kiosk.booth.guide): a `Draft` kept in memory (`Drafts`)
   until the admin marks the wordmark and saves, or starts again.
3. `save_draft(session, draft, wordmark, ...)`: the wordmark's template from the still, the camera check again
   (focus on the wordmark), and the kiosk's next profile version (kiosk.profiles.new_version: never an edit in
   place), logged as the AuditEvent "backdrop_calibrated".
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np
from sqlalchemy.orm import Session

from calibration.backdrop_model import Region, median_frame, model_from_frames, wordmark_template
from calibration.camera_check import check_camera, summary
from kiosk import profiles
from kiosk.booth.guide import guide_from_region
from kiosk.booth.session import BoothSession
from kiosk.models import AuditEvent, BackdropProfile, User
from kiosk.text import KioskError, Text

CAPTURE_SECONDS = 3.0  # how long the kiosk looks at the empty backdrop
CAPTURE_FRAMES = 8  # frames taken over that time (the median of these is the still)
SETTLE_SECONDS = 3.0  # after 开始, time for the admin to step out of the picture
FRAME_TIMEOUT = 5.0  # a camera that delivers nothing for this long fails the calibration
KEEP_DRAFTS = 4  # drafts kept in memory (one per admin trying; the oldest go)
MIN_WORDMARK = 0.01  # a wordmark box narrower or lower than this fraction of the frame is refused

NO_FRAMES = Text("摄像头没有画面：请检查摄像头连接后重试", "The camera delivers no picture: check its cable and try again")
DRAFT_GONE = Text("这次校准已过期：请重新按“开始”", "This calibration has expired: press Start again")


class FrameSource(Protocol):
    """What a capture.grabber.FrameGrabber offers: the newest frame after a sequence number."""

    def wait_newer(self, after_seq: int, timeout: float = 2.0) -> Any: ...


def collect_frames(source: FrameSource, *, seconds: float = CAPTURE_SECONDS, count: int = CAPTURE_FRAMES,
                   sleep: Callable[[float], None] = time.sleep, touch: Callable[[], None] | None = None,
                   ) -> list[np.ndarray]:
    """`count` distinct frames spread over `seconds` (each a copy: grabber frames are shared and read-only).
    KioskError("calibration_no_frames") when the camera stays silent for FRAME_TIMEOUT."""
    frames: list[np.ndarray] = []
    seq = 0
    gap = seconds / max(1, count - 1) if count > 1 else 0.0
    while len(frames) < count:
        if touch is not None:
            touch()
        try:
            grab = source.wait_newer(seq, timeout=FRAME_TIMEOUT)
        except TimeoutError as exc:
            raise KioskError("calibration_no_frames", NO_FRAMES, 503) from exc
        seq = grab.seq
        frames.append(np.array(grab.frame, copy=True))
        if len(frames) < count and gap > 0:
            sleep(gap)
    return frames


def frames_from_booth(booth: BoothSession, *, settle: float = SETTLE_SECONDS, seconds: float = CAPTURE_SECONDS,
                      count: int = CAPTURE_FRAMES, sleep: Callable[[float], None] = time.sleep) -> list[np.ndarray]:
    """The booth camera's frames of the empty backdrop: wake the booth (its worker opens the camera), give the
    admin `settle` seconds to step out, then `collect_frames`."""
    booth.touch()
    waited = 0.0
    while booth.grabber is None and waited < FRAME_TIMEOUT:
        sleep(0.1)
        waited += 0.1
        booth.touch()
    grabber = booth.grabber
    if grabber is None:
        raise KioskError("calibration_no_frames", NO_FRAMES, 503)
    if settle > 0:
        sleep(settle)
    return collect_frames(grabber, seconds=seconds, count=count, sleep=sleep, touch=booth.touch)


@dataclass(slots=True)
class Draft:
    """One calibration waiting for the wordmark and the admin's save."""

    id: str
    kiosk_name: str
    still: np.ndarray  # the median frame (BGR)
    profile: dict[str, Any]  # backdrop_model's profile, with "guide" and the camera check
    created_at: float = field(default_factory=time.time)

    @property
    def region(self) -> list[float]:
        return list(self.profile["backdrop"]["region"])

    @property
    def checks(self) -> list[dict[str, Any]]:
        return list(self.profile["camera"]["check"])

    def still_jpeg(self, quality: int = 85) -> bytes:
        ok, data = cv2.imencode(".jpg", self.still, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise ValueError("cannot encode the still")
        return data.tobytes()


class Drafts:
    """The drafts in memory (thread-safe), newest last; only the last KEEP_DRAFTS are kept."""

    def __init__(self, keep: int = KEEP_DRAFTS) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self._drafts: OrderedDict[str, Draft] = OrderedDict()

    def add(self, draft: Draft) -> Draft:
        with self._lock:
            self._drafts[draft.id] = draft
            while len(self._drafts) > self._keep:
                self._drafts.popitem(last=False)
        return draft

    def get(self, draft_id: str, kiosk_name: str) -> Draft:
        """The draft, or KioskError("calibration_draft_gone") when it expired, never was or is another kiosk's."""
        with self._lock:
            draft = self._drafts.get(draft_id or "")
        if draft is None or draft.kiosk_name != kiosk_name:
            raise KioskError("calibration_draft_gone", DRAFT_GONE, 409)
        return draft

    def pop(self, draft_id: str) -> None:
        with self._lock:
            self._drafts.pop(draft_id, None)


def _kept_thresholds(previous: BackdropProfile | None) -> dict[str, Any]:
    """The previous version's thresholds (tuned at this kiosk) that a new backdrop model does not replace."""
    return dict((previous.data or {}).get("thresholds") or {}) if previous is not None else {}


def start_draft(frames: list[np.ndarray], kiosk_name: str, previous: BackdropProfile | None = None) -> Draft:
    """The backdrop model, guide geometry and camera check from `frames` of the empty backdrop."""
    if not frames:
        raise KioskError("calibration_no_frames", NO_FRAMES, 503)
    profile = model_from_frames(frames, base=_kept_thresholds(previous))
    region = profile["backdrop"]["region"]
    if region[2] - region[0] <= 0 or region[3] - region[1] <= 0:
        raise KioskError("calibration_no_curtain", Text("画面中没有找到幕布：请让镜头对准幕布后重试",
                                                        "No curtain found in the picture: aim the camera at it and try again"), 422)
    still = median_frame(frames)
    profile["guide"] = guide_from_region(region).as_dict()
    previous_lab = ((previous.data or {}).get("backdrop") or {}).get("lab") if previous is not None else None
    profile["camera"]["check"] = check_camera(still, region, None, reference_lab=previous_lab)
    return Draft(secrets.token_hex(8), kiosk_name, still, profile)


def parse_wordmark(fields: dict[str, str | None]) -> Region | None:
    """The wordmark box from the form's x0, y0, x1, y1 (fractions of the frame); None when all are empty.
    KioskError("calibration_bad_wordmark") for anything else than a box inside the frame."""
    names = ("x0", "y0", "x1", "y1")
    raw = [(fields.get(n) or "").strip() for n in names]
    if not any(raw):
        return None
    bad = KioskError("calibration_bad_wordmark", Text("标志区域无效：请在画面上拖出一个矩形框住标志",
                                                      "The wordmark box is invalid: drag a rectangle around the wordmark"), 400)
    try:
        x0, y0, x1, y1 = (float(v) for v in raw)
    except ValueError as exc:
        raise bad from exc
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    if not all(np.isfinite(v) and 0.0 <= v <= 1.0 for v in (x0, y0, x1, y1)) \
            or x1 - x0 < MIN_WORDMARK or y1 - y0 < MIN_WORDMARK:
        raise bad
    return (round(x0, 4), round(y0, 4), round(x1, 4), round(y1, 4))


def save_draft(session: Session, draft: Draft, wordmark: Region | None, *, created_by: User | None,
               remote_addr: str = "") -> BackdropProfile:
    """The kiosk's next profile version from `draft` (and the wordmark's template when marked); the caller
    commits. The draft itself is not changed (a failed save loses nothing)."""
    profile = {key: (dict(value) if isinstance(value, dict) else value) for key, value in draft.profile.items()}
    profile["backdrop"] = dict(profile["backdrop"])
    profile["camera"] = dict(profile["camera"])
    if wordmark is not None:
        try:
            profile["backdrop"]["wordmark"] = wordmark_template(draft.still, wordmark)
        except ValueError as exc:
            raise KioskError("calibration_bad_wordmark", Text("标志区域太小：请框住整个标志",
                                                              "The wordmark box is too small: frame the whole wordmark"), 400) from exc
        profile["camera"]["check"] = check_camera(draft.still, draft.region, wordmark,
                                                  reference_lab=_reference(draft.profile))
    version = profiles.new_version(session, draft.kiosk_name, profile, source="calibrate", created_by=created_by,
                                   note=f"from the live camera, {profile['backdrop']['frames']} frames")
    session.add(AuditEvent(action="backdrop_calibrated", actor_id=created_by.id if created_by else None,
                           target=draft.kiosk_name, remote_addr=remote_addr,
                           detail={"kiosk_name": draft.kiosk_name, "version": version.version,
                                   "region": profile["backdrop"]["region"], "wordmark": list(wordmark) if wordmark else None,
                                   "camera_check": summary(profile["camera"]["check"])}))
    session.flush()
    return version


def _reference(profile: dict[str, Any]) -> list[float] | None:
    """The colour the white-balance check compared with when the draft was made (the previous version's)."""
    for item in profile["camera"]["check"]:
        if item["code"] == "white_balance":
            return item.get("reference_lab")
    return None


def export_version(session: Session, kiosk_name: str, version: int, *, created_by: User | None,
                   remote_addr: str = "") -> dict[str, Any] | None:
    """Version `version` of the kiosk's profile as export JSON (kiosk.profiles.export_profile), the export logged
    as the AuditEvent "profile_exported"; None when there is no such version. The caller commits."""
    profile = profiles.get_version(session, kiosk_name, version)
    if profile is None:
        return None
    session.add(AuditEvent(action="profile_exported", actor_id=created_by.id if created_by else None,
                           target=kiosk_name, remote_addr=remote_addr,
                           detail={"kiosk_name": kiosk_name, "version": version}))
    return profiles.export_profile(profile)
