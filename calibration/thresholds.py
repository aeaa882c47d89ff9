"""Threshold tuning from a labelled set (`python -m kiosk calibrate thresholds LABELS.json`): run the judge over
the photos, collect each tunable check's measured value for the good and the bad photos, propose the thresholds
that keep every good photo passing, and show the distributions (a PNG via matplotlib's Agg backend and an HTML
page embedding it).

A photo is good for a check when its labels say that check should pass (calibration.evaluate.label_truth; an
entry's optional "fails" list names the checks it should fail, the others it should pass), or, for a check the
labels do not name, when the whole photo is expected to pass; otherwise bad.
The proposal per check (`TUNABLE`: checks with one measure and one threshold field): when the current threshold
already passes every good photo it stays; otherwise it moves just past the worst good photo (MARGIN of its value,
at least MIN_STEP). The tightest threshold that still passes every good photo is reported beside it, not proposed:
on a small set it would fit that set. Nothing is written here; `updated_profile` gives the profile of a new
version, which the command adds only with --write (the admin confirms).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.checkresult import Limit
from kiosk.photo import JudgeConfig, PhotoJudge, load_image
from kiosk.photo.checks import CHECKS_BY_CODE
from kiosk.text import KioskError

# check code -> the JudgeConfig field its single threshold is
TUNABLE: dict[str, str] = {
    "backdrop": "backdrop_min_fraction",
    "curtain_head": "curtain_margin",
    "curtain_edge": "curtain_foreign_max",
    "wordmark": "wordmark_min_score",
    "clothing_colour": "clothing_min_delta_e",
    "colour": "min_colourfulness",
}
MARGIN = 0.05     # a loosened threshold lies this share of the worst good value beyond it
MIN_STEP = 1e-3   # ... and at least this far


@dataclass(frozen=True, slots=True)
class Score:
    """One check's measured value on one labelled photo."""

    code: str
    file: str
    value: float
    good: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    """A check's threshold now and proposed, with what each does on the labelled set."""

    code: str
    field: str
    limit: str           # "min" (values must reach it) or "max"
    current: float
    proposed: float
    tightest: float | None  # the strictest threshold passing every good photo (None without good photos)
    good: int
    bad: int
    good_failing_now: int
    bad_caught_now: int
    bad_caught_proposed: int

    @property
    def changed(self) -> bool:
        return self.proposed != self.current


def fails(value: float, threshold: float, limit: str) -> bool:
    return value < threshold if limit == Limit.MIN else value > threshold


def collect(labels: list[dict[str, Any]], base: Path, judge: PhotoJudge) -> list[Score]:
    """Judge every labelled image (relative to `base`) and keep the tunable checks' values."""
    from calibration.evaluate import label_truth

    scores: list[Score] = []
    for entry in labels:
        if entry.get("kind", "image") == "video":
            continue
        try:
            verdict = judge.judge(load_image(base / entry["file"]))
        except KioskError:
            continue  # an unreadable image has no scores (calibrate evaluate reports it)
        truth = label_truth(entry)
        for code in TUNABLE:
            result = verdict.result(code)
            if result is None or result.value is None or result.status == "skipped":
                continue
            if isinstance(entry.get("fails"), list):
                good = code not in entry["fails"]
            else:
                good = not truth[code] if code in truth else entry.get("expected") == "pass"
            scores.append(Score(code, str(entry["file"]), float(result.value), good))
    return scores


def propose(scores: list[Score], config: JudgeConfig) -> list[Proposal]:
    """A proposal for every tunable check measured on the set (see the module docstring)."""
    proposals = []
    for code, field in TUNABLE.items():
        mine = [s for s in scores if s.code == code]
        if not mine:
            continue
        limit = str(CHECKS_BY_CODE[code].limit or Limit.MIN)
        current = float(getattr(config, field))
        good = [s.value for s in mine if s.good]
        bad = [s.value for s in mine if not s.good]
        tightest = (min(good) if limit == Limit.MIN else max(good)) if good else None
        proposed = current
        if tightest is not None and fails(tightest, current, limit):
            step = max(MARGIN * abs(tightest), MIN_STEP)
            proposed = round(tightest - step if limit == Limit.MIN else tightest + step, 4)
        proposals.append(Proposal(
            code, field, limit, current, proposed, None if tightest is None else round(tightest, 4), len(good),
            len(bad), sum(fails(v, current, limit) for v in good), sum(fails(v, current, limit) for v in bad),
            sum(fails(v, proposed, limit) for v in bad)))
    return proposals


