"""Limits of the active liveness test ("liveness" section of a kiosk profile), with the measurements behind them.

Measured with the face mesh on 12 real driving clips of LivePortrait (people blinking, talking, turning; see
tests/data/liveness/README.md) and the White House clip of tests/data/photos/videos: open eyes measure EAR
0.19-0.42 (per person), blinks drop below half of the person's own open-eye EAR for 1-8 frames at 25-30 fps;
deliberate mouth opening reaches MAR 0.5-1.4 while speech mostly stays below 0.4; deliberate head turns reach
14-39 degrees of yaw. A printed photo or a screen turned as a plane by up to 56 degrees measured at most 8 degrees
of yaw (the mesh sees a flat face, not a turned head), so a turn must reach 15 degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.checkresult import Thresholds


@dataclass(frozen=True, slots=True)
class LivenessConfig(Thresholds):
    PROFILE_SECTION = "liveness"

    challenges: int = 2  # how many challenges (1 or 2); one of them is always a head turn (the depth cue)
    time_limit_s: float = 20.0  # give up and call staff after this long
    baseline_s: float = 0.4  # frontal frames collected before the first challenge (the person's own baselines)
    baseline_max_yaw: float = 20.0  # a baseline frame faces the camera within this yaw (degrees)
    face_lost_s: float = 1.0  # no face for this long restarts the current challenge
    # blink: eyes closed = EAR below this share of the person's open-eye EAR (after correcting for a change of
    # the whole face's aspect), open again above the second share, within blink_max_s
    blink_closed: float = 0.55
    blink_open: float = 0.8
    blink_max_s: float = 1.5
    # turn: yaw at least turn_min_deg from the baseline, the right way, then back within turn_back_deg
    turn_min_deg: float = 15.0
    turn_back_deg: float = 8.0
    # a head turns through the angles in between: a frame part-way out (between turn_partial and 0.9 of
    # turn_min_deg, in the asked direction) must come within turn_partial_s before the turn counts; two photos
    # swapped (frontal, then turned) jump straight across
    turn_partial: float = 0.25
    turn_partial_s: float = 1.0
    # open mouth: MAR at least this (and mouth_min_rise above the baseline) for mouth_hold_s
    mouth_min: float = 0.45
    mouth_min_rise: float = 0.3
    mouth_hold_s: float = 0.15
    # a head turn (out and back) that was not asked (while a blink or an open mouth is asked, or the other way
    # while a turn is asked) is a wrong action; more than this many fail the test (a recorded video does not
    # follow the instructions; one left/right mix-up is forgiven)
    max_wrong_actions: int = 1
    # depth cue: on frames turned at least depth_min_yaw from the baseline, the landmarks' departure from a
    # planar motion (homography residual / inter-ocular distance) must reach this share of what the mesh's own
    # depth predicts for that turn (real heads measured 1.2-1.45 times the prediction)
    depth_min_yaw: float = 10.0
    depth_min_ratio: float = 0.5
    # face continuity: the face moving more than this many inter-ocular distances from one frame to the next
    # (frames at most 0.2 s apart), or changing size by more than face_jump_scale, is a different face: the
    # current challenge restarts. A quick real turn moved the face by up to 0.7 eye distances in 0.04 s.
    face_jump_iod: float = 1.5
    face_jump_scale: float = 0.3
    # presentation-attack frames (a screen or print outline around the face) in the last 15 frames that fail
    # the test
    attack_frames: int = 5
