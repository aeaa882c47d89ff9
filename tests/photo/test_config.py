"""JudgeConfig: defaults, profiles (unknown keys are an error), and the calibrate command's profile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.photo import JudgeConfig
from kiosk.text import KioskError

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_round_trip(tmp_path: Path) -> None:
    cfg = JudgeConfig()
    path = tmp_path / "p.json"
    path.write_text(json.dumps(cfg.to_dict()))
    assert JudgeConfig.from_profile(path) == cfg


def test_profile_overrides_and_nesting(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"thresholds": {"max_yaw": 5.0, "max_pitch": 5.0, "max_roll": 8.0,
                                               "backdrop_lab": [90, 0, 0]}}))
    cfg = JudgeConfig.from_profile(path)
    assert (cfg.max_yaw, cfg.max_pitch, cfg.max_roll) == (5.0, 5.0, 8.0)
    assert cfg.backdrop_lab == (90.0, 0.0, 0.0)


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"max_yaw": 5, "max_yawn": 3}))
    with pytest.raises(KioskError) as info:
        JudgeConfig.from_profile(path)
    assert info.value.code == "profile_unknown_key" and "max_yawn" in info.value.text.en


def test_unreadable_profile(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{not json")
    with pytest.raises(KioskError) as info:
        JudgeConfig.from_profile(path)
    assert info.value.code == "profile_unreadable"


def test_calibrate_writes_a_profile_the_judge_loads(tmp_path: Path) -> None:
    backdrop = np.full((480, 640, 3), (200, 160, 40), np.uint8)  # a blue backdrop (BGR)
    backdrop = cv2.add(backdrop, np.random.default_rng(1).integers(0, 6, backdrop.shape, dtype=np.uint8))
    image = tmp_path / "backdrop.png"
    cv2.imwrite(str(image), backdrop)
    out = tmp_path / "kiosk.json"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "calibrate", "--backdrop", str(image), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    profile = json.loads(out.read_text())
    assert profile["camera"]["resolution"] == [640, 480]
    cfg = JudgeConfig.from_profile(out)
    assert cfg.backdrop_lab is not None
    lab = cv2.cvtColor(np.float32([[[200, 160, 40]]]) / 255.0, cv2.COLOR_BGR2LAB)[0, 0]
    assert np.linalg.norm(np.array(cfg.backdrop_lab) - lab) < 3


def test_shipped_iso_profile_loads() -> None:
    cfg = JudgeConfig.from_profile(ROOT / "calibration" / "profiles" / "iso_19794_5.json")
    assert (cfg.max_yaw, cfg.max_pitch, cfg.max_roll) == (5.0, 5.0, 8.0)
    assert cfg.max_yaw < JudgeConfig().max_yaw
