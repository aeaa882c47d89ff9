"""Measure the photo judge against a labelled set (format of shared/testdata/photos/labels.json).

A positive is a failure: per check and for the overall verdict we count tp (labelled bad, judged fail),
fp (labelled good, judged fail), fn, tn. Entries of kind "video" are skipped; a label of "unknown" is
skipped for its check. A check whose status is "skipped" counts as not failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.photo import JudgeConfig, PhotoJudge, Verdict, load_image
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

# label key -> (check code, function: label value -> True when the label means "this check should fail")
LABEL_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "people_count": ("single_person", lambda v: int(v) != 1),
    "upper_body": ("framing", lambda v: v == "n"),
    "centred": ("centred", lambda v: v == "n"),
    "hat": ("hat", lambda v: v == "y"),
    "glasses": ("glasses", lambda v: v == "y"),
    "hands_hanging": ("hands_hanging", lambda v: v == "n"),
    "sharp": ("sharp", lambda v: v == "n"),
    "well_exposed": ("exposure", lambda v: v == "n"),
    "frontal_face": ("frontal", lambda v: v == "n"),
    "is_photo": ("real_photo", lambda v: v == "n"),
}


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth_fail: bool, judged_fail: bool) -> None:
        if truth_fail and judged_fail:
            self.tp += 1
        elif judged_fail:
            self.fp += 1
        elif truth_fail:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    def as_dict(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": _r(precision), "recall": _r(recall)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass
class Evaluation:
    overall: Confusion = field(default_factory=Confusion)
    checks: dict[str, Confusion] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        o = self.overall
        good = o.tn + o.fp
        bad = o.tp + o.fn
        return {
            "overall": {
                "n": o.n,
                "accuracy": _r((o.tp + o.tn) / o.n if o.n else None),
                "pass_rate": _r(o.tn / good if good else None),
                "fail_recall": _r(o.tp / bad if bad else None),
                "tp": o.tp, "fp": o.fp, "fn": o.fn, "tn": o.tn,
            },
            "checks": {code: c.as_dict() for code, c in sorted(self.checks.items())},
        }


def load_labels(path: str | Path) -> tuple[Path, list[dict[str, Any]]]:
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KioskError("labels_unreadable", Text(f"无法读取标注文件：{path}", f"Cannot read labels file {path}: {exc}")) from exc
    if not isinstance(entries, list):
        raise KioskError("labels_unreadable", Text("标注文件格式错误", "Labels file must hold a JSON list"))
    return path.parent, entries


def evaluate(labels_path: str | Path, judge: PhotoJudge | None = None,
             config: JudgeConfig | None = None) -> Evaluation:
    """Judge every labelled image and count agreements per check and overall."""
    base, entries = load_labels(labels_path)
    if judge is None:
        with PhotoJudge(config) as own:
            return _evaluate(base, entries, own)
    return _evaluate(base, entries, judge)


def _evaluate(base: Path, entries: list[dict[str, Any]], judge: PhotoJudge) -> Evaluation:
    result = Evaluation()
    for entry in entries:
        if entry.get("kind", "image") == "video":
            continue
        file = entry["file"]
        try:
            verdict: Verdict | None = judge.judge(load_image(base / file))
            error = None
        except KioskError as exc:
            verdict, error = None, exc.code
        judged_fail = verdict is None or not verdict.passed
        truth_fail = entry.get("expected") == "fail"
        result.overall.add(truth_fail, judged_fail)
        row: dict[str, Any] = {"file": file, "expected": entry.get("expected"),
                               "judged": "error" if error else ("pass" if not judged_fail else "fail"),
                               "error": error, "checks": {}}
        for key, (code, means_fail) in LABEL_CHECKS.items():
            value = entry.get(key)
            if value is None or value == "unknown":
                continue
            res = verdict.result(code) if verdict else None
            check_fail = res is None or not res.passed
            result.checks.setdefault(code, Confusion()).add(means_fail(value), check_fail)
            row["checks"][code] = {"label_fail": means_fail(value), "judged_fail": check_fail,
                                   "reason": res.reason if res else error, "value": res.value if res else None}
        if verdict is not None:
            row["failures"] = [r.code for r in verdict.failures]
        result.rows.append(row)
    return result


def format_report(ev: Evaluation) -> str:
    """Human-readable table: overall figures, per-check confusion, and disagreements."""
    s = ev.summary()
    o = s["overall"]
    lines = [
        f"overall: n={o['n']} accuracy={o['accuracy']} pass_rate={o['pass_rate']} fail_recall={o['fail_recall']}"
        f" (tp={o['tp']} fp={o['fp']} fn={o['fn']} tn={o['tn']})",
        f"{'check':<15}{'tp':>4}{'fp':>4}{'fn':>4}{'tn':>4}{'precision':>11}{'recall':>8}",
    ]
    for code, c in s["checks"].items():
        lines.append(f"{code:<15}{c['tp']:>4}{c['fp']:>4}{c['fn']:>4}{c['tn']:>4}"
                     f"{_fmt(c['precision']):>11}{_fmt(c['recall']):>8}")
    lines.append("disagreements:")
    for row in ev.rows:
        wrong = [f"{code}({'missed' if v['label_fail'] else 'false fail'}:{v['reason']})"
                 for code, v in row["checks"].items() if v["label_fail"] != v["judged_fail"]]
        verdict_wrong = row["expected"] != row["judged"]
        if wrong or verdict_wrong:
            mark = "VERDICT " if verdict_wrong else ""
            lines.append(f"  {mark}{row['file']}: expected {row['expected']}, judged {row['judged']}; "
                         + ", ".join(wrong))
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
