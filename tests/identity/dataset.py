"""The real photos of tests/data/identity and the pairs they form.

`manifest.json` lists every photo with the person it shows (`person`; names starting with `single_` are people
with one photo, there for different-person pairs), its source, licence and how it was derived (downscaled).
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk.photo.image_io import load_image

DATA = Path(__file__).resolve().parent.parent / "data" / "identity"


@dataclass(frozen=True, slots=True)
class Photo:
    file: str
    person: str

    @property
    def path(self) -> Path:
        return DATA / self.file

    def load(self) -> np.ndarray:
        return load_image(self.path)


@functools.cache
def photos() -> tuple[Photo, ...]:
    entries = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))
    return tuple(Photo(e["file"], e["person"]) for e in entries)


def photo(file: str) -> Photo:
    """The photo named `file` (KeyError when the manifest has none)."""
    for p in photos():
        if p.file == file:
            return p
    raise KeyError(f"{file} is not in {DATA / 'manifest.json'}")


def by_person() -> dict[str, list[Photo]]:
    out: dict[str, list[Photo]] = {}
    for p in photos():
        out.setdefault(p.person, []).append(p)
    return out


def pairs() -> tuple[list[tuple[Photo, Photo]], list[tuple[Photo, Photo]]]:
    """(same-person pairs, different-person pairs): every unordered pair of distinct photos."""
    same, different = [], []
    for a, b in itertools.combinations(photos(), 2):
        (same if a.person == b.person else different).append((a, b))
    return same, different
