"""Load a photo safely: size checked from the header before decoding, EXIF orientation applied, every odd
format (CMYK, 16-bit, palette, alpha) converted to 8-bit BGR; bad input raises KioskError, never crashes."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # 40 megapixels: far above any kiosk camera, far below a decompression bomb
MAX_BYTES = 64 * 1024 * 1024


def _error(code: str, zh: str, en: str) -> KioskError:
    return KioskError(code, Text(zh, en), 400)


def load_image(source: str | Path | bytes | bytearray | memoryview) -> np.ndarray:
    """Return the image as an HxWx3 uint8 BGR array with EXIF orientation applied.

    Raises KioskError with reason codes: image_missing, image_empty, image_too_large, image_unreadable,
    image_corrupt, image_animated.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise _error("image_missing", f"找不到图片文件：{name}", f"Image file not found: {name}") from exc
        if size > MAX_BYTES:
            raise _error("image_too_large", "图片文件过大", f"Image file too large ({size} bytes)")
        data = path.read_bytes()
    if not data:
        raise _error("image_empty", "图片文件为空", f"The image file is empty: {name}")
    if len(data) > MAX_BYTES:
        raise _error("image_too_large", "图片文件过大", f"Image file too large ({len(data)} bytes)")

    with warnings.catch_warnings():
        # Pillow's own bomb guard warns first; we check the size ourselves right below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))  # reads the header only
        except Image.DecompressionBombError as exc:
            raise _error("image_too_large", "图片像素过多", "The image has too many pixels") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise _error("image_unreadable", "无法识别的图片格式", f"Not a readable image: {name}") from exc
        width, height = img.size
        if width <= 0 or height <= 0:
            raise _error("image_unreadable", "图片尺寸无效", "The image has no pixels")
        if width * height > MAX_PIXELS:
            raise _error("image_too_large", f"图片像素过多（{width}×{height}）",
                         f"The image has too many pixels ({width}x{height}; at most {MAX_PIXELS})")
        if getattr(img, "n_frames", 1) > 1:
            raise _error("image_animated", "不支持动图，请使用单张照片",
                         "Animated images are not accepted: please use a single photo")
        try:
            img.load()
            rgb = _to_rgb8(ImageOps.exif_transpose(img))
        except Image.DecompressionBombError as exc:
            raise _error("image_too_large", "图片像素过多", "The image has too many pixels") from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise _error("image_corrupt", "图片文件已损坏或不完整", f"The image file is damaged or truncated: {name}") from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _to_rgb8(img: Image.Image) -> np.ndarray:
    """Any Pillow mode -> HxWx3 uint8 RGB (16-bit scaled down, alpha composited over white)."""
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0
        grey = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.dstack([grey] * 3)
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        top = 1.0 if arr.max() <= 1.0 else 255.0
        grey = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.dstack([grey] * 3)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    if mode != "RGB":
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, L, 1, P
    return np.asarray(img)
