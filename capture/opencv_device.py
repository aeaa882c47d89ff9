"""A webcam or capture card (device index or /dev/videoN) or a network stream URL, through OpenCV."""

from __future__ import annotations

import logging
import re

import cv2
import numpy as np

from capture.base import Camera, CameraError

log = logging.getLogger(__name__)

# Tried in order; the camera keeps the first size it accepts. 1280x720 or better when offered.
PREFERRED_SIZES: tuple[tuple[int, int], ...] = ((1920, 1080), (1280, 720))


def parse_device(spec: str) -> int | None:
    """The device index in "0" or "/dev/video0", else None."""
    m = re.fullmatch(r"(?:/dev/video)?(\d+)", spec.strip())
    return int(m.group(1)) if m else None


class _OpenCVCapture(Camera):
    """What a device and a stream share: an OpenCV VideoCapture that reads, and releases on close."""

    _cap: cv2.VideoCapture | None = None

    @property
    def is_open(self) -> bool:
        return self._cap is not None

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        if not ok or frame is None:
            return None
        self._note_size(frame)
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class OpenCVDevice(_OpenCVCapture):
    """A local camera. Asks for MJPEG at the largest preferred size the camera accepts."""

    kind = "device"

    def __init__(self, spec: str, *, sizes: tuple[tuple[int, int], ...] = PREFERRED_SIZES) -> None:
        super().__init__(spec)
        index = parse_device(spec)
        if index is None:
            raise CameraError("bad_device", f"not a camera index or /dev/videoN: {spec!r}")
        self.index = index
        self.sizes = sizes
        self._cap: cv2.VideoCapture | None = None


    def open(self) -> None:
        cap = cv2.VideoCapture(self.index, cv2.CAP_V4L2) if hasattr(cv2, "CAP_V4L2") else \
            cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise CameraError("device_unavailable", f"camera {self.index} cannot be opened")
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        for w, h in self.sizes:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, w)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, h)
            got = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
            if got == (w, h):
                break
        self._frame_size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self._cap = cap
        log.info("opened camera %d at %dx%d", self.index, *self._frame_size)


class OpenCVStream(_OpenCVCapture):
    """A network stream (rtsp://, http://...) read by OpenCV's FFmpeg backend."""

    kind = "url"

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self._cap: cv2.VideoCapture | None = None

    @property
    def label(self) -> str:
        # Never show credentials embedded in a stream URL.
        return f"{self.kind}:{re.sub(r'//[^/@]*@', '//***@', self.spec)}"


    def open(self) -> None:
        cap = cv2.VideoCapture(self.spec)
        if not cap.isOpened():
            cap.release()
            raise CameraError("stream_unavailable", f"cannot open stream {self.label}")
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap
        log.info("opened stream %s", self.label)

