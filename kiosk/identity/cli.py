"""`python -m kiosk match-face LIVE.jpg ID_FRONT.jpg [--json] [--save-faces DIR]`: is it the same person?

Prints the similarity, the threshold and the verdict (same / different / no face, with the side that has none).
The ID front may be any scan or photo of the card's portrait side (JPEG, PNG or a one-page scanner PDF).
Exit status: 0 same person, 1 different or no face, 2 a file that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.text import KioskError, Text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("live", type=Path, help="the booth photo (or any photo of the person)")
    parser.add_argument("id_front", type=Path, help="scan or photo of the ID card's portrait side")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.add_argument("--profile", type=Path, help="kiosk profile whose \"identity\" section sets the limits")
    parser.add_argument("--save-faces", type=Path, metavar="DIR", help="write the two face crops here")


def run(args: argparse.Namespace) -> int:
    from kiosk.documents.intake import read_upload
    from kiosk.identity.match import FaceMatcher, MatchThresholds, MatchVerdict
    from kiosk.photo.image_io import load_image

    try:
        thresholds = MatchThresholds.from_profile(args.profile) if args.profile else MatchThresholds()
        live = load_image(args.live)
        try:
            data = args.id_front.read_bytes()
        except OSError as exc:
            raise KioskError("image_missing", _missing(args.id_front)) from exc
        card = read_upload(data, args.id_front.name)
    except KioskError as exc:
        if args.json:
            print(json.dumps(exc.as_dict(), ensure_ascii=False, indent=2))
        else:
            print(f"{exc.code}: {exc.text.both()}", file=sys.stderr)
        return 2
    result = FaceMatcher(thresholds).match(live, card)
    if args.save_faces:
        args.save_faces.mkdir(parents=True, exist_ok=True)
        for name, jpeg in (("live_face.jpg", result.live_face_jpeg), ("id_card_face.jpg", result.card_face_jpeg)):
            if jpeg:
                (args.save_faces / name).write_bytes(jpeg)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        sim = "-" if result.similarity is None else f"{result.similarity:.3f}"
        dist = "-" if result.distance is None else f"{result.distance:.3f}"
        print(f"verdict: {result.verdict}")
        print(f"similarity: {sim} (minimum {result.min_similarity:.3f})")
        print(f"distance: {dist} (threshold {result.threshold:.3f})")
        print(f"message: {result.message.both()}")
        print(f"model: {result.model.name} ({result.model.version})")
    return 0 if result.verdict == MatchVerdict.SAME else 1


def _missing(path: Path) -> Text:
    return Text(f"找不到图片文件：{path}", f"Image file not found: {path}")
