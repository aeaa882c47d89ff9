"""`python -m kiosk evaluate LABELS.json [--json] [--html OUT.html] [--profile P]`: measure the photo judge
on a labelled set (figures per check, the uncertain counts, and the photos where judge and labels disagree).

Lives in `calibration` (evaluation against labelled photos), so that `kiosk` never imports `calibration`;
`kiosk/cli.py` names this module in its command registry.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("labels", help="labels.json (images relative to it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--html", metavar="OUT.html",
                        help="also write a self-contained HTML report (confusion per check, disagreeing photos)")
    parser.add_argument("--profile", help="per-kiosk threshold profile (JSON)")


def run(args: argparse.Namespace) -> int:
    from calibration.evaluate import evaluate, format_report, html_report
    from kiosk.photo.config import JudgeConfig

    try:
        config = JudgeConfig.from_profile(args.profile) if args.profile else None
        ev = evaluate(args.labels, config=config, keep_images=bool(args.html))
    except KioskError as exc:
        print(f"error: {exc.text.both()}", file=sys.stderr)
        return 2
    if args.html:
        out = Path(args.html)
        try:
            tmp = out.with_name(out.name + ".tmp")
            tmp.write_text(html_report(ev, f"Photo judge evaluation: {args.labels}"), encoding="utf-8")
            tmp.replace(out)
        except OSError as exc:
            print(f"error: 无法写入报告 / cannot write the report {out}: {exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(ev.summary(), ensure_ascii=False))
    else:
        print(format_report(ev))
        if args.html:
            print(f"report: {args.html}")
    return 0
