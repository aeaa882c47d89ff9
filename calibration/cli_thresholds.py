"""`python -m kiosk calibrate thresholds LABELS.json [--profile P] [--out DIR] [--write]`: run the judge over a
labelled set (images relative to LABELS.json, format of calibration.evaluate), print each tunable check's
current and proposed threshold (calibration.thresholds), write DIR/thresholds.png and DIR/thresholds.html, and
only with --write add the proposed thresholds as the kiosk's next profile version (source "thresholds"; the
judged profile's other sections kept)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.files import atomic_write
from kiosk.profiles import EXPORT_FORMAT
from kiosk.text import KioskError, Text


def read_profile(path: str | None) -> dict[str, Any]:
    """The profile in `path` (a `calibrate --out` file or an `export`), {} without one."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KioskError("profile_unreadable", Text(f"无法读取配置文件：{path}", f"Cannot read profile {path}: {exc}")) from exc
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        data = data.get("profile") or {}
    if not isinstance(data, dict) or not isinstance(data.get("thresholds", {}), dict):
        raise KioskError("profile_unreadable", Text("配置文件格式错误", "Profile must be a JSON object"))
    return data


def run_thresholds(args: argparse.Namespace) -> int:
    from calibration.evaluate import load_labels
    from calibration.thresholds import collect, html_page, plot_png, propose, updated_profile
    from kiosk.photo import JudgeConfig, PhotoJudge

    if not args.file:
        print("error: LABELS.json is required")
        return 2
    try:
        profile = read_profile(args.profile)
        config = JudgeConfig.from_dict(profile.get("thresholds"))
        base, labels = load_labels(args.file)
        with PhotoJudge(config) as judge:
            scores = collect(labels, base, judge)
    except KioskError as exc:
        print(f"error: {exc.text.both()}")
        return 2
    proposals = propose(scores, config)
    if not proposals:
        print("error: 没有可调的检查测得数值 / no tunable check measured a value on this set")
        return 1
    print(f"{'check':<16}{'field':<24}{'limit':>6}{'now':>10}{'proposed':>10}{'tightest':>10}"
          f"{'good':>6}{'bad':>5}{'good fail now':>15}{'bad caught now/proposed':>25}")
    for p in proposals:
        tightest = "-" if p.tightest is None else f"{p.tightest:g}"
        print(f"{p.code:<16}{p.field:<24}{p.limit:>6}{p.current:>10g}{p.proposed:>10g}{tightest:>10}{p.good:>6}"
              f"{p.bad:>5}{p.good_failing_now:>15}{f'{p.bad_caught_now}/{p.bad_caught_proposed}':>25}")
    if args.out:
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            png = plot_png(scores, proposals)
            atomic_write(out / "thresholds.png", png)
            page = html_page(proposals, png, f"Threshold tuning: {args.file}")
            atomic_write(out / "thresholds.html", page.encode("utf-8"))
        except OSError as exc:
            print(f"error: 无法写入 / cannot write {out}: {exc}")
            return 2
        print(f"plot: {out / 'thresholds.png'}, page: {out / 'thresholds.html'}")
    if args.write:
        if not any(p.changed for p in proposals):
            print("no threshold changed: no new profile version")
            return 0
        from calibration.profile_io import save_version

        changed = ", ".join(f"{p.field}={p.proposed:g}" for p in proposals if p.changed)
        version = save_version(args.kiosk, updated_profile(profile, proposals), source="thresholds",
                               note=f"tuned on {args.file}: {changed}")
        print(f"saved as profile version {version}")
    else:
        print("not written (add --write to save the proposal as a new profile version)")
    return 0
