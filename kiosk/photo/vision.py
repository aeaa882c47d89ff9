"""Run the MediaPipe models once per frame and collect one `Observation` every check reads.

Models are the ones shipped inside the mediapipe 0.10.21 wheel (legacy `mediapipe.solutions`): pose with
model_complexity=1 (0 and 2 are not bundled and would try to download), face mesh with iris refinement,
selfie segmentation (landscape model) and face detection (full range, to find small second faces). They are
created lazily on first use and kept warm. Work is shared: one BGR->RGB conversion, one grey image, and the
pose landmarks seed the face and body geometry all checks use.

On still photos (not a live stream, which has the next frame instead) a miss is retried once: no face mesh
on the first crop -> the mesh on a tighter crop around the detected face, else around the head the pose
model sees (hard hats, masks, faces looking up or down); nobody at all -> the pose model on the frame at half,
then quarter size (people seen from behind, very close, or looking down under a hard hat) and the short-range
face detector (a large face under a hard hat and over a dust mask that the full-range model misses; measured
on the dev sets: it finds that face and no face on the six photos without a person). Retries cost time only
on the frames that need them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

# Pose landmark indices (MediaPipe BlazePose, 33 points).
NOSE = 0
L_EYE, R_EYE = 2, 5
L_EAR, R_EAR = 7, 8
L_SHOULDER, R_SHOULDER = 11, 12
L_ELBOW, R_ELBOW = 13, 14
L_WRIST, R_WRIST = 15, 16
L_HIP, R_HIP = 23, 24
L_KNEE, R_KNEE = 25, 26
L_ANKLE, R_ANKLE = 27, 28

# Face mesh indices (468 points + 10 iris points with refine_landmarks=True).
FM_FOREHEAD = 10  # top of the forehead, on the midline
FM_CHIN = 152

RETRY_POSE_SCALES = (0.5, 0.25)  # still photos where nobody was found: the pose model again at these sizes


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A detected face: pixel box, detector score, and its 6 keypoints (pixels)."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    keypoints: tuple[tuple[float, float], ...] = ()

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)


class Models:
    """The MediaPipe solutions, created on first use and kept warm. Not thread-safe."""

    def __init__(self, *, video: bool = False) -> None:
        self.video = video
        self._pose: Any = None
        self._mesh: Any = None
        self._seg: Any = None
        self._det: Any = None
        self._near: Any = None
        self._worker: ThreadPoolExecutor | None = None

    @property
    def worker(self) -> ThreadPoolExecutor:
        """One helper thread: the face models run there while the pose model runs in the caller's thread
        (MediaPipe releases the GIL while a graph runs, so the two use both cores)."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-models")
        return self._worker

    @property
    def pose(self) -> Any:
        if self._pose is None:
            from mediapipe.python.solutions import pose as mp_pose

            self._pose = mp_pose.Pose(
                static_image_mode=not self.video,
                model_complexity=1,  # the only complexity bundled in the wheel
                smooth_landmarks=True,
                enable_segmentation=False,
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        return self._pose

    @property
    def mesh(self) -> Any:
        if self._mesh is None:
            from mediapipe.python.solutions import face_mesh as mp_mesh

            self._mesh = mp_mesh.FaceMesh(
                static_image_mode=not self.video,
                max_num_faces=1,
                refine_landmarks=True,  # iris
                min_detection_confidence=0.5,
                min_tracking_confidence=0.5,
            )
        return self._mesh

    @property
    def segmentation(self) -> Any:
        if self._seg is None:
            from mediapipe.python.solutions import selfie_segmentation as mp_seg

            self._seg = mp_seg.SelfieSegmentation(model_selection=1)
        return self._seg

    @property
    def detection(self) -> Any:
        if self._det is None:
            from mediapipe.python.solutions import face_detection as mp_det

            self._det = mp_det.FaceDetection(model_selection=1, min_detection_confidence=0.5)
        return self._det

    @property
    def near_detection(self) -> Any:
        """The short-range face detector (faces within about 2 m), only for still photos where nothing else
        was found: it finds some large faces the full-range model misses (a hard hat over a dust mask)."""
        if self._near is None:
            from mediapipe.python.solutions import face_detection as mp_det

            self._near = mp_det.FaceDetection(model_selection=0, min_detection_confidence=0.5)
        return self._near

    def warm_up(self) -> None:
        """Create every model and run it once on a blank frame."""
        blank = np.zeros((480, 640, 3), np.uint8)
        observe(blank, self)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            self._worker = None
        for name in ("_pose", "_mesh", "_seg", "_det", "_near"):
            model = getattr(self, name)
            if model is not None:
                model.close()
                setattr(self, name, None)


class Observation:
    """Everything measured once on one frame; checks read it and never run models themselves.

    Coordinates are in pixels of the frame unless named `_n` (normalised 0..1).
    """

    def __init__(self, frame_bgr: np.ndarray) -> None:
        self.bgr = frame_bgr
        self.height, self.width = frame_bgr.shape[:2]
        self.rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        self.rgb.flags.writeable = False
        self.pose: np.ndarray | None = None  # (33, 4): x px, y px, z (px scale), visibility
        self.mesh: np.ndarray | None = None  # (478, 3): x px, y px, z px
        self.mask: np.ndarray | None = None  # float32 HxW person probability (selfie segmentation)
        self.faces: tuple[FaceBox, ...] = ()
        self.cache: dict[str, Any] = {}  # derived data shared between checks (e.g. the normalised face)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a derived measure once per observation (checks and the helper thread share it)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def forget_derived(self) -> None:
        """Drop the derived measures (after a model result changed, e.g. a face mesh found on a retry)."""
        retried = {k: v for k, v in self.cache.items() if k.endswith("_retried")}
        self.cache.clear()
        self.cache.update(retried)
        self.__dict__.pop("face_box", None)
        self.__dict__.pop("main_face", None)

    @cached_property
    def gray(self) -> np.ndarray:
        return cv2.cvtColor(self.bgr, cv2.COLOR_BGR2GRAY)

    @cached_property
    def small_mask(self) -> np.ndarray | None:
        """Person probability mask at 160x120 (for blob counting and the outline)."""
        if self.mask is None:
            return None
        return cv2.resize(self.mask, (160, 120), interpolation=cv2.INTER_AREA)

    @cached_property
    def small_bgr(self) -> np.ndarray:
        """The frame area-averaged down to at most 320 px wide (for whole-frame colour statistics)."""
        scale = min(1.0, 320 / self.width)
        if scale >= 1.0:
            return self.bgr
        size = (max(1, round(self.width * scale)), max(1, round(self.height * scale)))
        return cv2.resize(self.bgr, size, interpolation=cv2.INTER_AREA)

    @cached_property
    def face_box(self) -> tuple[float, float, float, float] | None:
        """Box of the main face from the face mesh (pixels), else from pose head landmarks."""
        if self.mesh is not None:
            xs, ys = self.mesh[:468, 0], self.mesh[:468, 1]
            return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
        return None

    @cached_property
    def main_face(self) -> FaceBox | None:
        """The detected face that belongs to the main person (largest), if any."""
        if not self.faces:
            return None
        return max(self.faces, key=lambda f: f.area)


def mesh_crop(faces: tuple[FaceBox, ...], w: int, h: int) -> tuple[int, int, int, int]:
    """Square crop (x0, y0, x1, y1) three face-widths wide around the largest detected face; the whole
    frame when there is none or the face is already large."""
    if not faces:
        return 0, 0, w, h
    face = max(faces, key=lambda f: f.area)
    cx, cy = face.centre
    size = 3.0 * max(face.width, face.height)
    if size >= 0.8 * max(w, h):
        return 0, 0, w, h
    size = max(size, 64.0)
    x0 = int(max(0, cx - size / 2))
    y0 = int(max(0, cy - size / 2))
    x1 = int(min(w, cx + size / 2))
    y1 = int(min(h, cy + size / 2))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return 0, 0, w, h
    return x0, y0, x1, y1


def observe(frame_bgr: np.ndarray, models: Models,
            prepare: Callable[[Observation], None] | None = None) -> Observation:
    """Run every model once on `frame_bgr` (HxWx3 uint8 BGR) and return the observation.

    The pose model runs in this thread while the helper thread runs face detection, face mesh (on a crop
    around the detected face) and selfie segmentation, then `prepare(obs)`: frame measures that need no
    pose (computed while the pose model is still busy).
    """
    obs = Observation(frame_bgr)
    h, w = obs.height, obs.width
    pose_model = models.pose  # created (lazily) in this thread before the helper starts
    future = models.worker.submit(_face_and_segmentation, obs, models, prepare)
    try:
        res = pose_model.process(obs.rgb)
    finally:
        future.result()  # the helper fills obs.faces, obs.mesh, obs.mask; re-raises its errors
    if res.pose_landmarks is not None:
        obs.pose = _landmarks(res.pose_landmarks, w, h)
    if not models.video:  # still photos only: a live stream has the next frame (and tracking) instead
        if obs.pose is None and obs.mesh is None and not obs.faces:
            _retry_pose(obs, pose_model)
            _retry_near_faces(obs, models)
        if obs.mesh is None:
            _retry_mesh(obs, models)
    return obs


def _landmarks(landmarks: Any, w: float, h: float, x0: float = 0.0, y0: float = 0.0) -> np.ndarray:
    return np.array([[x0 + lm.x * w, y0 + lm.y * h, lm.z * w, lm.visibility] for lm in landmarks.landmark],
                    np.float32)


def _retry_pose(obs: Observation, pose_model: Any) -> None:
    """Nothing found at full size: the pose model once more on the frame at half size, then at a quarter
    (its person detector misses some people seen from behind, very close, or looking down under a hard hat
    at full resolution). Costs time only on frames where nobody was found."""
    h, w = obs.height, obs.width
    for scale in RETRY_POSE_SCALES:
        sw, sh = round(w * scale), round(h * scale)
        if min(sw, sh) < 128:
            return
        small = cv2.resize(obs.rgb, (sw, sh), interpolation=cv2.INTER_AREA)
        res = pose_model.process(small)
        if res.pose_landmarks is not None:
            obs.pose = _landmarks(res.pose_landmarks, w, h)
            obs.cache["pose_retried"] = scale
            return


def _retry_near_faces(obs: Observation, models: Models) -> None:
    """No face found by the full-range detector: the short-range one once (large faces it misses: a face
    under a hard hat and over a dust mask, looking down). The face mesh retry then uses its box."""
    if obs.faces:
        return
    obs.faces = _detections(models.near_detection.process(obs.rgb), obs.width, obs.height)
    if obs.faces:
        obs.forget_derived()
        obs.cache["faces_retried"] = True


def head_crop_from_pose(obs: Observation) -> tuple[int, int, int, int] | None:
    """A square crop around the head from the pose landmarks (nose, eyes, ears), 3.5 x the head's landmark
    spread wide; None without a visible head."""
    if obs.pose is None:
        return None
    head = obs.pose[[NOSE, L_EYE, R_EYE, L_EAR, R_EAR]]
    if float(head[:, 3].mean()) < 0.5:
        return None
    pts = head[:, :2]
    cx, cy = pts.mean(axis=0)
    size = max(float(np.ptp(pts[:, 0])), float(np.ptp(pts[:, 1])), 8.0) * 3.5
    return _square(float(cx), float(cy), size, obs.width, obs.height)


def _square(cx: float, cy: float, size: float, w: int, h: int) -> tuple[int, int, int, int] | None:
    x0, y0 = int(max(0, cx - size / 2)), int(max(0, cy - size / 2))
    x1, y1 = int(min(w, cx + size / 2)), int(min(h, cy + size / 2))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return x0, y0, x1, y1


def _retry_mesh(obs: Observation, models: Models) -> None:
    """No mesh on the first crop: the face mesh once more on a tighter crop around the detected face (1.8
    face widths: masks, head coverings and faces pitched up or down are found there), else around the head
    the pose model sees (a face the detector missed: a hard hat, looking up). Runs only when the first try
    found no mesh."""
    crops = []
    if obs.faces:
        face = max(obs.faces, key=lambda f: f.area)
        crops.append(_square(*face.centre, 1.8 * max(face.width, face.height), obs.width, obs.height))
    crops.append(head_crop_from_pose(obs))
    for crop in crops:
        if crop is None:
            continue
        x0, y0, x1, y1 = crop
        res = models.mesh.process(np.ascontiguousarray(obs.rgb[y0:y1, x0:x1]))
        if res.multi_face_landmarks:
            cw, ch = x1 - x0, y1 - y0
            obs.mesh = np.array(
                [[x0 + lm.x * cw, y0 + lm.y * ch, lm.z * cw] for lm in res.multi_face_landmarks[0].landmark],
                np.float32,
            )
            obs.forget_derived()
            obs.cache["mesh_retried"] = True
            return


def _detections(res: Any, w: int, h: int) -> tuple[FaceBox, ...]:
    faces = []
    for det in res.detections or ():
        box = det.location_data.relative_bounding_box
        kps = tuple((k.x * w, k.y * h) for k in det.location_data.relative_keypoints)
        faces.append(
            FaceBox(box.xmin * w, box.ymin * h, (box.xmin + box.width) * w, (box.ymin + box.height) * h,
                    float(det.score[0]), kps)
        )
    return tuple(faces)


def _face_and_segmentation(obs: Observation, models: Models,
                           prepare: Callable[[Observation], None] | None) -> None:
    h, w = obs.height, obs.width
    rgb = obs.rgb
    obs.faces = _detections(models.detection.process(rgb), w, h)

    # Face mesh on a crop around the main face: its own detector only finds large (near) faces, so a
    # person standing back in a high-resolution frame would otherwise get no mesh.
    x0, y0, x1, y1 = mesh_crop(obs.faces, w, h)
    crop = rgb[y0:y1, x0:x1] if (x0, y0, x1, y1) != (0, 0, w, h) else rgb
    res = models.mesh.process(np.ascontiguousarray(crop))
    if res.multi_face_landmarks:
        cw, ch = x1 - x0, y1 - y0
        obs.mesh = np.array(
            [[x0 + lm.x * cw, y0 + lm.y * ch, lm.z * cw] for lm in res.multi_face_landmarks[0].landmark],
            np.float32,
        )

    res = models.segmentation.process(rgb)
    obs.mask = res.segmentation_mask
    if prepare is not None:
        prepare(obs)
