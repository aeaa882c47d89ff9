"""Head pose and centring arithmetic on synthetic landmarks (no models): known rotations of a symmetric
mesh come back as the angles applied, and the face centre counts for centring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.photo.checks import centred
from kiosk.photo.checks.frontal import MIDLINE, PITCH_OFFSET, SYMMETRIC_PAIRS, head_pose
from kiosk.photo.config import JudgeConfig
from kiosk.photo.vision import L_HIP, L_SHOULDER, R_HIP, R_SHOULDER, Observation


def symmetric_mesh(seed: int = 1) -> np.ndarray:
    """478 face-mesh points (image axes, centred at the origin) mirror-symmetric about x = 0, looking into
    the camera: every pair mirrored, midline points on x = 0 from forehead (y < 0) down to chin."""
    rng = np.random.default_rng(seed)
    mesh = np.zeros((478, 3))
    for right, left in SYMMETRIC_PAIRS:
        x, y, z = rng.uniform(20, 80), rng.uniform(-90, 90), rng.uniform(-30, 30)
        mesh[right] = (-x, y, z)  # the subject's right side appears on the image left
        mesh[left] = (x, y, z)
    for i, index in enumerate(MIDLINE):
        y = -100 + 200 * i / (len(MIDLINE) - 1)
        mesh[index] = (0.0, y, -20 * math.cos(y / 60))  # nose and lips nearer the camera
    return mesh


def rotated(mesh: np.ndarray, yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> np.ndarray:
    a, b, c = (math.radians(v) for v in (yaw, pitch, roll))
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return mesh @ (rz @ rx @ ry).T + np.array([320.0, 240.0, 0.0])


def test_straight_face_measures_zero() -> None:
    yaw, pitch, roll = head_pose(rotated(symmetric_mesh()))
    assert yaw == pytest.approx(0, abs=1e-6)
    assert pitch == pytest.approx(-PITCH_OFFSET, abs=1e-6)
    assert roll == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("angle", [-30.0, -12.0, 7.0, 25.0])
def test_each_rotation_is_measured_on_its_own_axis(angle: float) -> None:
    mesh = symmetric_mesh()
    assert head_pose(rotated(mesh, yaw=angle)) == pytest.approx((angle, -PITCH_OFFSET, 0.0), abs=1e-6)
    assert head_pose(rotated(mesh, pitch=angle)) == pytest.approx((0.0, angle - PITCH_OFFSET, 0.0), abs=1e-6)
    assert head_pose(rotated(mesh, roll=angle)) == pytest.approx((0.0, -PITCH_OFFSET, angle), abs=1e-6)


def test_noise_moves_the_estimate_little() -> None:
    """Landmark noise of 2% of the face size moves no angle by more than 3 degrees (34 points average)."""
    rng = np.random.default_rng(7)
    mesh = rotated(symmetric_mesh(), yaw=10, pitch=5, roll=-4)
    noisy = mesh + rng.normal(0, 4.0, mesh.shape)
    assert head_pose(noisy) == pytest.approx((10.0, 5.0 - PITCH_OFFSET, -4.0), abs=3.0)


def observation(body_x: float | None, face_x: float | None) -> Observation:
    """A 640x480 observation with shoulders and hips centred on `body_x` and a face mesh on `face_x`
    (fractions of the width; None leaves that part out)."""
    obs = Observation(np.zeros((480, 640, 3), np.uint8))
    if body_x is not None:
        pose = np.zeros((33, 4), np.float32)
        cx = body_x * 640
        pose[[R_SHOULDER, L_SHOULDER]] = [(cx - 80, 260, 0, 1), (cx + 80, 260, 0, 1)]
        pose[[R_HIP, L_HIP]] = [(cx - 50, 460, 0, 1), (cx + 50, 460, 0, 1)]
        obs.pose = pose
    if face_x is not None:
        obs.mesh = rotated(symmetric_mesh(), yaw=0) + np.array([face_x * 640 - 320, -100, 0])
    return obs


def test_centred_body_and_face_pass() -> None:
    assert centred.check(observation(0.5, 0.5), JudgeConfig()).status == "pass"


def test_head_leaning_aside_is_off_centre() -> None:
    """Body in the middle, face 0.12 of the width to the right: off centre, measured on the face."""
    res = centred.check(observation(0.5, 0.62), JudgeConfig())
    assert res.status == "fail" and res.reason == "off_centre"
    assert res.value == pytest.approx(0.12, abs=1e-3)
    assert res.threshold == JudgeConfig().max_face_centre_offset
    assert "right" in res.message.en


def test_face_alone_is_measured_when_no_body() -> None:
    cfg = JudgeConfig()
    assert centred.check(observation(None, 0.5), cfg).status == "pass"
    res = centred.check(observation(None, 0.35), cfg)
    assert res.status == "fail" and "left" in res.message.en


def test_nobody_is_skipped() -> None:
    assert centred.check(observation(None, None), JudgeConfig()).status == "skipped"


def test_shoulder_outside_the_frame_leaves_the_face_to_decide() -> None:
    """A close-up: the body's midline guessed from a shoulder beyond the image edge is not used."""
    obs = observation(0.3, 0.5)
    assert obs.pose is not None
    assert centred.check(obs, JudgeConfig()).status == "fail"
    obs.pose[R_SHOULDER, 0] = -20  # the right shoulder now lies left of the frame
    res = centred.check(obs, JudgeConfig())
    assert res.status == "pass" and res.details["midline"] is None
