"""Benchmark: whole photo judgement per 640x480 frame of the real video, video mode, models warm.

Prints frame_ms_median, frame_ms_p95, fps, the models' share, the CPU time per frame, pose_only_ms_median
(the pose model alone on the same frames, in the same run) and their ratio (the target: the whole judgement
within 1.15 x the pose model alone), each model's own median time run alone, the added single-frame
measures (line segments for the print/screen border), the CPU time of each frame measure computed beside
the pose model, of the checks and of the overlay, and the machine's load (other processes on the 2
cores slow the wall-clock figures).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

VIDEO_DIR = Path(__file__).resolve().parent.parent / "data" / "photos" / "videos"


def read_frames(limit: int = 150) -> list[np.ndarray]:
    videos = sorted(VIDEO_DIR.glob("*.mp4"))
    if not videos:
        raise FileNotFoundError(f"no video in {VIDEO_DIR}")
    frames: list[np.ndarray] = []
    cap = cv2.VideoCapture(str(videos[0]))
    try:
        while len(frames) < limit:
            ok, frame = cap.read()
            if not ok:
                break
            frames.append(cv2.resize(frame, (640, 480), interpolation=cv2.INTER_AREA))
    finally:
        cap.release()
    if not frames:
        raise RuntimeError(f"could not decode {videos[0]}")
    return frames


def pose_only_ms(frames: list[np.ndarray]) -> float:
    """Median time of MediaPipe pose (complexity 1, tracking) alone per frame, models warm."""
    from mediapipe.python.solutions import pose as mp_pose

    rgbs = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in frames]
    times: list[float] = []
    with mp_pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        for rgb in rgbs[:10]:
            pose.process(rgb)
        for rgb in rgbs:
            t0 = time.perf_counter()
            pose.process(rgb)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def model_alone_ms(frames: list[np.ndarray]) -> dict[str, float]:
    """Median time of each other model run alone on the frames (video mode, warm), and of the line segment
    detector the real_photo check adds on the whole frame (scaled to BORDER_SIDE px; its second run, on the
    strip above the face, is part of the checks' time)."""
    from kiosk.photo.checks.real_photo import BORDER_SIDE
    from kiosk.photo.vision import Models

    models = Models(video=True)
    rgbs = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in frames]
    grays = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames]
    lsd = cv2.createLineSegmentDetector()

    def lines(gray: np.ndarray) -> None:
        h, w = gray.shape
        scale = min(1.0, BORDER_SIDE / max(h, w))
        lsd.detect(cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA))

    runs = {
        "face_detection": (lambda i: models.detection.process(rgbs[i])),
        "face_mesh": (lambda i: models.mesh.process(rgbs[i])),
        "segmentation": (lambda i: models.segmentation.process(rgbs[i])),
        "line_segments": (lambda i: lines(grays[i])),
    }
    out = {}
    try:
        for name, run in runs.items():
            for i in range(min(10, len(frames))):
                run(i)
            times = []
            for i in range(len(frames)):
                t0 = time.perf_counter()
                run(i)
                times.append((time.perf_counter() - t0) * 1000)
            out[name] = statistics.median(times)
    finally:
        models.close()
    return out


def stage_cpu_ms(frames: list[np.ndarray]) -> dict[str, float]:
    """Median CPU time (this thread) of each frame measure `prepare` computes in the models' helper thread
    after the face models (it runs beside the pose model: once it outlasts the pose model, the frame waits
    for it), of all checks together and of the overlay, on observations of the frames (video mode)."""
    from kiosk.checkresult import run_checks
    from kiosk.photo import PhotoJudge
    from kiosk.photo.checks import CHECKS, colour, face_norm, real_photo, sharp
    from kiosk.photo.judge import overlay
    from kiosk.photo.vision import Observation

    stages: dict[str, Callable[[Observation], object]] = {
        "prepare_gray": lambda o: o.gray, "prepare_small_mask": lambda o: o.small_mask,
        "prepare_flat_fraction": real_photo.flat_fraction, "prepare_segments": real_photo.segments,
        "prepare_head_segments": real_photo.head_segments, "prepare_colourfulness": colour.colourfulness,
        "prepare_sharpness": sharp.sharpness, "prepare_normalised_face": face_norm.normalised_face,
        "prepare_normalised_mask": face_norm.normalised_mask, "prepare_normalised_lab": face_norm.normalised_lab,
        "prepare_normalised_dy": face_norm.normalised_dy,
    }
    with PhotoJudge(video=True) as judge:
        seen = [judge.observe(frame) for frame in frames]
        fresh = []
        for frame, obs in zip(frames, seen, strict=True):  # the model results without the derived measures
            new = Observation(frame)
            new.pose, new.mesh, new.mask, new.faces = obs.pose, obs.mesh, obs.mask, obs.faces
            fresh.append(new)
        times: dict[str, list[float]] = {name: [] for name in [*stages, "checks", "overlay"]}
        for obs in fresh:
            for name, stage in stages.items():
                t0 = time.thread_time()
                stage(obs)
                times[name].append((time.thread_time() - t0) * 1000)
            t0 = time.thread_time()
            run_checks(CHECKS, obs, judge.config)
            times["checks"].append((time.thread_time() - t0) * 1000)
            t0 = time.thread_time()
            overlay(obs)
            times["overlay"].append((time.thread_time() - t0) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    from kiosk.photo import PhotoJudge

    frames = read_frames()
    judge = PhotoJudge(video=True)
    for frame in frames[:10]:  # warm-up: model creation and first inferences
        judge.judge(frame)
    total_ms: list[float] = []
    model_ms: list[float] = []
    cpu_ms: list[float] = []
    for _round in range(2):
        for frame in frames:
            c0 = time.process_time()
            t0 = time.perf_counter()
            obs = judge.observe(frame)
            t1 = time.perf_counter()
            judge.judge_observation(obs)
            t2 = time.perf_counter()
            cpu_ms.append((time.process_time() - c0) * 1000)
            total_ms.append((t2 - t0) * 1000)
            model_ms.append((t1 - t0) * 1000)
    judge.close()
    pose_ms = pose_only_ms(frames)
    median = statistics.median(total_ms)
    p95 = float(np.percentile(total_ms, 95))
    print(f"frames: {len(total_ms)}")
    print(f"frame_ms_median: {median:.1f}")
    print(f"frame_ms_p95: {p95:.1f}")
    print(f"fps: {1000.0 / median:.1f}")
    print(f"models_ms_median: {statistics.median(model_ms):.1f}")
    # CPU time of this process per frame, all threads: wall time can only approach half of it on 2 cores.
    print(f"cpu_ms_median: {statistics.median(cpu_ms):.1f}")
    # The pose model alone on the same frames, now: the floor for the whole judgement on this machine at
    # this moment (the other models and the checks run beside it or after it).
    print(f"pose_only_ms_median: {pose_ms:.1f}")
    print(f"overhead_over_pose_ms: {median - pose_ms:.1f}")
    print(f"judgement_over_pose: {median / pose_ms:.2f}")
    for name, ms in model_alone_ms(frames).items():
        print(f"{name}_alone_ms_median: {ms:.1f}")
    for name, ms in stage_cpu_ms(frames).items():
        print(f"{name}_cpu_ms_median: {ms:.2f}")
    print(f"load_average_1min: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
