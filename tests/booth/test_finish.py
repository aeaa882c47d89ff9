"""Finishing the captured frame: size, colour, no mirroring, stamp and metadata."""

from __future__ import annotations

import datetime as dt
import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image
from PIL.ExifTags import IFD

from kiosk.booth.finish import finish_photo, stamp_text
from kiosk.text import KioskError

CST = dt.timezone(dt.timedelta(hours=8))
WHEN = dt.datetime(2026, 11, 23, 17, 21, 5, tzinfo=CST)


def asymmetric_frame(w: int = 1280, h: int = 720) -> np.ndarray:
    """Red on the left half, blue on the right (BGR), with noise so JPEG has work to do."""
    frame = np.zeros((h, w, 3), np.uint8)
    frame[:, : w // 2] = (30, 30, 220)
    frame[:, w // 2 :] = (220, 30, 30)
    rng = np.random.default_rng(1)
    return cv2.add(frame, rng.integers(0, 20, frame.shape, dtype=np.uint8))


def decode(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_full_resolution_colour_unmirrored_jpeg() -> None:
    photo = finish_photo(asymmetric_frame(), taken_at=WHEN, kiosk_name="counter-1")
    image = decode(photo.jpeg)
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.size == (1280, 720) == (photo.width, photo.height)
    assert len(photo.jpeg) <= 2_000_000
    rgb = np.asarray(image)
    assert rgb[100, 100, 0] > 150 and rgb[100, 100, 2] < 100  # left stays red: not mirrored
    assert rgb[100, 1180, 2] > 150 and rgb[100, 1180, 0] < 100
    assert photo.upscaled_from is None


def test_time_and_kiosk_name_in_metadata() -> None:
    photo = finish_photo(asymmetric_frame(), taken_at=WHEN, kiosk_name="前台一号")
    image = decode(photo.jpeg)
    exif = image.getexif()
    assert exif[0x0132] == "2026:11:23 17:21:05"
    sub = exif.get_ifd(IFD.Exif)
    assert sub[0x9003] == "2026:11:23 17:21:05" and sub[0x9011] == "+08:00"
    assert exif[0x9C9C].decode("utf-16-le").rstrip("\x00") == photo.stamp
    meta = json.loads(image.info["comment"].decode("utf-8"))
    assert meta["kiosk"] == "前台一号" and meta["taken_at"] == "2026-11-23T17:21:05+08:00"
    assert stamp_text(WHEN, "前台一号") == "拍摄时间 2026-11-23 17:21:05 +08:00  核验终端 前台一号"


def test_stamp_is_printed_on_the_image() -> None:
    frame = np.full((720, 1280, 3), 200, np.uint8)
    photo = finish_photo(frame, taken_at=WHEN, kiosk_name="k")
    rgb = np.asarray(decode(photo.jpeg)).astype(int)
    corner = rgb[650:715, 700:1275]
    assert corner.min() < 100 and corner.max() > 240  # dark band with white text
    assert np.abs(rgb[:400, :600] - 200).max() < 12  # the rest untouched


def test_small_frames_are_enlarged_to_800x600_and_grey_becomes_colour() -> None:
    grey = np.full((480, 640), 128, np.uint8)
    photo = finish_photo(grey, taken_at=WHEN, kiosk_name="k")
    image = decode(photo.jpeg)
    assert image.mode == "RGB" and image.width >= 800 and image.height >= 600
    assert photo.upscaled_from == (640, 480)


def test_size_limit_lowers_quality_then_refuses() -> None:
    frame = np.random.default_rng(2).integers(0, 256, (1080, 1920, 3), dtype=np.uint8)  # incompressible
    photo = finish_photo(frame, taken_at=WHEN, kiosk_name="k", max_bytes=1_500_000)
    assert len(photo.jpeg) <= 1_500_000 and photo.quality < 92
    with pytest.raises(KioskError) as info:
        finish_photo(frame, taken_at=WHEN, kiosk_name="k", max_bytes=50_000)
    assert info.value.code == "photo_too_large"


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        finish_photo(asymmetric_frame(), taken_at=dt.datetime(2026, 1, 1), kiosk_name="k")