def updated_profile(profile: dict[str, Any], proposals: list[Proposal]) -> dict[str, Any]:
    """`profile` with the changed proposals in its thresholds (the data of the new version)."""
    thresholds = dict(profile.get("thresholds") or {})
    thresholds.update({p.field: p.proposed for p in proposals if p.changed})
    return {**profile, "thresholds": thresholds}


def plot_png(scores: list[Score], proposals: list[Proposal]) -> bytes:
    """One panel per check: good (green) and bad (red) photos' values as dots, the current threshold dashed, the
    proposed one solid blue (when it differs); values in the check's display unit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(proposals), 1, figsize=(8, 1.6 * max(1, len(proposals)) + 0.6), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, p in zip(axes[:, 0], proposals, strict=True):
        measure = CHECKS_BY_CODE[p.code].measure()
        scale = measure.scale
        for good, colour, row in ((True, "#2a8a2a", 1.0), (False, "#c03030", 0.0)):
            values = np.array([s.value * scale for s in scores if s.code == p.code and s.good == good])
            if values.size:
                ax.scatter(values, row + rng.uniform(-0.15, 0.15, values.size), s=18, c=colour, alpha=0.75,
                           label=f"{'good' if good else 'bad'} ({values.size})")
        ax.axvline(p.current * scale, color="black", linestyle="--", linewidth=1, label=f"now {p.current * scale:g}")
        if p.changed:
            ax.axvline(p.proposed * scale, color="#1f5fbf", linewidth=1.5, label=f"proposed {p.proposed * scale:g}")
        ax.set_yticks([0, 1], ["bad", "good"])
        ax.set_ylim(-0.5, 1.5)
        ax.set_title(f"{p.code} ({p.field}, {p.limit}){' ' + measure.unit if measure.unit else ''}", fontsize=9,
                     loc="left")
        ax.legend(fontsize=7, loc="upper right", ncols=4)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def html_page(proposals: list[Proposal], png: bytes, title: str) -> str:
    """A self-contained page: the proposal table and the plot (embedded)."""
    esc = html.escape
    rows = "".join(
        f"<tr><td class='l'>{esc(p.code)}</td><td class='l'>{esc(p.field)}</td><td>{esc(p.limit)}</td>"
        f"<td>{p.current:g}</td><td>{'<b>' if p.changed else ''}{p.proposed:g}{'</b>' if p.changed else ''}</td>"
        f"<td>{'-' if p.tightest is None else f'{p.tightest:g}'}</td><td>{p.good}</td><td>{p.bad}</td>"
        f"<td>{p.good_failing_now}</td><td>{p.bad_caught_now}</td><td>{p.bad_caught_proposed}</td></tr>"
        for p in proposals)
    image = base64.b64encode(png).decode("ascii")
    return "\n".join([
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
        f"<title>{esc(title)}</title><style>body{{font-family:sans-serif;margin:1.5em;color:#222}}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}"
        "th{background:#eee}td.l,th.l{text-align:left}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        "<p>阈值建议：保持所有合格照片通过 / Proposed thresholds keep every good photo passing. "
        "写入新的校准配置版本需管理员确认（--write）/ Written into a new profile version only with --write.</p>",
        "<table><tr><th class='l'>check</th><th class='l'>field</th><th>limit</th><th>now</th><th>proposed</th>"
        "<th>tightest passing all good</th><th>good</th><th>bad</th><th>good failing now</th><th>bad caught now</th>"
        "<th>bad caught proposed</th></tr>", rows, "</table>",
        f"<p><img src='data:image/png;base64,{image}' alt='score distributions per check'></p>",
        "</body></html>"])
