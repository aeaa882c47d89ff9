"""Measure the liveness test on the real clips and on attack clips made from real photos and clips.

`python -m tests.liveness.evaluate` prints:

- detection of each labelled action (tests/data/liveness/segments.json) by its challenge's detector, after the
  person's own calm frames, and false detections on the calm frames of every clip;
- cooperative sessions (`tests.liveness.simulate.cooperative`): every person whose clip shows a head turn
  (and the mirrored clip, for the other direction), 8 random plans each, at about 15 frames per second: how many
  pass, and the seconds from the first instruction to the last challenge done (`challenge_s`; it includes an
  assumed 0.6 s to read each instruction);
- attacks, each played to 4 sessions with different plans: still photos held up (5 photos), the bundled demo
  video (an animated still), photos turned as a plane (3), real clips on a phone held up (3), two photos of one
  person swapped; and, for comparison, every real clip replayed as it is with no phone frame in view.
"""

from __future__ import annotations

import collections
import statistics
import sys

import cv2

from kiosk.liveness import LivenessConfig
from kiosk.liveness.challenges import Baseline, Challenge, detector
from tests.identity.dataset import DATA as PHOTOS
from tests.liveness import clips as C
from tests.liveness.simulate import SEGMENTS, Person, calm_frames, cooperative, mirrored, person, replay

TURNING = ("lp_d3.mp4", "lp_d11.mp4", "lp_d12.mp4")
STILLS = ("aws_selfie_man__photo1.jpg", "obama__obama.jpg", "biden__knn_train_biden_biden2.jpg",
          "alex_lacamoire__knn_train_alex_lacamoire_img1.jpg", "deepface_13__img53.jpg")


def measured(path, **kw):
    frames, fps = C.read_clip(path, **kw)
    return C.measure_frames(frames, fps), fps


def detection(people: list[Person], cfg: LivenessConfig) -> None:
    print("\n## Labelled actions detected (detector after 0.5 s of the person's calm frames)")
    hits: dict[Challenge, list[int]] = collections.defaultdict(list)
    false: dict[Challenge, int] = collections.Counter()
    calm_total = 0
    for p in people:
        calm = p.calm
        if len(calm) < 5:
            continue
        base = Baseline.of([f.measures for f in calm[:15]])
        lead = [f.measures for f in calm[: round(0.5 * p.fps)]]
        for challenge, spans in p.actions.items():
            for start, end in spans:
                det = detector(challenge, base, cfg)
                for m in lead + [f.measures for f in p.frames if start <= f.measures.t <= end] + lead:
                    det.update(m)
                hits[challenge].append(int(det.done))
        calm_total += len(calm)
        for challenge in Challenge:
            det = detector(challenge, base, cfg)
            for f in calm:
                det.update(f.measures)
            false[challenge] += int(det.done)
    print("| action | labelled | detected |")
    print("| --- | --- | --- |")
    for challenge in Challenge:
        h = hits.get(challenge, [])
        print(f"| {challenge} | {len(h)} | {sum(h)} |")
    print(f"false detections on {calm_total} calm frames of {len(people)} clips: {dict(false)}")


def sessions(people: list[Person], cfg: LivenessConfig, every: int) -> None:
    print(f"\n## Cooperative sessions (every {every}. frame)")
    seconds, passed, total, reasons = [], 0, 0, collections.Counter()
    for p in people:
        for seed in range(8):
            result = cooperative(p, seed, every=every, config=cfg)
            if result is None:
                continue
            total += 1
            if result.passed:
                passed += 1
                seconds.append(result.challenge_s)
            else:
                reasons[f"{p.name}: {result.reason} {[str(c.challenge) for c in result.challenges if not c.passed]}"] += 1
    print(f"passed {passed}/{total}")
    if seconds:
        print(f"challenge_s: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}, "
              f"min {min(seconds):.2f} (includes 0.6 s reading time per instruction)")
    for reason, n in reasons.items():
        print(f"  failed x{n}: {reason}")


