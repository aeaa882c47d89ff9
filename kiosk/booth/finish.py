"""Turn the captured camera frame into the stored verification photo.

The photo is the camera's full-resolution frame, never mirrored (the backdrop's logo must read correctly;
only the live preview is shown mirrored), saved as a colour JPEG of at least 800x600 and at most 2 MB, with
the capture time and the kiosk name printed on the image (MIIT requires the time to be visible) and written
into its metadata: EXIF DateTime/DateTimeOriginal/OffsetTimeOriginal, Software, ImageDescription and
XPComment, plus a JPEG comment (COM) holding the same facts as UTF-8 JSON.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from PIL.ExifTags import IFD

from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # Debian fonts-wqy-zenhei
MIN_SIZE = (800, 600)
MAX_BYTES = 2_000_000
SOFTWARE = "Beian Kiosk"
QUALITIES = (92, 88, 84, 80, 75, 70, 65, 60)

# EXIF tags
TAG_IMAGE_DESCRIPTION = 0x010E
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_SOFTWARE = 0x0131
TAG_DATETIME = 0x0132
TAG_XP_COMMENT = 0x9C9C
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011


@dataclass(frozen=True, slots=True)
class FinishedPhoto:
    """The stored JPEG and the facts printed on it."""

    jpeg: bytes
    width: int
    height: int
    taken_at: dt.datetime  # timezone-aware, the kiosk's local time
    kiosk_name: str
    stamp: str  # the text printed on the image
    quality: int
    upscaled_from: tuple[int, int] | None = None  # original size when the camera delivered less than 800x600


def stamp_text(taken_at: dt.datetime, kiosk_name: str) -> str:
    """"拍摄时间 2026-11-23 17:21:05 +08:00  核验终端 NAME" (time first: it is the required part)."""
    offset = taken_at.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"拍摄时间 {taken_at:%Y-%m-%d %H:%M:%S} {offset}  核验终端 {kiosk_name}".strip()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if CJK_FONT.is_file():
        return ImageFont.truetype(str(CJK_FONT), size)
    log.warning("CJK font %s missing (install fonts-wqy-zenhei): Chinese text on photos will not render", CJK_FONT)
    return ImageFont.load_default(size)


def _draw_stamp(image: Image.Image, text: str) -> None:
    """Print `text` in the bottom-right corner, white on a dark translucent band, readable at any size."""
    w, h = image.size
    size = max(14, round(h / 32))
    font = _font(size)
    draw = ImageDraw.Draw(image, "RGBA")
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    tw, th = x1 - x0, y1 - y0
    if tw > w - 2 * size:  # very long kiosk names: shrink to fit
        font = _font(max(10, int(size * (w - 2 * size) / tw)))
        x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
        tw, th = x1 - x0, y1 - y0
    pad = max(6, size // 3)
    left = w - tw - 3 * pad
    top = h - th - 3 * pad
    draw.rectangle((left, top, w - pad, h - pad), fill=(0, 0, 0, 150))
    draw.text((left + pad - x0, top + pad - y0), text, font=font, fill=(255, 255, 255, 255))


def _exif(taken_at: dt.datetime, kiosk_name: str, stamp: str) -> Image.Exif:
    exif = Image.Exif()
    when = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    offset = taken_at.strftime("%z")
    ascii_name = kiosk_name.encode("ascii", "backslashreplace").decode("ascii")
    exif[TAG_MAKE] = SOFTWARE
    exif[TAG_MODEL] = ascii_name[:64]
    exif[TAG_SOFTWARE] = SOFTWARE
    exif[TAG_DATETIME] = when
    exif[TAG_IMAGE_DESCRIPTION] = f"ICP verification photo; kiosk {ascii_name}; taken {taken_at.isoformat()}"
    exif[TAG_XP_COMMENT] = stamp.encode("utf-16-le") + b"\x00\x00"
    sub = exif.get_ifd(IFD.Exif)
    sub[TAG_DATETIME_ORIGINAL] = when
    if offset:
        sub[TAG_OFFSET_TIME_ORIGINAL] = f"{offset[:3]}:{offset[3:]}"
    return exif


def finish_photo(
    frame_bgr: np.ndarray,
    *,
    taken_at: dt.datetime,
    kiosk_name: str,
    max_bytes: int = MAX_BYTES,
    min_size: tuple[int, int] = MIN_SIZE,
) -> FinishedPhoto:
    """The stored JPEG for `frame_bgr` (the camera's own, unmirrored frame). See the module docstring.

    Frames smaller than `min_size` are enlarged (and `upscaled_from` says so); greyscale frames become
    three-channel colour. Raises KioskError("photo_too_large") if no quality fits `max_bytes`.
    """
    if taken_at.tzinfo is None:
        raise ValueError("taken_at must be timezone-aware")
    if frame_bgr.ndim == 2:
        frame_bgr = cv2.cvtColor(frame_bgr, cv2.COLOR_GRAY2BGR)
    elif frame_bgr.shape[2] == 4:
        frame_bgr = cv2.cvtColor(frame_bgr, cv2.COLOR_BGRA2BGR)
    h, w = frame_bgr.shape[:2]
    upscaled_from = None
    scale = max(min_size[0] / w, min_size[1] / h) if (w < min_size[0] or h < min_size[1]) else 1.0
    if scale > 1.0:
        upscaled_from = (w, h)
        frame_bgr = cv2.resize(frame_bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
        log.warning("camera frame %dx%d is below %dx%d: enlarged for the photo", w, h, *min_size)
    image = Image.fromarray(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), "RGB")
    stamp = stamp_text(taken_at, kiosk_name)
    _draw_stamp(image, stamp)
    exif = _exif(taken_at, kiosk_name, stamp)
    comment = json.dumps(
        {"software": SOFTWARE, "taken_at": taken_at.isoformat(), "kiosk": kiosk_name, "stamp": stamp},
        ensure_ascii=False,
    ).encode("utf-8")
    for quality in QUALITIES:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality, exif=exif, comment=comment, optimize=True)
        data = buf.getvalue()
        if len(data) <= max_bytes:
            return FinishedPhoto(
                jpeg=data, width=image.width, height=image.height, taken_at=taken_at,
                kiosk_name=kiosk_name, stamp=stamp, quality=quality, upscaled_from=upscaled_from,
            )
    raise KioskError(
        "photo_too_large",
        Text("照片超过 2 MB，无法保存，请联系管理员", "The photo is larger than 2 MB even at low quality; nothing was saved"),
        status=500,
    )
