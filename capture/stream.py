"""Live preview: the newest frame as JPEG, encoded once per frame however many pages watch.

`JpegCache.get(after_seq, timeout)` waits for a frame newer than `after_seq` and returns its JPEG; the
first viewer to ask encodes it, the others reuse the bytes. `mjpeg_parts()` yields a
multipart/x-mixed-replace body (MJPEG) for <img> tags and fetch() readers alike; each part carries the
frame's sequence number and grab time in headers (`X-Frame-Seq`, `X-Grabbed-At`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import cv2

from capture.grabber import FrameGrabber

BOUNDARY = "kioskframe"
DEFAULT_QUALITY = 80


class JpegCache:
    """JPEG of the grabber's newest frame, encoded at most once per frame."""

    def __init__(self, grabber: FrameGrabber, quality: int = DEFAULT_QUALITY, max_width: int | None = None) -> None:
        self.grabber = grabber
        self.quality = quality
        self.max_width = max_width
        self._lock = threading.Lock()
        self._seq = -1
        self._jpeg = b""
        self._grabbed_at = 0.0
        self.encoded = 0

    def get(self, after_seq: int = 0, timeout: float = 2.0) -> tuple[int, float, bytes]:
        """(seq, grabbed_at, jpeg) of the newest frame with seq > after_seq. Raises TimeoutError."""
        grab = self.grabber.wait_newer(after_seq, timeout=timeout)
        with self._lock:
            if grab.seq > self._seq:
                frame = grab.frame
                if self.max_width and frame.shape[1] > self.max_width:
                    scale = self.max_width / frame.shape[1]
                    frame = cv2.resize(frame, (self.max_width, round(frame.shape[0] * scale)),
                                       interpolation=cv2.INTER_AREA)
                ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
                if not ok:
                    raise RuntimeError("JPEG encoding failed")
                self._seq, self._grabbed_at, self._jpeg = grab.seq, grab.grabbed_at, buf.tobytes()
                self.encoded += 1
            return self._seq, self._grabbed_at, self._jpeg


def part(seq: int, grabbed_at: float, jpeg: bytes) -> bytes:
    head = (
        f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n"
        f"X-Frame-Seq: {seq}\r\nX-Grabbed-At: {grabbed_at:.4f}\r\n\r\n"
    ).encode("ascii")
    return head + jpeg + b"\r\n"


def mjpeg_parts(
    cache_for: Callable[[], JpegCache | None],
    *,
    keep_going: Callable[[], bool] = lambda: True,
    timeout: float = 1.0,
) -> Iterator[bytes]:
    """MJPEG parts for as long as `keep_going()` holds; skips frames a slow viewer could not take.

    `cache_for()` is asked again after every timeout, so a camera that was reopened (new grabber) is picked up.
    """
    seq = 0
    current: JpegCache | None = None
    while keep_going():
        cache = cache_for()
        if cache is None:
            threading.Event().wait(timeout)
            continue
        if cache is not current:  # a new grabber (camera reopened from scratch) counts from 1 again
            current, seq = cache, 0
        try:
            seq, grabbed_at, jpeg = cache.get(seq, timeout=timeout)
        except TimeoutError:
            continue
        yield part(seq, grabbed_at, jpeg)
