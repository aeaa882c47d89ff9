"""Benchmark: whole photo judgement per 640x480 frame of the real video, video mode, models warm.

Prints frame_ms_median, frame_ms_p95, fps, the models' share, the CPU time per frame and the machine's load
(other processes on the 2 cores slow the wall-clock figures).
"""

from __future__ import annotations

import os
import statistics
import time
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
    print(f"load_average_1min: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
