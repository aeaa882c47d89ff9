"""`python -m kiosk check-document --kind principal_id_front FILE [--json]`: check a scan, read its numbers.

Exit status: 0 when every check passes, 1 when a check fails, 2 when the file is not a usable scan.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.documents.kinds import KINDS
from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="JPEG, PNG or one-page PDF scan")
    parser.add_argument("--kind", required=True, choices=sorted(KINDS), help="which attachment this is")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--name", help="the name typed into the case (ID front)")
    parser.add_argument("--id-number", help="the ID number typed into the case")
    parser.add_argument("--credit-code", help="the credit code typed into the case")
    parser.add_argument("--subject-name", help="the subject's name typed into the case")
    parser.add_argument("--domain", action="append", help="a domain of the case (repeatable)")
    parser.add_argument("--no-seal", action="store_true", help="the sheet needs no seal (individual)")
    parser.add_argument("--engine", choices=["rapidocr", "tesseract"], help="OCR engine (default: KIOSK_OCR_ENGINE or rapidocr)")
    parser.add_argument("--save-normalised", type=Path, help="write the normalised JPEG here")


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from kiosk.documents.desk import DocumentChecker
    from kiosk.settings import load_settings

    expected = {
        k: v
        for k, v in {
            "name": args.name,
            "id_number": args.id_number,
            "credit_code": args.credit_code,
            "subject_name": args.subject_name,
            "domain": args.domain,
        }.items()
        if v
    }
    if args.no_seal:
        expected["require_seal"] = False
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        if args.engine:
            settings = dataclasses.replace(settings, ocr_engine=args.engine)
        report = DocumentChecker.from_settings(settings).inspect(args.kind, data, args.file.name, expected)
    except KioskError as exc:
        if args.json:
            print(json.dumps(exc.as_dict(), ensure_ascii=False, indent=2))
        else:
            print(f"{exc.code}: {exc.text.both()}", file=sys.stderr)
        return 2
    if args.save_normalised:
        args.save_normalised.write_bytes(report.normalised_jpeg)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"{args.file}: {'PASS' if report.passed else 'FAIL'} ({args.kind}, {report.width}×{report.height})")
        for r in report.results:
            value = "" if r.value is None else f" {r.value:.3g}"
            print(f"  {r.status:7s} {r.code:11s}{value}  {r.message.both()}")
        for key, value in report.readings.items():
            if key not in ("front_keywords", "back_keywords") and value:
                print(f"  read    {key}: {value}")
        for m in report.mismatches:
            print(f"  MISMATCH {m['field']}: typed {m['typed']!r}, read {m['read']!r}")
        if report.other_side is not None:
            print(f"  other side on the same sheet: {report.other_side.kind} "
                  f"{'PASS' if report.other_side.passed else 'FAIL'}")
    return 0 if report.passed else 1