def attacks(cfg: LivenessConfig) -> None:
    print("\n## Attacks (4 sessions each; must all fail)")
    cases: list[tuple[str, list, float]] = []
    for name in STILLS:
        photo = cv2.imread(str(PHOTOS / name))
        frames = C.still_clip(photo)
        cases.append((f"still photo {name}", C.measure_frames(frames, 15.0), 15.0))
    demo, fps = measured(C.DEMO)
    cases.append(("demo video (animated still)", demo, fps))
    for name in STILLS[:3]:
        photo = cv2.imread(str(PHOTOS / name))
        cases.append((f"photo turned as a plane {name}", C.measure_frames(C.planar_turn_clip(photo), 15.0), 15.0))
    for path in (C.DATA / "lp_d12.mp4", C.DATA / "lp_d3.mp4", C.HAMILTON):
        frames, fps = C.read_clip(path)
        cases.append((f"phone replay {path.name}", C.measure_frames(C.phone_replay(frames), fps), fps))
    a = cv2.imread(str(PHOTOS / "aws_selfie_man__photo1.jpg"))
    b = cv2.imread(str(PHOTOS / "aws_selfie_man__photo3.jpg"))
    cases.append(("two photos swapped (aws photo1/photo3)", C.measure_frames(C.photo_swap(a, b), 15.0), 15.0))
    rejected = total = 0
    for name, frames, fps in cases:
        results = [replay(frames, fps, seed, config=cfg) for seed in range(4)]
        total += len(results)
        rejected += sum(not r.passed for r in results)
        outline = sum(f.attack for f in frames)
        print(f"- {name}: {sum(not r.passed for r in results)}/4 rejected, reasons "
              f"{dict(collections.Counter(r.reason for r in results))}; outline seen on {outline}/{len(frames)} frames")
    print(f"attacks rejected: {rejected}/{total}")


def raw_replays(clips: dict[str, tuple[list, float]], cfg: LivenessConfig) -> None:
    print("\n## Real clips replayed as they are (no phone frame in view; 8 sessions each)")
    passed = total = 0
    for name, (frames, fps) in clips.items():
        results = [replay(frames, fps, seed, config=cfg) for seed in range(8)]
        total += len(results)
        passed += sum(r.passed for r in results)
        print(f"- {name}: passed {sum(r.passed for r in results)}/8, "
              f"{dict(collections.Counter(r.reason for r in results))}")
    print(f"replays that passed: {passed}/{total}")


def main() -> int:
    cfg = LivenessConfig()
    clips = {name: measured(C.DATA / name) for name in SEGMENTS}
    clips["hamilton"] = measured(C.HAMILTON, start=2.7, end=7.0)
    people = [person(name, frames, fps, SEGMENTS.get(name, {})) for name, (frames, fps) in clips.items()
              if name != "hamilton"]
    ham_frames, ham_fps = clips["hamilton"]
    # the performer turns (3.0-5.1 s); he sings while turning, so no clean mouth segment is labelled
    people.append(person("hamilton", ham_frames, ham_fps, {"turn": [[3.0 - 2.7, 5.1 - 2.7]]}))
    detection(people, cfg)
    turning = [p for p in people if p.name in TURNING or p.name == "hamilton"]
    for p in list(turning):
        path = C.HAMILTON if p.name == "hamilton" else C.DATA / p.name
        kw = {"start": 2.7, "end": 7.0} if p.name == "hamilton" else {}
        frames, _fps = measured(path, flip=True, **kw)
        turning.append(mirrored(p, frames))
    print("\npeople for sessions:", {p.name: sorted(str(c) for c in p.actions) for p in turning})
    print("calm frames:", {p.name: len(calm_frames(p.frames)) for p in turning})
    for every in (2, 1):
        sessions(turning, cfg, every)
    attacks(cfg)
    raw_replays(clips, cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
