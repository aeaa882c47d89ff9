"""Uploads in: JPEG, PNG or a one-page scanner PDF, checked before anything is decoded in full.

`read_upload(data, filename)` returns the image (BGR, uint8) or raises `KioskError` with a reason code:
upload_empty, upload_too_large, upload_unsupported_type, upload_type_mismatch, upload_corrupt,
upload_too_many_pixels, upload_pdf_encrypted, upload_pdf_pages, upload_pdf_script, upload_pdf_no_image.
Nothing is written anywhere: a rejected upload changes nothing.
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

from kiosk.documents import budget
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000

# media type -> file name endings that may carry it
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
}
TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}
# PDF names that run code or open other things: a scanner never writes them.
PDF_ACTIVE_KEYS = ("/JS", "/JavaScript", "/Launch", "/OpenAction", "/AA", "/RichMedia", "/EmbeddedFile", "/XFA")


def _error(code: str, zh: str, en: str, status: int = 400) -> KioskError:
    return KioskError(code, Text(zh, en), status)


def sniff_media_type(data: bytes) -> str | None:
    """The media type the bytes really are (by their signature), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:1024].lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    return None


def check_upload(data: bytes, filename: str) -> str:
    """Size, type and name checks; returns the media type."""
    if not data:
        raise _error("upload_empty", "文件是空的（0字节）", "The file is empty (0 bytes)")
    if len(data) > MAX_BYTES:
        raise _error(
            "upload_too_large",
            f"文件超过 {MAX_BYTES // 2**20} MB",
            f"The file is larger than {MAX_BYTES // 2**20} MB",
            413,
        )
    media_type = sniff_media_type(data)
    if media_type is None:
        raise _error(
            "upload_unsupported_type",
            "只接受 JPEG、PNG 图片或单页 PDF 扫描件",
            "Only JPEG or PNG images and one-page PDF scans are accepted",
        )
    name = (filename or "").lower().strip()
    if "." in name:
        ext = name[name.rfind(".") :]
        if ext not in EXTENSIONS[media_type]:
            real = TYPE_NAMES[media_type]
            raise _error(
                "upload_type_mismatch",
                f"文件内容是 {real}，但文件名以 {ext} 结尾，请确认文件",
                f"The file is a {real} but its name ends in {ext}: please check the file",
            )
    return media_type


def _too_many_pixels(w: int, h: int) -> KioskError:
    return _error(
        "upload_too_many_pixels",
        f"图像 {w}×{h} 超过 {MAX_PIXELS // 1_000_000} 百万像素",
        f"The image is {w}×{h}, more than {MAX_PIXELS // 1_000_000} megapixels",
    )


def _corrupt(detail: str = "") -> KioskError:
    log.info("corrupt upload: %s", detail)
    return _error("upload_corrupt", "文件已损坏或不完整，请重新扫描", "The file is damaged or incomplete: please scan again")


def _to_bgr(img: Image.Image) -> np.ndarray:
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    rgb = np.asarray(img.convert("RGB"))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def _decode_image(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data))
            w, h = opened.size
        except Image.DecompressionBombError:
            raise _too_many_pixels(0, 0) from None
        except Exception as exc:  # PIL raises many types for bad headers
            raise _corrupt(repr(exc)) from None
        if w * h > MAX_PIXELS:
            raise _too_many_pixels(w, h)
        with budget.DECODES.hold(w * h):  # large decodes wait for their turn (kiosk.documents.budget)
            try:
                opened.load()
                img = ImageOps.exif_transpose(opened)
            except Exception as exc:
                raise _corrupt(repr(exc)) from None
            return _to_bgr(img)


def _has_active_content(obj: Any, depth: int = 0, seen: set[int] | None = None) -> str | None:
    """The first name that runs code or launches something, walking a PDF object tree (bounded)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen = set() if seen is None else seen
    if depth > 12:
        return None
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return None
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in PDF_ACTIVE_KEYS:
                return str(key)
            if key == "/S" and isinstance(value, NameObject) and value in ("/JavaScript", "/Launch"):
                return str(value)
            if key in ("/Parent", "/P"):
                continue
            found = _has_active_content(value, depth + 1, seen)
            if found:
                return found
    elif isinstance(obj, ArrayObject):
        for value in obj:
            found = _has_active_content(value, depth + 1, seen)
            if found:
                return found
    return None


def _decode_pdf(data: bytes) -> np.ndarray:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns on harmless oddities of scanner PDFs
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            encrypted = reader.is_encrypted
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise _corrupt(repr(exc)) from None
        if encrypted:
            raise _error(
                "upload_pdf_encrypted",
                "PDF 已加密，请上传未加密的扫描件",
                "The PDF is encrypted: please upload an unencrypted scan",
            )
        try:
            pages = len(reader.pages)
            root = reader.trailer["/Root"]
        except Exception as exc:
            raise _corrupt(repr(exc)) from None
        if pages != 1:
            raise _error(
                "upload_pdf_pages",
                f"PDF 有 {pages} 页，每个文件只能有一页，请逐页上传",
                f"The PDF has {pages} pages; upload one page per file",
            )
        active = _has_active_content(root) or _raw_active(data)
        if active:
            raise _error(
                "upload_pdf_script",
                "PDF 含有脚本或自动动作，不予接受，请上传扫描仪生成的 PDF 或图片",
                f"The PDF contains scripts or automatic actions ({active}): upload a scanner's PDF or an image",
            )
        page = reader.pages[0]
        best: tuple[int, Any] | None = None
        try:
            resources = page.get("/Resources")
            resources = resources.get_object() if resources is not None else {}
            xobjects = resources.get("/XObject")
            xobjects = xobjects.get_object() if xobjects is not None else {}
            for _name, ref in xobjects.items():
                xo = ref.get_object()
                if xo.get("/Subtype") != "/Image":
                    continue
                w, h = int(xo.get("/Width", 0)), int(xo.get("/Height", 0))
                if w * h > MAX_PIXELS:
                    raise _too_many_pixels(w, h)
                if best is None or w * h > best[0]:
                    best = (w * h, _name)
            if best is None:
                raise _error(
                    "upload_pdf_no_image",
                    "PDF 中没有扫描图像（扫描仪生成的 PDF 每页含一幅图像），请直接上传 JPEG 或 PNG",
                    "The PDF holds no scanned image (a scanner's PDF has one per page): upload a JPEG or PNG instead",
                )
            # The largest image only; pypdf re-encodes a raw (Flate) image as PNG on the way: fastest level, lossless.
            image = xobjects[best[1]].get_object().decode_as_image(pillow_parameters={"compress_level": 1})
            if image is None:
                raise _corrupt("the page image cannot be decoded")
            return _to_bgr(image)
        except KioskError:
            raise
        except Exception as exc:
            raise _corrupt(repr(exc)) from None


def _raw_active(data: bytes) -> str | None:
    for key in (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch"):
        if key in data:
            return key.decode().strip(" (<")
    return None


DECODERS = {"image/jpeg": _decode_image, "image/png": _decode_image, "application/pdf": _decode_pdf}


def read_upload(data: bytes, filename: str) -> np.ndarray:
    """The uploaded scan as a BGR image; `KioskError` with a reason code for anything that is not a usable scan."""
    media_type = check_upload(data, filename)
    image = DECODERS[media_type](data)
    h, w = image.shape[:2]
    if min(h, w) < 200:
        raise _error("upload_too_small", f"图像只有 {w}×{h} 像素，太小", f"The image is only {w}×{h} pixels: too small")
    return image
