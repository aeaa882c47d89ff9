"""The photo judge: observe a frame once, run every registered check, order the results."""

from __future__ import annotations

import logging
from typing import Any

import cv2
import numpy as np

from kiosk.checkresult import run_checks
from kiosk.photo.checks import CHECKS, prepare
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import Verdict
from kiosk.photo.vision import Models, Observation, observe
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

MAX_SIDE = 1280  # larger frames are scaled down before the models run (all measures are relative)


class PhotoJudge:
    """Decide whether a frame is an acceptable ICP verification photo, and say why not.

    Models are created on first use and kept warm. `video=True` uses MediaPipe tracking for a live stream
    (consecutive frames of one camera); `video=False` treats every frame as an independent photo.
    Not thread-safe: MediaPipe graphs keep state, so use one judge per thread.
    """

    def __init__(self, config: JudgeConfig | None = None, *, video: bool = False) -> None:
        self.config = config or JudgeConfig()
        self.video = video
        self.models = Models(video=video)

    def warm_up(self) -> None:
        """Create the models now (otherwise the first frame pays for it)."""
        self.models.warm_up()

    def close(self) -> None:
        self.models.close()

    def __enter__(self) -> PhotoJudge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def observe(self, frame_bgr: np.ndarray) -> Observation:
        """Run the models once on a validated (and, if huge, downscaled) frame."""
        frame = _validate(frame_bgr)
        h, w = frame.shape[:2]
        if max(h, w) > MAX_SIDE:
            scale = MAX_SIDE / max(h, w)
            frame = cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        return observe(frame, self.models, prepare)

    def judge(self, frame_bgr: np.ndarray) -> Verdict:
        """Judge one HxWx3 uint8 BGR frame. Raises KioskError("frame_invalid") for anything else."""
        obs = self.observe(frame_bgr)
        return self.judge_observation(obs)

    def judge_observation(self, obs: Observation) -> Verdict:
        return Verdict(run_checks(CHECKS, obs, self.config), overlay(obs))


def _validate(frame: Any) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        shape = getattr(frame, "shape", None)
        raise KioskError("frame_invalid", Text("图像格式错误", f"Expected an HxWx3 uint8 BGR frame, got {shape}"))
    if frame.shape[0] < 16 or frame.shape[1] < 16:
        raise KioskError("frame_invalid", Text("图像太小", "The frame is too small"))
    return np.ascontiguousarray(frame)


def overlay(obs: Observation) -> dict[str, Any]:
    """JSON-able drawing data in normalised 0..1 coordinates: pose points, face box, body outline."""
    w, h = float(obs.width), float(obs.height)
    pose = None
    if obs.pose is not None:
        pose = [[round(float(x) / w, 4), round(float(y) / h, 4), round(float(v), 3)] for x, y, _z, v in obs.pose]
    face_box = None
    if obs.face_box is not None:
        x0, y0, x1, y1 = obs.face_box
        face_box = [round(max(0.0, x0 / w), 4), round(max(0.0, y0 / h), 4),
                    round(min(1.0, x1 / w), 4), round(min(1.0, y1 / h), 4)]
    outline = None
    small = obs.small_mask
    if small is not None:
        binary = (small > 0.5).astype(np.uint8)
        contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if contours:
            biggest = max(contours, key=cv2.contourArea)
            if cv2.contourArea(biggest) >= 20:
                poly = cv2.approxPolyDP(biggest, 1.0, True).reshape(-1, 2)
                outline = [[round(float(x) / 160, 4), round(float(y) / 120, 4)] for x, y in poly]
    return {"pose": pose, "face_box": face_box, "outline": outline}
