"""`python -m kiosk evaluate LABELS.json [--json] [--profile P]`: measure the judge on a labelled set."""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("labels", help="labels.json (images relative to it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--profile", help="per-kiosk threshold profile (JSON)")


def run(args: argparse.Namespace) -> int:
    from calibration.evaluate import evaluate, format_report
    from kiosk.photo.config import JudgeConfig

    try:
        config = JudgeConfig.from_profile(args.profile) if args.profile else None
        ev = evaluate(args.labels, config=config)
    except KioskError as exc:
        print(f"error: {exc.text.both()}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(ev.summary(), ensure_ascii=False))
    else:
        print(format_report(ev))
    return 0
