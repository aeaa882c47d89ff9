"""Threshold tuning (calibration.thresholds, `python -m kiosk calibrate thresholds`): proposals that keep every
good photo passing, the plot and page, and a new profile version only with --write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calibration.thresholds import Score, html_page, plot_png, propose, updated_profile
from kiosk.photo import JudgeConfig, PhotoJudge
from tests.calibration.curtain_set import PEOPLE, write_curtain_set
from tests.calibration.test_profiles import run_kiosk


def scores(code: str, good: list[float], bad: list[float]) -> list[Score]:
    return [Score(code, f"g{i}", v, True) for i, v in enumerate(good)] + \
        [Score(code, f"b{i}", v, False) for i, v in enumerate(bad)]


def test_a_threshold_failing_a_good_photo_is_loosened_just_past_it() -> None:
    """Made: clothing_colour (a minimum, 15 ΔE) measured 12 on one good photo, 30 and 40 on others, 5 on a bad one."""
    (p,) = propose(scores("clothing_colour", [12.0, 30.0, 40.0], [5.0]), JudgeConfig())
    assert p.field == "clothing_min_delta_e" and p.current == 15.0 and p.good_failing_now == 1
    assert p.proposed == pytest.approx(12.0 * 0.95) and p.changed and p.bad_caught_proposed == 1
    assert p.tightest == 12.0


def test_a_threshold_passing_every_good_photo_stays_and_a_maximum_moves_up() -> None:
    """Made: wordmark (a minimum) with every good photo above its limit; curtain_edge (a maximum, 1 %) with a good
    photo at 1.5 %."""
    proposals = {p.code: p for p in propose(scores("wordmark", [0.9, 0.95], [0.2])
                                            + scores("curtain_edge", [0.0, 0.015], [0.05]), JudgeConfig())}
    wordmark, edge = proposals["wordmark"], proposals["curtain_edge"]
    assert not wordmark.changed and wordmark.bad_caught_now == 1 and wordmark.tightest == 0.9
    assert edge.limit == "max" and edge.proposed == pytest.approx(0.015 + 0.001) and edge.bad_caught_proposed == 1


def test_the_new_profile_keeps_its_other_sections_and_the_page_embeds_the_plot() -> None:
    """Made: a profile with camera and backdrop sections and one changed proposal."""
    proposals = propose(scores("clothing_colour", [12.0], [5.0]), JudgeConfig())
    profile = {"thresholds": {"backdrop_lab": [50.0, 0.0, -40.0]}, "camera": {"resolution": [1280, 720]}, "backdrop": {}}
    new = updated_profile(profile, proposals)
    assert new["camera"] == profile["camera"] and "backdrop" in new
    assert new["thresholds"] == {"backdrop_lab": [50.0, 0.0, -40.0], "clothing_min_delta_e": proposals[0].proposed}
    JudgeConfig.from_dict(new["thresholds"])
    png = plot_png(scores("clothing_colour", [12.0], [5.0]), proposals)
    assert png.startswith(b"\x89PNG")
    page = html_page(proposals, png, "t")
    assert "data:image/png;base64," in page and "clothing_min_delta_e" in page


@pytest.mark.slow
def test_command_proposes_plots_and_writes_a_new_version_only_with_write(tmp_path: Path) -> None:
    """Made: the labelled curtain set for one person (tests/calibration/curtain_set.py: two good photos, the wall
    showing twice, a mirrored wordmark, a curtain-coloured shirt), judged with its calibrated profile but with
    clothing_min_delta_e set to 70, which fails the person's own clothes (about 61 ΔE from the blue curtain)."""
    with PhotoJudge() as judge:
        labels, profile_path = write_curtain_set(tmp_path / "set", judge, PEOPLE[:1])
    profile = json.loads(profile_path.read_text(encoding="utf-8"))
    profile["thresholds"]["clothing_min_delta_e"] = 70.0
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps(profile), encoding="utf-8")
    env = {"KIOSK_VAR_DIR": str(tmp_path / "var"), "KIOSK_NAME": "counter-1", "KIOSK_SECRET_KEY": "x"}

    dry = run_kiosk(env, "thresholds", str(labels), "--profile", str(strict), "--out", str(tmp_path / "out"))
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "not written" in dry.stdout
    assert (tmp_path / "out" / "thresholds.png").read_bytes().startswith(b"\x89PNG")
    assert "clothing_min_delta_e" in (tmp_path / "out" / "thresholds.html").read_text(encoding="utf-8")
    none = run_kiosk(env, "export", "--out", str(tmp_path / "none.json"))
    assert none.returncode == 1  # nothing was written: still not calibrated

    wrote = run_kiosk(env, "thresholds", str(labels), "--profile", str(strict), "--write")
    assert wrote.returncode == 0 and "saved as profile version 1" in wrote.stdout, wrote.stdout + wrote.stderr
    assert run_kiosk(env, "export", "--out", str(tmp_path / "v1.json")).returncode == 0
    exported = json.loads((tmp_path / "v1.json").read_text(encoding="utf-8"))
    assert exported["source"] == "thresholds"
    tuned = exported["profile"]["thresholds"]
    assert 15.0 < tuned["clothing_min_delta_e"] < 61.0  # loosened just below the person's own clothes
    assert tuned["curtain_lab_grid"] == profile["thresholds"]["curtain_lab_grid"]  # the calibration kept
