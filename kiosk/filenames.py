"""An uploaded file's original name made safe to store and show: no folder part (either separator), no control
or bidirectional-override characters (a name like `photo\u202egpj.exe` must not pass for `photo.exe.jpg`), NFC,
at most MAX_FILENAME characters with its extension kept, never empty."""

from __future__ import annotations

import unicodedata

MAX_FILENAME = 120
UNNAMED = "upload"
# Unicode's explicit bidirectional formatting characters (embeddings, overrides, isolates) and marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def safe_filename(name: str | None) -> str:
    """`name` without folders, control, format or bidi characters, trimmed to MAX_FILENAME (extension kept)."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c not in BIDI_CONTROLS and unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    text = " ".join(text.split()).strip(". ")
    if len(text) > MAX_FILENAME:
        stem, dot, ext = text.rpartition(".")
        ext = ext[:10] if dot and stem else ""
        text = text[: MAX_FILENAME - len(ext) - (1 if ext else 0)].rstrip(". ") + ("." + ext if ext else "")
    return text or UNNAMED
