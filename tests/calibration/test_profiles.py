"""Calibration profiles as data (kiosk.profiles): versions per kiosk that are never edited, attempts that keep the
version they were judged with, export/import between counters, and "未校准" without a profile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk import profiles
from kiosk.booth.attempts import AttemptRecorder
from kiosk.models import AuditEvent, BackdropProfile, PhotoAttempt, User
from kiosk.text import KioskError
from tests.booth.test_attempts import capture, onsite_case

BLUE = {"thresholds": {"backdrop_lab": [45.0, 5.0, -40.0], "backdrop_max_delta_e": 18.0},
        "camera": {"resolution": [1280, 720]}}
GREY = {"thresholds": {"backdrop_lab": [70.0, 0.0, 0.0]}, "camera": {"resolution": [1280, 720]}}
ROOT = Path(__file__).resolve().parents[2]


def test_versions_count_up_per_kiosk_and_are_never_edited(core) -> None:
    """Two calibrations of counter-1 and one of counter-2: versions 1, 2 and 1; the first version keeps its
    colour after the second; each version is audited."""
    with core.db.session() as s:
        admin = s.get(User, core.users["admin"])
        assert profiles.current(s, "counter-1") is None
        first = profiles.new_version(s, "counter-1", BLUE, created_by=admin)
        second = profiles.new_version(s, "counter-1", GREY)
        other = profiles.new_version(s, "counter-2", GREY)
        assert (first.version, second.version, other.version) == (1, 2, 1)
    with core.db.session() as s:
        assert profiles.current(s, "counter-1").data == GREY
        assert profiles.get_version(s, "counter-1", 1).data == BLUE
        audits = s.scalars(select(AuditEvent).where(AuditEvent.action == "profile_version")).all()
        assert [(a.target, a.detail["version"]) for a in audits] == [("counter-1", 1), ("counter-1", 2), ("counter-2", 1)]


def test_a_profile_with_unknown_thresholds_is_refused(core) -> None:
    with core.db.session() as s, pytest.raises(KioskError):
        profiles.new_version(s, "counter-1", {"thresholds": {"no_such_threshold": 1}})
    with core.db.session() as s:
        assert s.scalars(select(BackdropProfile)).all() == []


def test_recalibration_gives_new_attempts_the_new_version_and_old_attempts_keep_theirs(core) -> None:
    """Made: an attempt before any profile (None), one after calibrating (1), one after recalibrating (2)."""
    case_id = onsite_case(core)
    recorder = AttemptRecorder(core.db, core.archive.store, "counter-1", core.settings.zone)
    before = recorder(capture(case_id))
    with core.db.session() as s:
        profiles.new_version(s, "counter-1", BLUE)
    calibrated = recorder(capture(case_id))
    with core.db.session() as s:
        profiles.new_version(s, "counter-1", GREY)
    recalibrated = recorder(capture(case_id))
    with core.db.session() as s:
        versions = [s.get(PhotoAttempt, i).profile_version for i in (before, calibrated, recalibrated)]
        assert versions == [None, 1, 2]
        labels = [profiles.attempt_label(s.get(PhotoAttempt, i)).zh for i in (before, calibrated)]
        assert labels[0] != "全部通过" and "未校准" in labels[0] and labels[1] == "全部通过"
        assert profiles.calibration_status(s, "counter-1").version == 2
        assert profiles.calibration_status(s, "counter-9").text == profiles.NOT_CALIBRATED


def test_export_then_import_adds_a_version_at_the_other_counter(core) -> None:
    with core.db.session() as s:
        profiles.new_version(s, "counter-2", GREY)  # counter-2 already had its own
        exported = json.loads(json.dumps(profiles.export_profile(profiles.new_version(s, "counter-1", BLUE))))
        imported = profiles.import_profile(s, "counter-2", exported)
        assert (imported.version, imported.data, imported.source) == (2, BLUE, "import")
        assert "counter-1 v1" in imported.note
        with pytest.raises(KioskError):
            profiles.import_profile(s, "counter-2", {"thresholds": {}})  # not an export


def run_kiosk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "calibrate", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_command_line_save_export_import(tmp_path: Path) -> None:
    """Made: a flat blue PNG as the empty backdrop; `calibrate --backdrop --save` at counter-1, `export`, then
    `import` into counter-2's database: counter-2 gets version 1 with counter-1's backdrop colour."""
    import cv2
    import numpy as np

    image = tmp_path / "backdrop.png"
    cv2.imwrite(str(image), np.full((600, 800, 3), (180, 90, 30), np.uint8))
    one = {"KIOSK_VAR_DIR": str(tmp_path / "one"), "KIOSK_NAME": "counter-1", "KIOSK_SECRET_KEY": "x"}
    two = {"KIOSK_VAR_DIR": str(tmp_path / "two"), "KIOSK_NAME": "counter-2", "KIOSK_SECRET_KEY": "x"}
    saved = run_kiosk(one, "--backdrop", str(image), "--save")
    assert saved.returncode == 0 and "version 1" in saved.stdout, saved.stdout + saved.stderr
    out = tmp_path / "export.json"
    exported = run_kiosk(one, "export", "--out", str(out))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == profiles.EXPORT_FORMAT and data["kiosk_name"] == "counter-1"
    imported = run_kiosk(two, "import", str(out))
    assert imported.returncode == 0 and "version 1" in imported.stdout, imported.stdout + imported.stderr
    missing = run_kiosk({**two, "KIOSK_NAME": "counter-3"}, "export", "--out", str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "Not calibrated" in missing.stdout
