"""Camera sources: spec resolution, video files, image folders, pacing, and the real webcam if present."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

import capture
from capture import CameraError, open_source, resolve_source
from capture.image_folder import ImageFolderCamera
from capture.opencv_device import OpenCVDevice, OpenCVStream, parse_device
from capture.pacing import Pacer
from capture.push import PushCamera
from capture.video_file import VideoFileCamera


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def write_numbered_clip(path: Path, n: int, fps: float = 10.0, size: tuple[int, int] = (160, 120)) -> Path:
    """A clip whose frame i is a flat grey of value 20*i+10 (so frames can be told apart after decoding)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for i in range(n):
        writer.write(np.full((size[1], size[0], 3), 20 * i + 10, np.uint8))
    writer.release()
    return path


def test_resolve_source_kinds(tmp_path: Path) -> None:
    clip = write_numbered_clip(tmp_path / "a.avi", 3)
    assert resolve_source("0") == ("device", "0")
    assert resolve_source("/dev/video2") == ("device", "/dev/video2")
    assert resolve_source("rtsp://user:pw@cam.local/stream") == ("url", "rtsp://user:pw@cam.local/stream")
    assert resolve_source(str(tmp_path)) == ("folder", str(tmp_path))
    assert resolve_source(str(clip)) == ("video", str(clip))
    assert resolve_source(f"video:{clip}") == ("video", str(clip))
    assert resolve_source("device:1") == ("device", "1")
    assert resolve_source("browser") == ("browser", "")
    assert set(capture.BACKENDS) == {"device", "url", "video", "folder", "browser"}


@pytest.mark.parametrize("spec", ["", "/no/such/file.mp4", "webcam please"])
def test_unknown_source_is_a_clear_error(spec: str) -> None:
    with pytest.raises(CameraError) as info:
        resolve_source(spec)
    assert info.value.code in ("camera_source_unknown", "camera_source_empty")
    assert info.value.text.zh and info.value.text.en


def test_parse_device() -> None:
    assert parse_device("3") == 3
    assert parse_device("/dev/video10") == 10
    assert parse_device("video0") is None
    with pytest.raises(CameraError):
        OpenCVDevice("nope")


def test_stream_label_hides_credentials() -> None:
    assert "pw" not in OpenCVStream("rtsp://user:pw@cam.local/s").label


def test_pacer_keeps_the_rate_and_never_bursts() -> None:
    clock = FakeClock()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    pacer.wait()
    for _ in range(5):
        pacer.wait()
    assert clock.now == pytest.approx(100.5)
    clock.now += 3.0  # the consumer stalled for 3 s
    pacer.wait()  # late: returns at once, restarts the schedule
    t0 = clock.now
    pacer.wait()
    assert clock.now - t0 == pytest.approx(0.1)


def test_video_file_loops_at_its_frame_rate(tmp_path: Path) -> None:
    clip = write_numbered_clip(tmp_path / "clip.avi", 4, fps=10.0)
    clock = FakeClock()
    cam = VideoFileCamera(str(clip), clock=clock, sleep=clock.sleep)
    with cam:
        assert cam.fps == pytest.approx(10.0)
        assert cam.frame_size == (160, 120)
        values = [int(cam.read()[60, 80, 0]) for _ in range(10)]
    assert cam.loops == 2
    # frames 0..3 then again from the start
    assert values[:4] == sorted(values[:4]) and values[4] == pytest.approx(values[0], abs=3)
    assert abs(values[8] - values[0]) <= 3
    assert clock.now - 100.0 == pytest.approx(0.9)  # 10 frames at 10 fps: 9 intervals
    assert cam.read() is None  # closed


def test_video_file_missing_and_unreadable(tmp_path: Path) -> None:
    with pytest.raises(CameraError) as info:
        VideoFileCamera(str(tmp_path / "none.mp4")).open()
    assert info.value.code == "video_not_found"
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 10)
    with pytest.raises(CameraError) as info:
        VideoFileCamera(str(junk)).open()
    assert info.value.code == "video_unreadable"


def test_image_folder_cycles_and_skips_bad_files(tmp_path: Path) -> None:
    for i, value in enumerate((50, 150)):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((60, 80, 3), value, np.uint8))
    (tmp_path / "1b_broken.jpg").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("ignored")
    clock = FakeClock()
    cam = ImageFolderCamera(str(tmp_path), fps=10.0, hold=0.2, clock=clock, sleep=clock.sleep)
    with cam:
        values = [int(cam.read()[0, 0, 0]) for _ in range(6)]
    assert values == [50, 50, 150, 150, 50, 50]
    assert cam.frame_size == (80, 60)


def test_image_folder_empty(tmp_path: Path) -> None:
    with pytest.raises(CameraError) as info:
        ImageFolderCamera(str(tmp_path)).open()
    assert info.value.code == "folder_empty"


def test_auto_falls_back_to_the_demo_video() -> None:
    if any(Path("/dev").glob("video*")):
        pytest.skip("a camera is present: auto would use it")
    cam = open_source("auto")
    try:
        assert isinstance(cam, VideoFileCamera)
        frame = cam.read()
        assert frame is not None and frame.shape == (720, 1280, 3)
    finally:
        cam.close()


def test_demo_video_is_small_and_720p() -> None:
    path = capture.demo_video()
    assert path.stat().st_size < 3_000_000
    cap = cv2.VideoCapture(str(path))
    try:
        assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (1280, 720)
        assert cap.get(cv2.CAP_PROP_FRAME_COUNT) / cap.get(cv2.CAP_PROP_FPS) >= 12
    finally:
        cap.release()


@pytest.mark.skipif(not any(Path("/dev").glob("video*")), reason="no /dev/video* camera on this machine")
def test_real_webcam_delivers_frames() -> None:
    cam = open_source("0")
    try:
        frame = cam.read()
        assert frame is not None and frame.ndim == 3
        assert cam.frame_size is not None
    finally:
        cam.close()


def test_push_camera_hands_out_the_newest_frame_once() -> None:
    cam = PushCamera(wait=0.05)
    with cam:
        assert cam.read() is None  # nothing pushed: gives up after `wait`
        for value in (1, 2, 3):
            cam.push(np.full((4, 4, 3), value, np.uint8))
        assert int(cam.read()[0, 0, 0]) == 3  # older unread frames are dropped
        assert cam.read() is None
        assert cam.frame_size == (4, 4) and cam.pushed == 3
    cam.push(np.zeros((4, 4, 3), np.uint8))
    assert cam.read() is None  # closed
