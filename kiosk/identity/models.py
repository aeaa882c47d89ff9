"""The face recognition models, loaded once, lazily and offline from what pip installed.

- Descriptor: dlib's ResNet face recognition model (`dlib_face_recognition_resnet_model_v1.dat`, 128-D, MIT,
  shipped by the `face_recognition_models` package), run by the `dlib-bin` wheel.
- Landmarks: dlib's 5-point shape predictor (`shape_predictor_5_face_landmarks.dat`, same package), which
  aligns the face chip the descriptor reads.
- Face boxes: MediaPipe's face detection (short range, then full range; models inside the mediapipe wheel),
  with dlib's HOG detector as the fallback when MediaPipe finds nothing.

The `face_recognition` package itself is not used (it would pull a source build of dlib); its models package is
located without importing it (its `__init__` imports the deprecated `pkg_resources`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RECOGNITION_MODEL = "dlib_face_recognition_resnet_model_v1"
LANDMARK_MODEL = "shape_predictor_5_face_landmarks"


def models_dir() -> Path:
    """Folder of the `face_recognition_models` package's `.dat` files (RuntimeError when not installed)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise RuntimeError("face_recognition_models is not installed (pip install face_recognition_models==0.3.0)")
    return Path(spec.origin).parent / "models"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What produced a face match score, sealed with it: model names, package versions, the model file's hash."""

    name: str  # the descriptor model
    version: str  # the packages that ran it
    sha256: str  # of the descriptor model file
    landmarks: str
    detector: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256,
                "landmarks": self.landmarks, "detector": self.detector}


class FaceModels:
    """dlib's descriptor and landmark models plus the face detectors, each created on first use.

    Creation is guarded by a lock, so several threads may ask for a model; *running* the models is not
    thread-safe (dlib's network and MediaPipe's graphs keep state): `FaceMatcher` serialises its calls.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or models_dir()
        self._lock = threading.Lock()
        self._models: dict[str, Any] = {}

    def _get(self, key: str, make: Any) -> Any:
        with self._lock:
            if key not in self._models:
                log.info("loading face model %s", key)
                self._models[key] = make()
            return self._models[key]

    def _file(self, stem: str) -> Path:
        path = self.directory / f"{stem}.dat"
        if not path.is_file():
            raise RuntimeError(f"face model file missing: {path} (reinstall face_recognition_models==0.3.0)")
        return path

    @property
    def recognizer(self) -> Any:
        import dlib

        return self._get("recognizer", lambda: dlib.face_recognition_model_v1(str(self._file(RECOGNITION_MODEL))))

    @property
    def landmarks(self) -> Any:
        import dlib

        return self._get("landmarks", lambda: dlib.shape_predictor(str(self._file(LANDMARK_MODEL))))

    @property
    def hog(self) -> Any:
        import dlib

        return self._get("hog", dlib.get_frontal_face_detector)

    def mediapipe(self, full_range: bool) -> Any:
        """MediaPipe face detection: short range (faces within about 2 m) or full range (small faces)."""
        from mediapipe.python.solutions import face_detection

        return self._get(f"mediapipe_{int(full_range)}", lambda: face_detection.FaceDetection(
            model_selection=int(full_range), min_detection_confidence=0.5))

    @cached_property
    def info(self) -> ModelInfo:
        return ModelInfo(
            name=RECOGNITION_MODEL,
            version=f"dlib {_version('dlib-bin')}; face_recognition_models {_version('face_recognition_models')}",
            sha256=_sha256(self._file(RECOGNITION_MODEL)),
            landmarks=LANDMARK_MODEL,
            detector=f"mediapipe {_version('mediapipe')} face_detection; dlib HOG fallback",
        )

    def warm_up(self) -> None:
        """Load every model now (otherwise the first match pays for it)."""
        _ = self.recognizer, self.landmarks, self.hog, self.mediapipe(False), self.mediapipe(True), self.info

    def close(self) -> None:
        with self._lock:
            for key in ("mediapipe_0", "mediapipe_1"):
                model = self._models.pop(key, None)
                if model is not None:
                    model.close()
