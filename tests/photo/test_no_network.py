"""Models load offline from the mediapipe wheel: with every network call made to raise, fresh models are
created and a real frame is judged."""

from __future__ import annotations

import socket
import urllib.request

import numpy as np
import pytest

from kiosk.photo import PhotoJudge

pytestmark = pytest.mark.slow


class NetworkUsed(AssertionError):
    pass


def test_models_load_and_judge_without_network(monkeypatch: pytest.MonkeyPatch, pass_frame: np.ndarray) -> None:
    calls: list[str] = []

    def refuse(*args, **kwargs):
        calls.append(repr(args)[:80])
        raise NetworkUsed("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(urllib.request, "urlretrieve", refuse)

    for video in (False, True):
        with PhotoJudge(video=video) as judge:  # fresh models: created under the patch
            verdict = judge.judge(pass_frame)
            assert verdict.passed, [r.as_dict() for r in verdict.failures]
    assert calls == []


def test_the_guard_catches_a_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sanity check of the guard itself: pose model_complexity=0 is not bundled and tries to download."""
    from mediapipe.python.solutions import pose as mp_pose

    def refuse(*args, **kwargs):
        raise NetworkUsed("network access attempted")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(NetworkUsed):
        mp_pose.Pose(static_image_mode=True, model_complexity=0)
