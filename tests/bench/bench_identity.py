"""Benchmark: face match (live photo vs ID card scan) and the liveness test.

Face match: 6 pairs of real photos of one person (tests/data/identity), the live photo scaled to 1280 px wide
like a booth photo, the other printed as the portrait of a specimen ID card and photographed on a table at
2000 × 1500; 3 rounds after one warm-up. Liveness: the cooperative-applicant simulation on the two real clips
with head turns to both sides (lp_d3, lp_d12; 8 plans each, about 15 frames per second, 0.6 s reading time per
instruction), and the cost of one session step. Prints `name: value` lines.
"""

from __future__ import annotations

import dataclasses
import os
import random
import statistics
import time

import cv2

from kiosk.documents import specimen_cards as C
from kiosk.documents import specimens as S
from kiosk.identity import FaceMatcher
from kiosk.liveness import LivenessSession
from kiosk.liveness.measures import measure
from tests.identity.dataset import photo
from tests.liveness import clips as L
from tests.liveness.simulate import SEGMENTS, cooperative, person

PAIRS = [("obama__obama2.jpg", "obama__obama.jpg"), ("biden__biden.jpg", "biden__knn_train_biden_biden2.jpg"),
         ("aws_selfie_man__photo2.jpg", "aws_selfie_man__photo1.jpg"),
         ("deepface_01__img2.jpg", "deepface_01__img1.jpg"), ("deepface_13__img53.jpg", "deepface_13__img3.jpg"),
         ("kit_harington__knn_train_kit_harington_john2.jpg", "kit_harington__knn_train_kit_harington_john1.jpg")]
ROUNDS = 3


def booth_size(image):
    f = 1280 / image.shape[1]
    return cv2.resize(image, None, fx=f, fy=f, interpolation=cv2.INTER_LINEAR if f > 1 else cv2.INTER_AREA)


def face_match() -> None:
    matcher = FaceMatcher()
    inputs = []
    for i, (live, card) in enumerate(PAIRS):
        scan = C.card_front(S.SPECIMEN_PEOPLE[i % 6], C.portrait_from_photo(photo(card).load()))
        inputs.append((booth_size(photo(live).load()), C.to_bgr(S.photograph(scan, seed=i))))
    matcher.match(*inputs[0])  # warm-up: loads the models
    wall, cpu, live_ms, card_ms, same = [], [], [], [], 0
    for _ in range(ROUNDS):
        for live, card in inputs:
            c0, t0 = time.process_time(), time.perf_counter()
            result = matcher.match(live, card)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            live_ms.append(result.timings_ms["live"])
            card_ms.append(result.timings_ms["card"])
            same += result.same
    matcher.close()
    print(f"face_match_ms_median: {statistics.median(wall):.0f}")
    print(f"face_match_ms_p90: {sorted(wall)[int(len(wall) * 0.9)]:.0f}")
    print(f"face_match_cpu_ms_median: {statistics.median(cpu):.0f}")
    print(f"face_match_live_ms_median: {statistics.median(live_ms):.0f}")
    print(f"face_match_card_ms_median: {statistics.median(card_ms):.0f}")
    print(f"face_match_same_verdicts: {same}/{len(wall)}")


def liveness() -> None:
    seconds, passed, runs, measure_us = [], 0, 0, []
    for name in ("lp_d3.mp4", "lp_d12.mp4"):
        frames, fps = L.read_clip(L.DATA / name)
        measured = L.measure_frames(frames, fps)
        p = person(name, measured, fps, SEGMENTS[name])
        for seed in range(8):
            result = cooperative(p, seed)
            if result is None:
                continue
            runs += 1
            if result.passed:
                passed += 1
                seconds.append(result.challenge_s)
    # cost of the liveness work per frame (the face mesh itself is the photo judge's, already paid)
    from kiosk.photo.vision import Models, observe

    models = Models(video=True)
    meshes = [observe(f, models).mesh for f in frames[:60]]
    models.close()
    for mesh in meshes:
        t0 = time.perf_counter()
        measure(mesh, 0.0)
        measure_us.append((time.perf_counter() - t0) * 1e6)
    session = LivenessSession(rng=random.Random(0))
    session.start(0.0)
    feed_us = []
    for i, f in enumerate(measured * 2):
        t0 = time.perf_counter()
        session.feed(dataclasses.replace(f.measures, t=i / fps))
        feed_us.append((time.perf_counter() - t0) * 1e6)
    print(f"liveness_cooperative_passed: {passed}/{runs}")
    print(f"liveness_challenge_s_median: {statistics.median(seconds):.2f}")
    print(f"liveness_challenge_s_max: {max(seconds):.2f}")
    print(f"liveness_measure_us_median: {statistics.median(measure_us):.0f}")
    print(f"liveness_step_us_median: {statistics.median(feed_us):.0f}")


def main() -> None:
    face_match()
    liveness()
    print(f"load_average_1min: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
