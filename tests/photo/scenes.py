"""Derived kiosk-like scenes for the photo tests, made from the real photos in tests/data.

How a scene is made (every step is a real photo or a model result, no drawing):

1. `cut_out`: the person in a real good photo is cut out with the kiosk's own selfie segmentation model
   (the judge's `observe`: its person probability becomes the alpha matte, softened by 1 px).
2. `booth_scene`: the cut-out is scaled and placed on a plain backdrop in a provider colour (`BACKDROPS`:
   ID-photo blue, white, light grey) at booth framing: a 480x640 portrait frame, the top of the head 6 % below
   the top edge, the hips (pose landmarks 23/24) 8 % below the bottom edge (the waist inside the frame; a
   source photo cut off above that is scaled up until its bottom edge is the frame's), the body midline
   (shoulders and hips) in the middle. A little sensor noise (Gaussian, sigma 1.5 grey
   levels) is added and the scene is JPEG-encoded at quality 90, as a camera frame would be.
3. `add_hat`: a head covering taken from another real photo is put on the scene's person: the donor photo is
   warped by the similarity transform that maps the donor's eye centres (face mesh landmarks 33/133,
   263/362) onto the person's, and blended in through the donor's person mask above a line 0.45 eye
   distances above the donor's eyes and within 1.8 eye distances of the face's midline (the hat and the hair
   under it, not the donor's face or raised hands), feathered by 0.04 eye distances. With `lift` the
   covering is moved up the face by that many eye distances (worn far back: the forehead left bare).
4. `recolour_clothes`: the cut-out's clothes (its mask below the chin plus a quarter face height, minus pixels
   within 18 ΔE of the face's median colour) take a CIELAB colour: a/b become the target's, lightness the target's
   plus each pixel's difference from the clothes' median (folds and shading kept); `amount` blends towards it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from kiosk.photo import PhotoJudge
from kiosk.photo.curtain import lab_of
from kiosk.photo.vision import FM_CHIN, L_HIP, L_SHOULDER, R_HIP, R_SHOULDER

# Provider backdrop colours (BGR): ID-photo blue (RGB 67, 142, 219), white, light grey.
BACKDROPS: dict[str, tuple[int, int, int]] = {"blue": (219, 142, 67), "white": (250, 250, 250), "grey": (190, 190, 190)}
FRAME = (480, 640)  # width, height: portrait booth frame


@dataclass(frozen=True)
class CutOut:
    """A person cut out of a real photo: BGR pixels, alpha 0..1, and where the head top, hips and body
    midline lie (pixels of `bgr`)."""

    bgr: np.ndarray
    alpha: np.ndarray
    head_top: float
    hip_y: float
    midline_x: float


def cut_out(judge: PhotoJudge, image: np.ndarray) -> CutOut:
    """Cut the person out of `image` with the segmentation model (step 1)."""
    obs = judge.observe(image)
    assert obs.mask is not None and obs.pose is not None, "the source photo must show a person with a pose"
    alpha = cv2.GaussianBlur(np.clip(obs.mask.astype(np.float32), 0.0, 1.0), (0, 0), 1.0)
    rows = np.where((alpha > 0.5).any(axis=1))[0]
    p = obs.pose
    midline = float((p[L_SHOULDER, 0] + p[R_SHOULDER, 0] + p[L_HIP, 0] + p[R_HIP, 0]) / 4)
    # obs.bgr: the frame the models saw (large photos are scaled down first), matching the mask and pose
    return CutOut(obs.bgr, alpha, float(rows.min()), float((p[L_HIP, 1] + p[R_HIP, 1]) / 2), midline)


def booth_scene(person: CutOut, backdrop: str, seed: int = 0) -> np.ndarray:
    """The person at booth framing on a plain backdrop (step 2): a 480x640 BGR frame."""
    back = np.empty((FRAME[1], FRAME[0], 3), np.float32)
    back[:] = BACKDROPS[backdrop]
    return on_background(person, back, seed)


def on_background(person: CutOut, background: np.ndarray, seed: int = 0) -> np.ndarray:
    """The person at booth framing (step 2) on `background`, a BGR frame (e.g. a generated curtain)."""
    height, width = background.shape[:2]
    top_y, hip_y = 0.06 * height, 1.08 * height
    scale = (hip_y - top_y) / max(person.hip_y - person.head_top, 1.0)
    # a photo cut above the hips (hands out of frame) is scaled up until its bottom edge reaches the frame's
    scale = max(scale, (height - top_y) / max(person.bgr.shape[0] - person.head_top, 1.0))
    tx = width / 2 - person.midline_x * scale
    ty = top_y - person.head_top * scale
    matrix = np.float32([[scale, 0, tx], [0, scale, ty]])
    fg = cv2.warpAffine(person.bgr, matrix, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.warpAffine(person.alpha, matrix, (width, height), flags=cv2.INTER_LINEAR)[..., None]
    scene = fg.astype(np.float32) * alpha + background.astype(np.float32) * (1.0 - alpha)
    return camera_like(scene, seed)


def camera_like(scene: np.ndarray, seed: int = 0) -> np.ndarray:
    """Sensor noise (sigma 1.5) and JPEG quality 90, as a camera frame."""
    noisy = scene.astype(np.float32) + np.random.default_rng(seed).normal(0.0, 1.5, scene.shape)
    ok, data = cv2.imencode(".jpg", np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def _eyes(mesh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return mesh[[33, 133], :2].mean(axis=0), mesh[[263, 362], :2].mean(axis=0)


def add_hat(judge: PhotoJudge, scene: np.ndarray, donor: np.ndarray, lift: float = 0.0) -> np.ndarray:
    """Put the head covering of the real photo `donor` on the person in `scene` (step 3); `lift` > 0 moves it
    that many of the person's eye distances up the face (a covering worn far back, the forehead left bare)."""
    target, source = judge.observe(scene), judge.observe(donor)
    assert target.mesh is not None and source.mesh is not None and source.mask is not None
    sl, sr = _eyes(source.mesh)
    tl, tr = _eyes(target.mesh)
    sv, tv = sr - sl, tr - tl
    scale = float(np.linalg.norm(tv) / np.linalg.norm(sv))
    angle = float(np.arctan2(tv[1], tv[0]) - np.arctan2(sv[1], sv[0]))
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    tup = np.array([tv[1], -tv[0]]) / float(np.linalg.norm(tv))
    if tup[1] > 0:
        tup = -tup
    shift = tup * lift * float(np.linalg.norm(tv))
    matrix = np.hstack([rot, (tl - rot @ sl + shift)[:, None]]).astype(np.float32)
    h, w = scene.shape[:2]
    # donor's alpha: its person mask above the line 0.45 eye distances above its eyes
    distance = float(np.linalg.norm(sv))
    up = np.array([sv[1], -sv[0]]) / distance
    if up[1] > 0:
        up = -up
    centre = (sl + sr) / 2
    yy, xx = np.mgrid[0:donor.shape[0], 0:donor.shape[1]]
    height = ((xx - centre[0]) * up[0] + (yy - centre[1]) * up[1]) / distance
    lateral = ((xx - centre[0]) * -up[1] + (yy - centre[1]) * up[0]) / distance
    # the head only: not a raised hand or a second person beside it
    alpha = np.clip((height - 0.45) / 0.15, 0.0, 1.0) * (source.mask > 0.5) * (np.abs(lateral) < 1.8)
    alpha = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), max(1.0, 0.04 * distance))
    warped = cv2.warpAffine(donor, matrix, (w, h), flags=cv2.INTER_LINEAR)
    a = cv2.warpAffine(alpha, matrix, (w, h), flags=cv2.INTER_LINEAR)[..., None]
    out = scene.astype(np.float32) * (1.0 - a) + warped.astype(np.float32) * a
    return camera_like(out, seed=1)




def recolour_clothes(judge: PhotoJudge, person: CutOut, lab: tuple[float, float, float], amount: float = 1.0) -> CutOut:
    """The person with their clothes in the CIELAB colour `lab` (step 4)."""
    obs = judge.observe(person.bgr)
    assert obs.mesh is not None and obs.face_box is not None
    source = lab_of(person.bgr)
    x0, y0, x1, y1 = (int(v) for v in obs.face_box)
    face = np.median(source[y0:y1, x0:x1].reshape(-1, 3), axis=0)
    clothes = (person.alpha > 0.5) & (np.linalg.norm(source - face, axis=2) > 18)
    clothes[: int(obs.mesh[FM_CHIN, 1] + 0.25 * (y1 - y0))] = False
    target = source.copy()
    target[..., 0] = lab[0] + source[..., 0] - np.median(source[..., 0][clothes])
    target[..., 1], target[..., 2] = lab[1], lab[2]
    blended = np.where(clothes[..., None], source + amount * (target - source), source).astype(np.float32)
    bgr = np.clip(cv2.cvtColor(blended, cv2.COLOR_LAB2BGR) * 255, 0, 255).round().astype(np.uint8)
    return replace(person, bgr=bgr)
