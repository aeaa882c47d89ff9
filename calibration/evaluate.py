"""Measure the photo judge against a labelled set (format of shared/testdata/photos/labels.json).

A positive is a failure: per check and for the overall verdict we count tp (labelled bad, judged fail),
fp (labelled good, judged fail), fn (labelled bad, judged pass), tn, and apart from these the photos the
check left `uncertain` (the grey band: staff confirm them), split by label. Uncertain never counts as caught:
recall is tp / (tp + fn + uncertain bad); precision is tp / (tp + fp).

How labels map to checks (`LABEL_CHECKS`, each reading the whole entry):
- `framing` fails when `upper_body` is "n" or a reason says too close / too far / full body (round 3 sets
  upper_body "n" for every framing fault; the first set kept upper_body "y" on two full-body photos whose
  reasons say "too_far").
- `people_count` 0 means `person_present` fails; the person-dependent labels (single_person, framing,
  centred, hands, hat, glasses, frontal) do not apply to a photo without a person: the judge says "no
  person" once and skips them.
- The labels of one person's attributes (hat, glasses, hands_hanging, frontal_face) count only on photos of
  one person: with several people they say that someone wears glasses ("glasses (rear person)") or turns
  away, not whether the main person does, and the judge measures the main person (single_person fails
  those photos anyway).
- A label of "unknown" is skipped for its check; entries of kind "video" are skipped; a check whose status
  is "skipped" counts as not failed.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kiosk.checkresult import FAIL, UNCERTAIN
from kiosk.photo import JudgeConfig, PhotoJudge, Verdict, load_image
from kiosk.photo.checks import describe
from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

FRAMING_REASON = re.compile(r"too.?far|too.?close|full.?body", re.IGNORECASE)
# Checks whose label describes the person in the photo: not applicable when nobody is there.
PERSON_CHECKS = frozenset({"single_person", "framing", "centred", "hands_hanging", "hat", "glasses", "frontal"})
# Checks of one person's attributes: their labels are ambiguous with several people in the photo.
ATTRIBUTE_CHECKS = frozenset({"hands_hanging", "hat", "glasses", "frontal"})


def _yes(key: str) -> Callable[[dict[str, Any]], bool | None]:
    return lambda e: _flag(e.get(key), "y")


def _no(key: str) -> Callable[[dict[str, Any]], bool | None]:
    return lambda e: _flag(e.get(key), "n")


def _flag(value: Any, means_fail: str) -> bool | None:
    if value is None or value == "unknown":
        return None
    return value == means_fail


def _framing(entry: dict[str, Any]) -> bool | None:
    if entry.get("upper_body") in (None, "unknown"):
        return None
    reasons = " ".join(str(r) for r in entry.get("reasons") or ())
    return entry["upper_body"] == "n" or bool(FRAMING_REASON.search(reasons))


def _people(entry: dict[str, Any]) -> bool | None:
    count = entry.get("people_count")
    return None if count is None else int(count) != 1


def _nobody(entry: dict[str, Any]) -> bool | None:
    count = entry.get("people_count")
    return None if count is None else int(count) == 0


# check code -> function(label entry) -> True when the labels mean "this check should fail", None: no label
LABEL_CHECKS: dict[str, Callable[[dict[str, Any]], bool | None]] = {
    "person_present": _nobody,
    "single_person": _people,
    "framing": _framing,
    "centred": _no("centred"),
    "hat": _yes("hat"),
    "glasses": _yes("glasses"),
    "hands_hanging": _no("hands_hanging"),
    "sharp": _no("sharp"),
    "exposure": _no("well_exposed"),
    "frontal": _no("frontal_face"),
    "real_photo": _no("is_photo"),
}


def label_truth(entry: dict[str, Any]) -> dict[str, bool]:
    """Check code -> whether the labels say it should fail, for every check the labels decide."""
    nobody = _nobody(entry)
    several = bool(_people(entry)) and not nobody
    truth = {}
    for code, means_fail in LABEL_CHECKS.items():
        if (nobody and code in PERSON_CHECKS) or (several and code in ATTRIBUTE_CHECKS):
            continue
        value = means_fail(entry)
        if value is not None:
            truth[code] = value
    return truth


@dataclass
class Confusion:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    uncertain_bad: int = 0   # labelled bad, judged uncertain: not caught, but sent to staff
    uncertain_good: int = 0  # labelled good, judged uncertain: not a false fail, but staff are asked

    def add(self, truth_fail: bool, judged: str) -> None:
        """`judged` is "fail", "uncertain" or "pass"."""
        if judged == "uncertain":
            if truth_fail:
                self.uncertain_bad += 1
            else:
                self.uncertain_good += 1
        elif truth_fail and judged == "fail":
            self.tp += 1
        elif judged == "fail":
            self.fp += 1
        elif truth_fail:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn + self.uncertain_bad + self.uncertain_good

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        bad = self.tp + self.fn + self.uncertain_bad
        return self.tp / bad if bad else None

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": _r(self.precision), "recall": _r(self.recall)}

    def uncertain(self) -> dict[str, int]:
        return {"bad": self.uncertain_bad, "good": self.uncertain_good}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass
class Evaluation:
    overall: Confusion = field(default_factory=Confusion)
    checks: dict[str, Confusion] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        o = self.overall
        good = o.tn + o.fp + o.uncertain_good
        bad = o.tp + o.fn + o.uncertain_bad
        return {
            "overall": {
                "n": o.n,
                "accuracy": _r((o.tp + o.tn) / o.n if o.n else None),
                "pass_rate": _r(o.tn / good if good else None),
                "capturable_rate": _r((o.tn + o.uncertain_good) / good if good else None),
                "fail_recall": _r(o.tp / bad if bad else None),
                "tp": o.tp, "fp": o.fp, "fn": o.fn, "tn": o.tn,
                "uncertain_bad": o.uncertain_bad, "uncertain_good": o.uncertain_good,
                "photos_uncertain": sum(1 for row in self.rows if row["uncertain"]),
            },
            "checks": {code: c.as_dict() for code, c in sorted(self.checks.items())},
            # per check: photos left uncertain (not counted as caught), by label
            "uncertain": {code: c.uncertain() for code, c in sorted(self.checks.items())},
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
             config: JudgeConfig | None = None, *, keep_images: bool = False) -> Evaluation:
    """Judge every labelled image and count agreements per check and overall. With `keep_images`, each
    row keeps a small JPEG thumbnail (for the HTML report)."""
    base, entries = load_labels(labels_path)
    if judge is None:
        with PhotoJudge(config) as own:
            return _evaluate(base, entries, own, keep_images)
    return _evaluate(base, entries, judge, keep_images)


def verdict_word(verdict: Verdict | None) -> str:
    """"pass", "uncertain" (capturable, staff confirm) or "fail" (also for an unreadable image)."""
    if verdict is None or not verdict.capturable:
        return "fail"
    return "uncertain" if verdict.uncertain else "pass"


def check_word(status: str | None) -> str:
    if status == FAIL or status is None or status == "error":
        return "fail"
    return "uncertain" if status == UNCERTAIN else "pass"


def _evaluate(base: Path, entries: list[dict[str, Any]], judge: PhotoJudge, keep_images: bool) -> Evaluation:
    result = Evaluation()
    for entry in entries:
        if entry.get("kind", "image") == "video":
            continue
        file = entry["file"]
        image = None
        try:
            image = load_image(base / file)
            verdict: Verdict | None = judge.judge(image)
            error = None
        except KioskError as exc:
            verdict, error = None, exc.code
        judged = "error" if error else verdict_word(verdict)
        truth_fail = entry.get("expected") == "fail"
        result.overall.add(truth_fail, "fail" if judged == "error" else judged)
        row: dict[str, Any] = {"file": file, "expected": entry.get("expected"), "judged": judged,
                               "error": error, "checks": {},
                               "uncertain": [r.code for r in verdict.uncertain] if verdict else []}
        for code, label_fail in label_truth(entry).items():
            res = verdict.result(code) if verdict else None
            word = check_word(res.status if res else None)
            result.checks.setdefault(code, Confusion()).add(label_fail, word)
            row["checks"][code] = {"label_fail": label_fail, "judged": word, "judged_fail": word == "fail",
                                   "reason": res.reason if res else error, "value": res.value if res else None}
        if verdict is not None:
            row["failures"] = [r.code for r in verdict.failures]
            row["measured"] = {r.code: {"status": str(r.status), "text": describe(r).as_dict()}
                               for r in verdict.results}
        if keep_images and image is not None:
            row["thumbnail"] = thumbnail(image)
        result.rows.append(row)
    return result


def thumbnail(image: np.ndarray, size: int = 220) -> str:
    """A JPEG data URL of the image scaled to fit `size` px."""
    h, w = image.shape[:2]
    scale = min(1.0, size / max(h, w))
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return "data:image/jpeg;base64," + base64.b64encode(data.tobytes()).decode("ascii") if ok else ""


def disagreements(row: dict[str, Any]) -> list[str]:
    """Codes of the checks where the judge did not plainly agree with the labels (uncertain included)."""
    return [code for code, v in row["checks"].items() if v["judged"] != ("fail" if v["label_fail"] else "pass")]


def _mark(v: dict[str, Any]) -> str:
    if v["judged"] == "uncertain":
        return "uncertain"
    return "missed" if v["label_fail"] else "false fail"


def format_report(ev: Evaluation) -> str:
    """Human-readable table: overall figures, per-check confusion (with the uncertain counts), disagreements."""
    s = ev.summary()
    o = s["overall"]
    lines = [
        f"overall: n={o['n']} accuracy={o['accuracy']} pass_rate={o['pass_rate']} "
        f"capturable_rate={o['capturable_rate']} fail_recall={o['fail_recall']}"
        f" (tp={o['tp']} fp={o['fp']} fn={o['fn']} tn={o['tn']} uncertain bad={o['uncertain_bad']}"
        f" good={o['uncertain_good']}); photos with an uncertain check: {o['photos_uncertain']}",
        f"{'check':<15}{'tp':>4}{'fp':>4}{'fn':>4}{'tn':>4}{'unc.bad':>8}{'unc.good':>9}{'precision':>11}{'recall':>8}",
    ]
    for code, c in s["checks"].items():
        u = s["uncertain"][code]
        lines.append(f"{code:<15}{c['tp']:>4}{c['fp']:>4}{c['fn']:>4}{c['tn']:>4}{u['bad']:>8}"
                     f"{u['good']:>9}{_fmt(c['precision']):>11}{_fmt(c['recall']):>8}")
    lines.append("disagreements:")
    for row in ev.rows:
        wrong = [f"{code}({_mark(row['checks'][code])}:{row['checks'][code]['reason']})" for code in disagreements(row)]
        verdict_wrong = row["judged"] != row["expected"]
        if wrong or verdict_wrong:
            mark = "VERDICT " if verdict_wrong else ""
            lines.append(f"  {mark}{row['file']}: expected {row['expected']}, judged {row['judged']}; "
                         + ", ".join(wrong))
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def html_report(ev: Evaluation, title: str = "Photo judge evaluation") -> str:
    """A self-contained HTML page: overall figures, the confusion table per check, and every photo where the
    judge and the labels disagree, as an embedded thumbnail with what each check measured."""
    s = ev.summary()
    o = s["overall"]
    esc = html.escape
    parts = [
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>",
        "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}th{background:#eee}"
        "td.l,th.l{text-align:left}.photo{display:flex;gap:1em;border-top:1px solid #ccc;padding:.6em 0}"
        ".photo img{max-width:220px;max-height:220px}.fail{color:#b00}.uncertain{color:#b70}.pass{color:#070}"
        "ul{margin:.2em 0;padding-left:1.2em}li{font-size:.9em}",
        "</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>照片 {o['n']} 张 / {o['n']} photos: accuracy {o['accuracy']}, good photos passed {o['pass_rate']}, "
        f"capturable {o['capturable_rate']}, bad photos caught {o['fail_recall']} "
        f"(tp {o['tp']}, fp {o['fp']}, fn {o['fn']}, tn {o['tn']}, uncertain bad {o['uncertain_bad']}, "
        f"uncertain good {o['uncertain_good']}); photos with an uncertain check: {o['photos_uncertain']}.</p>",
        "<h2>每项检查 / Per check</h2><table><tr><th class='l'>check</th><th>tp</th><th>fp</th><th>fn</th>"
        "<th>tn</th><th>uncertain (bad)</th><th>uncertain (good)</th><th>precision</th><th>recall</th></tr>",
    ]
    for code, c in s["checks"].items():
        u = s["uncertain"][code]
        parts.append(f"<tr><td class='l'>{esc(code)}</td><td>{c['tp']}</td><td>{c['fp']}</td><td>{c['fn']}</td>"
                     f"<td>{c['tn']}</td><td>{u['bad']}</td><td>{u['good']}</td>"
                     f"<td>{_fmt(c['precision'])}</td><td>{_fmt(c['recall'])}</td></tr>")
    parts.append("</table><h2>不一致的照片 / Photos where judge and labels disagree</h2>")
    shown = 0
    for row in ev.rows:
        wrong = disagreements(row)
        if not wrong and row["judged"] == row["expected"]:
            continue
        shown += 1
        img = f"<img src='{row['thumbnail']}' alt=''>" if row.get("thumbnail") else ""
        items = []
        for code, m in (row.get("measured") or {}).items():
            label = row["checks"].get(code)
            note = f" — labelled {'bad' if label['label_fail'] else 'good'}" if label else ""
            strong = code in wrong
            text = f"{esc(m['text']['zh'])} / {esc(m['text']['en'])}"
            items.append(f"<li class='{esc(m['status']) if m['status'] in ('fail', 'uncertain', 'pass') else ''}'>"
                         f"{'<b>' if strong else ''}{esc(code)} {esc(m['status'])}: {text}{esc(note)}"
                         f"{'</b>' if strong else ''}</li>")
        parts.append(f"<div class='photo'>{img}<div><b>{esc(row['file'])}</b><br>expected {esc(str(row['expected']))},"
                     f" judged <span class='{esc(row['judged'])}'>{esc(row['judged'])}</span>"
                     f"{'; error ' + esc(row['error']) if row['error'] else ''}<br>disagree: {esc(', '.join(wrong)) or '-'}"
                     f"<ul>{''.join(items)}</ul></div></div>")
    if not shown:
        parts.append("<p>None: the judge agrees with every label.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
