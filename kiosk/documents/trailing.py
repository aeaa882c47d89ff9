"""Data appended after an image's end (JPEG after its EOI marker, PNG after its IEND chunk): `image_end(data)`
is where the image itself ends, so `len(data) - image_end(data)` bytes were appended (0 for a clean file)."""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length


def _jpeg_end(data: bytes) -> int:
    """The offset just past the EOI that closes the first image (embedded EXIF thumbnails are skipped)."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return len(data)
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker == 0xD9:
            return i + 2
        if marker in _STANDALONE:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        i += 2 + length
        if marker == 0xDA:  # entropy-coded data up to the next marker that is not a stuffed byte or RSTn
            while i + 1 < len(data):
                if data[i] == 0xFF and data[i + 1] != 0x00 and data[i + 1] not in _STANDALONE:
                    break
                i += 1
    return len(data)


def _png_end(data: bytes) -> int:
    i = len(PNG_SIGNATURE)
    while i + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        i += 12 + length
        if kind == b"IEND":
            return min(i, len(data))
    return len(data)


def image_end(data: bytes) -> int:
    """Where the JPEG or PNG in `data` ends; len(data) for other formats or an image with no end marker."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg_end(data)
    if data.startswith(PNG_SIGNATURE):
        return _png_end(data)
    return len(data)
