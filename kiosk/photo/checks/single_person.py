"""Exactly one person: a second face anywhere, or a second separate body in the segmentation, fails.

Faces count when their detector score reaches `min_face_score` and their width is at least
`second_face_min_rel` of the main (largest) face, so a face on a poster far behind is not counted but a
second applicant is. Bodies count as separate connected blobs of the person mask that are large both in the
frame and compared with the main person.

Measured (dev sets photos, photos-round3, photos-nc): 10 of the 13 photos with several people fail; missed
are a greyscale photo where neither faces nor a person mask are found, a beach with people too small for
the face detector, and the back of a second person at the frame's edge (no face, merged into the main
person's mask). One photo labelled as one person fails: a screenshot full of ID photos of that person.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.checks.base import Check, Limit, failed, nobody, passed, person_found
from kiosk.photo.config import JudgeConfig
from kiosk.photo.result import CheckResult
from kiosk.photo.vision import Observation
from kiosk.text import Text

CODE = "single_person"
MESSAGE = Text("画面中只能有一人，请其他人离开画面", "Only one person may be in the picture: others please step out")


def count_faces(obs: Observation, cfg: JudgeConfig) -> int:
    faces = [f for f in obs.faces if f.score >= cfg.min_face_score]
    if not faces:
        return 0
    main_w = max(f.width for f in faces)
    return sum(1 for f in faces if f.width >= cfg.second_face_min_rel * main_w)


def count_bodies(obs: Observation, cfg: JudgeConfig) -> int:
    """Large separate blobs in the person mask (computed on a small copy for speed)."""
    small = obs.small_mask
    if small is None:
        return 0
    binary = (small > 0.5).astype(np.uint8)
    n, _labels, stats, _c = cv2.connectedComponentsWithStats(binary, connectivity=8)
    areas = sorted((int(a) for a in stats[1:n, cv2.CC_STAT_AREA]), reverse=True)
    if not areas:
        return 0
    total = binary.size
    big = [a for a in areas if a >= cfg.second_body_min_area * total and a >= cfg.second_body_min_rel * areas[0]]
    return len(big)


def check(obs: Observation, cfg: JudgeConfig) -> CheckResult:
    if not person_found(obs, cfg):
        return nobody(CODE)
    faces = count_faces(obs, cfg)
    bodies = count_bodies(obs, cfg)
    # Segmentation blobs only count once a person is seen: alone they may be objects.
    people = max(faces, bodies, 1)
    if people > 1:
        return failed(CODE, reason="multiple_people", message=MESSAGE, value=float(people), threshold=1.0, faces=faces, bodies=bodies)
    return passed(CODE, value=1.0, threshold=1.0, faces=faces, bodies=bodies)


CHECK = Check(CODE, check, "exactly one person",
              name=Text("画面中的人数", "People in the picture"), limit=Limit.MAX)
