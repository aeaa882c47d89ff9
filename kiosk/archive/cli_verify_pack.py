"""`python -m kiosk verify-pack PACK.zip [--key KEY.pub]`: verify an evidence pack offline; exit 1 on any problem."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.archive.pack import verify_pack


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pack", type=Path, help="the evidence pack (.zip)")
    parser.add_argument("--key", help="trusted signing key: a .pub file or its fingerprint (pins who signed it)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    if not args.pack.exists():
        print(f"no such file: {args.pack} / 文件不存在")
        return 2
    report = verify_pack(args.pack, args.key)
    if args.json:
        print(json.dumps({"ok": report.ok, "case": report.case_number, "manifests": report.manifests,
                          "files": report.files, "signing_key": report.signing_key,
                          "problems": [{"code": p.code, "subject": p.subject, "message": p.message.as_dict()}
                                       for p in report.problems]}, ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            print(p.line())
        verdict = "OK" if report.ok else "FAILED"
        print(f"{verdict}: {args.pack.name}: case {report.case_number}, {report.manifests} manifest(s), "
              f"{report.files} sealed file(s), signed by {report.signing_key}"
              + ("" if args.key else " (not pinned: pass --key to check who signed it)"))
    return 0 if report.ok else 1
