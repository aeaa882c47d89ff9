"""Per-frame measures from the face mesh that the liveness challenges read.

The face mesh is MediaPipe's 478 points (x, y in pixels, z on the same scale), as in the photo judge's
`Observation.mesh`. From it, per frame:

- eye aspect ratio (EAR, Soukupová and Čech 2016) of each eye: the two eyelid gaps over the eye's width; about
  0.25-0.35 open, below about 0.15 closed;
- mouth aspect ratio (MAR): the inner lips' gap (three points across) over the mouth's width; near 0 closed,
  above about 0.5 wide open;
- head yaw, pitch and roll from the photo judge's frontal measure (`kiosk.photo.checks.frontal.head_pose`);
- the face's aspect (forehead-to-chin length over the inter-ocular distance): a photo tilted back shortens the
  whole face, a blink only the eyes, so the blink test divides the EAR's drop by the aspect's;
- the positions of 34 landmarks (the frontal measure's symmetric pairs and midline) and the inter-ocular
  distance, kept for the depth cue (`kiosk.liveness.depth`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kiosk.photo.checks.frontal import MIDLINE, SYMMETRIC_PAIRS, head_pose
from kiosk.photo.vision import FM_CHIN, FM_FOREHEAD

# (corner, upper, upper, corner, lower, lower): p1..p6 of the EAR formula, subject's right eye then left eye
RIGHT_EYE = (33, 160, 158, 133, 153, 144)
LEFT_EYE = (362, 385, 387, 263, 373, 380)
# inner lip corners, then (upper, lower) pairs across the mouth
MOUTH_CORNERS = (78, 308)
MOUTH_GAPS = ((81, 178), (13, 14), (311, 402))
# the landmarks the depth cue follows: the frontal measure's symmetric pairs and midline (34 points)
SHAPE_POINTS = tuple(sorted({i for pair in SYMMETRIC_PAIRS for i in pair} | set(MIDLINE)))
EYE_CENTRES = ((33, 133), (362, 263))


@dataclass(frozen=True, slots=True)
class FaceMeasures:
    """What one frame shows of the face; `face` False when no mesh was found (the rest is then zero)."""

    t: float  # seconds, from the session's clock
    face: bool
    ear: float = 0.0  # mean of both eyes
    mar: float = 0.0
    yaw: float = 0.0  # degrees, positive: the face turned towards the image's left
    pitch: float = 0.0
    roll: float = 0.0
    iod: float = 0.0  # inter-ocular distance, pixels
    aspect: float = 0.0  # forehead-to-chin length / iod
    centre: tuple[float, float] = (0.0, 0.0)  # midpoint of the eyes, pixels
    shape: np.ndarray | None = field(default=None, repr=False, compare=False)  # (34, 3) SHAPE_POINTS x, y, z


def _ear(mesh: np.ndarray, idx: tuple[int, ...]) -> float:
    p = mesh[list(idx), :2].astype(np.float64)
    width = np.linalg.norm(p[0] - p[3])
    if width <= 0:
        return 0.0
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2.0 * width))


def eye_aspect_ratio(mesh: np.ndarray) -> float:
    """Mean EAR of both eyes."""
    return (_ear(mesh, RIGHT_EYE) + _ear(mesh, LEFT_EYE)) / 2.0


def mouth_aspect_ratio(mesh: np.ndarray) -> float:
    p = mesh[:, :2].astype(np.float64)
    width = np.linalg.norm(p[MOUTH_CORNERS[0]] - p[MOUTH_CORNERS[1]])
    if width <= 0:
        return 0.0
    gap = np.mean([np.linalg.norm(p[a] - p[b]) for a, b in MOUTH_GAPS])
    return float(gap / width)


def measure(mesh: np.ndarray | None, t: float) -> FaceMeasures:
    """The measures of one frame's face mesh (None: no face in the frame)."""
    if mesh is None:
        return FaceMeasures(t, False)
    yaw, pitch, roll = head_pose(mesh)
    right = mesh[list(EYE_CENTRES[0]), :2].mean(axis=0)
    left = mesh[list(EYE_CENTRES[1]), :2].mean(axis=0)
    centre = (right + left) / 2
    iod = float(np.linalg.norm(left - right))
    length = float(np.linalg.norm(mesh[FM_FOREHEAD, :2] - mesh[FM_CHIN, :2]))
    return FaceMeasures(
        t, True, ear=eye_aspect_ratio(mesh), mar=mouth_aspect_ratio(mesh), yaw=yaw, pitch=pitch, roll=roll,
        iod=iod, aspect=length / iod if iod > 0 else 0.0, centre=(float(centre[0]), float(centre[1])),
        shape=np.asarray(mesh[list(SHAPE_POINTS), :3], np.float64),
    )
