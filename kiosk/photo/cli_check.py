"""`python -m kiosk check IMAGE... [--json] [--profile P]`: print the verdict and every check.

Exit code 0 when every photo passes, 1 when any fails or cannot be read.
"""

from __future__ import annotations

import argparse
import json

from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", help="image files")
    parser.add_argument("--json", action="store_true", help="one JSON object per image, one per line")
    parser.add_argument("--profile", help="per-kiosk threshold profile (JSON)")


def run(args: argparse.Namespace) -> int:
    from kiosk.photo import JudgeConfig, PhotoJudge, load_image

    try:
        config = JudgeConfig.from_profile(args.profile) if args.profile else None
    except KioskError as exc:
        print(f"error: {exc.text.both()}")
        return 2
    judge = PhotoJudge(config)
    all_ok = True
    for path in args.images:
        try:
            verdict = judge.judge(load_image(path))
        except KioskError as exc:
            all_ok = False
            if args.json:
                print(json.dumps({"file": path, "passed": False, **exc.as_dict()}, ensure_ascii=False))
            else:
                print(f"{path}: ERROR {exc.code}: {exc.text.both()}")
            continue
        all_ok = all_ok and verdict.passed
        if args.json:
            print(json.dumps({"file": path, **verdict.as_dict()}, ensure_ascii=False))
            continue
        first = verdict.first_failure
        head = "PASS 合格" if verdict.passed else f"FAIL 不合格: {first.message.both() if first else ''}"
        print(f"{path}: {head}")
        for r in verdict.results:
            value = "" if r.value is None else f" value={r.value:.3g}"
            limit = "" if r.threshold is None else f" threshold={r.threshold}"
            note = "" if r.status == "pass" else f" [{r.reason}] {r.message.both()}"
            print(f"  {r.status:<7} {r.code:<14}{value}{limit}{note}")
    return 0 if all_ok else 1
