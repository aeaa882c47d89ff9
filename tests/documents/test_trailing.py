"""Appended data after a JPEG's EOI or a PNG's IEND is found (real photos from tests/data)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from kiosk.documents.trailing import image_end

PHOTOS = sorted((Path(__file__).parent.parent / "data" / "photos").glob("*.jpg"))[:4]
TAIL = b"PK\x03\x04 appended archive \xff\xd9 with a fake end marker"


@pytest.mark.parametrize("photo", PHOTOS, ids=lambda p: p.name)
def test_jpeg_tail_is_found(photo):
    data = photo.read_bytes()
    assert image_end(data) == len(data)
    assert image_end(data + TAIL) == len(data)


def test_png_tail_is_found():
    buf = io.BytesIO()
    Image.open(PHOTOS[0]).convert("RGB").resize((64, 48)).save(buf, "PNG")
    data = buf.getvalue()
    assert image_end(data) == len(data)
    assert image_end(data + TAIL) == len(data)


def test_other_formats_have_no_tail():
    assert image_end(b"%PDF-1.7 ...") == len(b"%PDF-1.7 ...")
