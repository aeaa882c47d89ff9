"""`python -m kiosk calibrate --backdrop EMPTY_BACKDROP_IMAGE --out PROFILE.json [--base PROFILE]`.

Measures the backdrop colour and camera basics and writes a per-kiosk profile that
`JudgeConfig.from_profile` loads (this enables the backdrop check).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.files import atomic_write
from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backdrop", required=True, help="photo of the empty backdrop, taken by the kiosk camera")
    parser.add_argument("--out", required=True, help="profile to write (JSON)")
    parser.add_argument("--base", help="existing profile whose thresholds are kept")


def run(args: argparse.Namespace) -> int:
    from calibration.backdrop import measure_backdrop, profile_from_measurement
    from kiosk.photo import JudgeConfig, load_image

    try:
        base = JudgeConfig.from_profile(args.base).to_dict() if args.base else {}
        base = {k: v for k, v in base.items() if v != getattr(JudgeConfig(), k)} if base else {}
        frame = load_image(args.backdrop)
    except KioskError as exc:
        print(f"error: {exc.text.both()}")
        return 2
    measure = measure_backdrop(frame)
    profile = profile_from_measurement(measure, base)
    JudgeConfig.from_dict(profile["thresholds"])  # validate before writing
    atomic_write(Path(args.out), (json.dumps(profile, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    print(f"backdrop Lab {measure['backdrop_lab']} (spread {measure['backdrop_spread_delta_e_p90']}); "
          f"profile written to {args.out}")
    return 0
