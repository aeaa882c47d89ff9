"""`python -m kiosk calibrate ...`: the kiosk's calibration profile.

- `calibrate --backdrop EMPTY_BACKDROP_IMAGE [--out PROFILE.json] [--base PROFILE] [--save]`: measure the backdrop
  colour and camera basics; write a profile file that `JudgeConfig.from_profile` loads, and/or (`--save`) add it
  as this kiosk's next profile version in the database (kiosk.profiles).
- `calibrate export [--version N] --out FILE.json`: this kiosk's current (or N-th) profile version as JSON.
- `calibrate import FILE.json`: add an exported profile (another counter's set-up) as this kiosk's next version.
- `calibrate thresholds LABELS.json [--profile P] [--out DIR] [--write]`: tune the thresholds on a labelled set
  (calibration.cli_thresholds).
The kiosk is the one named by the settings (KIOSK_NAME); `--kiosk` names another.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.files import atomic_write
from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="measure", choices=["measure", "export", "import", "thresholds"],
                        help="measure a backdrop image (default), export or import a profile version, tune thresholds")
    parser.add_argument("file", nargs="?", help="import: the exported profile (JSON); thresholds: LABELS.json")
    parser.add_argument("--backdrop", nargs="+", help="photo(s) of the empty backdrop, taken by the kiosk camera")
    parser.add_argument("--wordmark", help="the wordmark's region in the frame: x0,y0,x1,y1 as fractions")
    parser.add_argument("--out", help="profile to write (JSON); thresholds: folder for the plot and page")
    parser.add_argument("--base", help="existing profile whose thresholds are kept")
    parser.add_argument("--save", action="store_true", help="add the measured profile as the kiosk's next version")
    parser.add_argument("--version", type=int, help="export: this version instead of the current one")
    parser.add_argument("--kiosk", help="kiosk name (default: the settings' KIOSK_NAME)")
    parser.add_argument("--profile", help="thresholds: judge with this profile (JSON file; default: built-in)")
    parser.add_argument("--write", action="store_true",
                        help="thresholds: add the proposed thresholds as the kiosk's next profile version")


def run(args: argparse.Namespace) -> int:
    if args.action in ("export", "import"):
        from calibration.profile_io import run_export, run_import

        return run_export(args) if args.action == "export" else run_import(args)
    if args.action == "thresholds":
        from calibration.cli_thresholds import run_thresholds

        return run_thresholds(args)
    if not args.backdrop or not (args.out or args.save):
        print("error: --backdrop and --out or --save are required")
        return 2
    from calibration.backdrop_model import model_from_frames
    from kiosk.photo import JudgeConfig, load_image

    try:
        base = JudgeConfig.from_profile(args.base).to_dict() if args.base else {}
        base = {k: v for k, v in base.items() if v != getattr(JudgeConfig(), k)} if base else {}
        frames = [load_image(path) for path in args.backdrop]
        corners = [float(v) for v in args.wordmark.split(",")] if args.wordmark else []
        if args.wordmark and len(corners) != 4:
            raise ValueError("--wordmark needs x0,y0,x1,y1")
        wordmark = (corners[0], corners[1], corners[2], corners[3]) if corners else None
        profile = model_from_frames(frames, wordmark=wordmark, base=base)
    except (KioskError, ValueError) as exc:
        print(f"error: {exc.text.both() if isinstance(exc, KioskError) else exc}")
        return 2
    measure = {**profile["camera"], "backdrop_lab": profile["thresholds"]["backdrop_lab"]}
    JudgeConfig.from_dict(profile["thresholds"])  # validate before writing
    print(f"backdrop Lab {measure['backdrop_lab']} (spread {measure['backdrop_spread_delta_e_p90']})")
    if args.out:
        atomic_write(Path(args.out), (json.dumps(profile, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        print(f"profile written to {args.out}")
    if args.save:
        from calibration.profile_io import save_version

        version = save_version(args.kiosk, profile, source="calibrate", note=f"from {len(frames)} frame(s)")
        print(f"saved as profile version {version}")
    return 0
