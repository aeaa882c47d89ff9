"""deploy/: the systemd units start the two roles of `python -m kiosk serve`; the booth launcher is valid sh."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest

from kiosk.settings import ROLES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.parametrize("role,unit", [("kiosk", "beian-kiosk.service"), ("portal", "beian-portal.service")])
def test_units_start_their_role(role, unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(DEPLOY / unit)
    assert role in ROLES
    assert parser["Service"]["ExecStart"].endswith(f"-m kiosk serve --role {role}")
    assert parser["Service"]["Restart"] == "on-failure" and parser["Install"]["WantedBy"] == "multi-user.target"


def test_booth_launcher_is_chromium_kiosk_mode():
    script = DEPLOY / "booth-display.sh"
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert "--kiosk" in text and "/healthz" in text and script.stat().st_mode & 0o111


def test_checkpoint_timer_runs_the_checkpoint_command():
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(DEPLOY / "beian-checkpoint.service")
    assert service["Service"]["ExecStart"].endswith("-m kiosk checkpoint --if-due")
    assert service["Service"]["Type"] == "oneshot"
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(DEPLOY / "beian-checkpoint.timer")
    assert timer["Timer"]["OnUnitActiveSec"] and timer["Install"]["WantedBy"] == "timers.target"
