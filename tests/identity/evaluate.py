"""Measure the face match on every pair the real photos of tests/data/identity form.

`python -m tests.identity.evaluate [--thresholds 0.45,0.5,0.55,0.6]` prints, for each threshold, the false
non-match rate (same person judged different) and the false match rate (different people judged the same):

- photo vs photo: every unordered pair of the 109 photos;
- photo vs ID card: every photo printed as the portrait of a specimen ID card (kiosk/documents/specimen_cards.py), captured
  as a flatbed scan and as a table photo, matched against every *other* photo;
- the same two restricted to "booth-like" faces: both faces within the photo judge's frontal limits (yaw and
  pitch at most 20 degrees, measured with `kiosk.photo.checks.frontal.head_pose` on the face mesh).

It also prints the distance ranges, the closest different-person pairs and the farthest same-person pairs, and
the median milliseconds of one `FaceMatcher.match` (live photo + card scan, models warm).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np

from kiosk.documents import specimen_cards as C
from kiosk.documents import specimens as S
from kiosk.identity import FaceMatcher
from kiosk.identity.faces import FaceSample, distance
from kiosk.photo.checks.frontal import head_pose
from kiosk.photo.vision import Models, observe
from tests.identity.dataset import Photo, photos

FRONTAL_LIMIT = 20.0
CAPTURES = {
    "scan": lambda card, i: S.flatbed(card, angle=0.4 + 0.2 * (i % 5), seed=i),
    "photo": lambda card, i: S.photograph(card, seed=i, rotate=-4 + (i % 9)),
}


@dataclass(frozen=True, slots=True)
class Face:
    label: str
    photo: Photo
    sample: FaceSample
    frontal: bool


def _frontal(models: Models, image: np.ndarray) -> bool:
    obs = observe(image, models)
    if obs.mesh is None:
        return False
    yaw, pitch, _roll = head_pose(obs.mesh)
    return abs(yaw) <= FRONTAL_LIMIT and abs(pitch) <= FRONTAL_LIMIT


def collect(matcher: FaceMatcher) -> tuple[list[Face], list[Face], list[str], list[float], list[float]]:
    """(faces of the photos, faces of the card portraits, photos without a face, ms per card portrait, ms per
    whole match)."""
    people = S.SPECIMEN_PEOPLE
    pose_models = Models()
    live: list[Face] = []
    cards: list[Face] = []
    missing: list[str] = []
    card_ms: list[float] = []
    for i, p in enumerate(photos()):
        image = p.load()
        frontal = _frontal(pose_models, image)
        face = matcher.live_face(image)
        if face is None:
            missing.append(p.file)
            continue
        live.append(Face(p.file, p, face, frontal))
        try:
            portrait = C.portrait_from_photo(image)
        except ValueError:
            missing.append(f"{p.file} (no portrait made)")
            continue
        card = C.card_front(people[i % len(people)], portrait)
        for name, capture in CAPTURES.items():
            scan = C.to_bgr(capture(card, i))
            t0 = time.perf_counter()
            found = matcher.portrait(scan)
            card_ms.append((time.perf_counter() - t0) * 1000)
            if found is None:
                missing.append(f"{p.file} card {name}")
                continue
            cards.append(Face(f"{p.file} card {name}", p, found.face, frontal))
    pose_models.close()
    # ms of a whole match (live photo + card scan) on a few pairs, models warm
    sample_pairs = list(zip(photos()[:20], photos()[1:21], strict=True))
    whole: list[float] = []
    for a, b in sample_pairs:
        card = C.to_bgr(CAPTURES["scan"](C.card_front(people[0], C.portrait_from_photo(b.load())), 0))
        image = a.load()
        t0 = time.perf_counter()
        matcher.match(image, card)
        whole.append((time.perf_counter() - t0) * 1000)
    return live, cards, missing, card_ms, whole


def rates(same: list[float], different: list[float], t: float) -> tuple[float, float]:
    fnmr = sum(d > t for d in same) / max(1, len(same))
    fmr = sum(d <= t for d in different) / max(1, len(different))
    return fnmr, fmr


def report(name: str, pairs: list[tuple[float, str, str, bool]], thresholds: list[float]) -> None:
    same = [d for d, _a, _b, s in pairs if s]
    diff = [d for d, _a, _b, s in pairs if not s]
    print(f"\n## {name}: {len(same)} same-person pairs, {len(diff)} different-person pairs")
    if same:
        print(f"same person: distance {min(same):.3f}-{max(same):.3f} (median {statistics.median(same):.3f})")
    if diff:
        print(f"different people: distance {min(diff):.3f}-{max(diff):.3f} (median {statistics.median(diff):.3f})")
    print("| threshold | FNMR | FMR |")
    print("| --- | --- | --- |")
    for t in thresholds:
        fnmr, fmr = rates(same, diff, t)
        print(f"| {t:.2f} | {fnmr:.1%} ({sum(d > t for d in same)}/{len(same)}) "
              f"| {fmr:.2%} ({sum(d <= t for d in diff)}/{len(diff)}) |")
    ordered = sorted(pairs)
    print("closest different:", "; ".join([f"{d:.3f} {a} ~ {b}" for d, a, b, s in ordered if not s][:4]))
    print("farthest same:", "; ".join([f"{d:.3f} {a} ~ {b}" for d, a, b, s in reversed(ordered) if s][:4]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.40,0.45,0.50,0.55,0.60")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    matcher = FaceMatcher()
    matcher.warm_up()
    live, cards, missing, card_ms, whole = collect(matcher)
    print(f"photos: {len(photos())}, with a face: {len(live)}, card portraits found: {len(cards)}")
    if missing:
        print("no face:", ", ".join(missing))
    pp = [(distance(a.sample.descriptor, b.sample.descriptor), a.label, b.label, a.photo.person == b.photo.person,
           a.frontal and b.frontal) for a, b in itertools.combinations(live, 2)]
    pc = [(distance(a.sample.descriptor, c.sample.descriptor), a.label, c.label, a.photo.person == c.photo.person,
           a.frontal and c.frontal) for a in live for c in cards if c.photo.file != a.photo.file]
    for name, rows in (("photo vs photo", pp), ("photo vs ID card", pc)):
        report(name, [r[:4] for r in rows], thresholds)
        report(f"{name}, both faces frontal", [r[:4] for r in rows if r[4]], thresholds)
    print(f"\nms per match (live photo + card scan, {len(whole)} pairs): median {statistics.median(whole):.0f}, "
          f"max {max(whole):.0f}; card portrait alone ({len(card_ms)} scans): median {statistics.median(card_ms):.0f}")
    matcher.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
