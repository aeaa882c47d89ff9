"""Bad input never crashes or hangs: a KioskError with a reason code and zh/en text, or the right image."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.photo import load_image
from kiosk.text import KioskError
from tests.photo.conftest import PASS_PHOTO


def error_code(source) -> str:
    with pytest.raises(KioskError) as info:
        load_image(source)
    err = info.value
    assert err.text.zh and err.text.en and err.status == 400
    return err.code


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def huge_png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but whose data is tiny (a decompression bomb shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a picture")
    assert error_code(path) == "image_unreadable"


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert error_code(path) == "image_empty"


def test_missing_file(tmp_path: Path) -> None:
    assert error_code(tmp_path / "nope.jpg") == "image_missing"


def test_truncated_jpeg() -> None:
    data = PASS_PHOTO.read_bytes()
    assert error_code(data[: len(data) // 3]) == "image_corrupt"


@pytest.mark.parametrize("size", [(20000, 20000), (100000, 100000)])
def test_huge_png_is_refused_before_decoding(size: tuple[int, int]) -> None:
    # 20000x20000 trips Pillow's own bomb guard (an error, not a warning-as-error); both are refused by
    # the header check before any pixel is decoded.
    assert error_code(huge_png_header(*size)) == "image_too_large"


def test_png_between_pillow_warning_and_error_limits() -> None:
    # 9500x9500 (90 MP) is above Pillow's warning limit but below its error limit, and above ours: refused
    # and Pillow's DecompressionBombWarning must not surface as an error under filterwarnings=error.
    assert error_code(huge_png_header(9500, 9500)) == "image_too_large"


def test_animated_gif() -> None:
    frames = [Image.new("RGB", (32, 32), c) for c in ("red", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert error_code(buf.getvalue()) == "image_animated"


def test_cmyk_jpeg_is_converted() -> None:
    buf = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 255, 255, 0)).save(buf, format="JPEG")  # red in CMYK
    bgr = load_image(buf.getvalue())
    assert bgr.shape == (30, 40, 3) and bgr.dtype == np.uint8
    b, g, r = bgr[15, 20]
    assert r > 200 and g < 60 and b < 60


def test_16_bit_png_is_scaled() -> None:
    arr = np.full((20, 30), 65535 // 2, np.uint16)
    bgr = load_image(png_bytes(Image.fromarray(arr)))
    assert bgr.shape == (20, 30, 3) and bgr.dtype == np.uint8
    assert 120 <= int(bgr[0, 0, 0]) <= 135


def test_rgba_and_palette_png() -> None:
    rgba = Image.new("RGBA", (10, 10), (0, 0, 255, 0))  # fully transparent: white after compositing
    assert (load_image(png_bytes(rgba)) == 255).all()
    pal = Image.new("P", (10, 10), 3)
    assert load_image(png_bytes(pal)).shape == (10, 10, 3)


def test_exif_rotated_phone_photo_is_turned_upright() -> None:
    """A landscape JPEG tagged 'rotate 90 CW' (orientation 6) comes back as the portrait it shows."""
    img = Image.new("RGB", (60, 40), (255, 255, 255))
    img.paste((255, 0, 0), (0, 0, 10, 40))  # red stripe on the stored image's left edge
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes(), quality=95)
    bgr = load_image(buf.getvalue())
    assert bgr.shape[:2] == (60, 40)  # portrait now
    assert bgr[2, 20, 2] > 200 and bgr[2, 20, 1] < 80  # the stripe is now at the top, red


def test_real_photo_loads_as_bgr() -> None:
    bgr = load_image(PASS_PHOTO)
    with Image.open(PASS_PHOTO) as img:
        rgb = np.asarray(img.convert("RGB"))
    assert bgr.shape == rgb.shape
    assert (bgr[..., ::-1] == rgb).all()


def test_16_bit_colour_png(tmp_path: Path) -> None:
    import cv2

    arr = np.zeros((20, 30, 3), np.uint16)
    arr[..., 2] = 60000  # red, in BGR order for OpenCV
    path = tmp_path / "rgb16.png"
    cv2.imwrite(str(path), arr)
    bgr = load_image(path)
    assert bgr.dtype == np.uint8 and bgr.shape == (20, 30, 3)
    assert bgr[0, 0, 2] > 200 and bgr[0, 0, 0] < 10
