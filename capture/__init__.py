"""Camera sources behind one interface, and the grabber thread that keeps the newest frame.

`open_source(spec)` turns what the operator typed (`--camera` / KIOSK_CAMERA) into an opened `Camera`:

| spec | backend |
| --- | --- |
| `auto` | webcam 0 if it opens and delivers a frame, else the bundled demo video |
| `0`, `/dev/video2` | `OpenCVDevice` (webcam or capture card) |
| `rtsp://...`, `http://...` | `OpenCVStream` (network camera) |
| a video file (`.mp4`, `.avi`, ...) | `VideoFileCamera`, looping at the file's frame rate |
| a folder of images | `ImageFolderCamera` |
| `browser` | `PushCamera`: the booth page's own camera (tablets), frames uploaded by the page |
| `device:0`, `url:...`, `video:PATH`, `folder:PATH` | the named backend, explicitly |
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from capture.base import Camera, CameraError
from capture.demo import DEMO_VIDEO
from capture.image_folder import ImageFolderCamera
from capture.opencv_device import OpenCVDevice, OpenCVStream, parse_device
from capture.push import PushCamera
from capture.video_file import VideoFileCamera

log = logging.getLogger(__name__)

__all__ = ["AUTO", "BACKENDS", "BROWSER", "Camera", "CameraError", "open_source", "resolve_source", "demo_video"]

AUTO = "auto"  # webcam 0, else the demo video
BROWSER = "browser"  # the booth page's own camera

# backend name -> constructor taking the spec (without the "name:" prefix)
BACKENDS: dict[str, Callable[[str], Camera]] = {
    "device": OpenCVDevice,
    "url": OpenCVStream,
    "video": VideoFileCamera,
    "folder": ImageFolderCamera,
    BROWSER: PushCamera,
}

URL_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")


def demo_video() -> Path:
    """The bundled demo video (a real photograph animated into a short clip; see capture/demo/README.md)."""
    return DEMO_VIDEO


def resolve_source(spec: str) -> tuple[str, str]:
    """(backend name, backend spec) for `spec`; "auto" is resolved by `open_source`.

    Raises CameraError("camera_source_unknown") when nothing matches.
    """
    spec = spec.strip()
    if not spec:
        raise CameraError("camera_source_empty", "no camera given", "未指定摄像头")
    prefix, sep, rest = spec.partition(":")
    if sep and prefix in BACKENDS and not rest.startswith("//"):
        return prefix, rest
    if spec.lower() == BROWSER:
        return BROWSER, ""
    if parse_device(spec) is not None:
        return "device", spec
    if spec.lower().startswith(URL_SCHEMES):
        return "url", spec
    path = Path(spec).expanduser()
    if path.is_dir():
        return "folder", str(path)
    if path.is_file():
        return "video", str(path)
    raise CameraError(
        "camera_source_unknown",
        f"{spec!r} is not a camera index, stream URL, video file or image folder",
        f"无法识别的摄像头来源：{spec}",
    )


def _open_auto() -> Camera:
    """Webcam 0 if it opens and delivers a frame, else the demo video."""
    cam: Camera
    if any(Path("/dev").glob("video*")):
        cam = OpenCVDevice("0")
        try:
            cam.open()
            if cam.read() is not None:
                return cam
            log.info("camera 0 opened but delivered no frame")
        except CameraError as exc:
            log.info("camera 0 unavailable (%s)", exc)
        cam.close()
    log.info("no webcam: using the demo video %s", demo_video())
    cam = VideoFileCamera(str(demo_video()))
    cam.open()
    return cam


def open_source(spec: str) -> Camera:
    """An opened camera for `spec` (see the module docstring). Raises CameraError."""
    if spec.strip().lower() == AUTO:
        return _open_auto()
    name, rest = resolve_source(spec)
    cam = BACKENDS[name](rest)
    cam.open()
    return cam
