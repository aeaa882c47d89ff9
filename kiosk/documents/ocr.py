"""OCR engines behind one interface: `engine.read(image_bgr) -> list[TextLine]`.

Default: RapidOCR (PP-OCRv4 ONNX models shipped in the `rapidocr-onnxruntime` wheel, so it runs offline). The
alternative is Debian's Tesseract 5 (`tesseract-ocr` + `tesseract-ocr-chi-sim`) through a subprocess (`--psm 6`, KIOSK_TESSERACT_PSM); it was
measured on the generated document set and lost on accuracy (see kiosk/documents/README.md), and is kept for
comparison (`KIOSK_OCR_ENGINE=tesseract`). Engines load once, lazily, and are thread-safe.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from kiosk.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text and its box (x0, y0, x1, y1) in the image that was read."""

    text: str
    box: tuple[float, float, float, float]
    score: float

    @property
    def compact(self) -> str:
        return "".join(self.text.split())

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "box": [round(v, 1) for v in self.box], "score": round(self.score, 3)}


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[TextLine]: ...


DET_MAX_SIDE = 1728
# Recognition one line at a time: in a batch every line is padded to the batch's longest, and a sheet's lines run
# from 2 to 30 times as wide as high. Measured on the A4 specimens (one thread): recognition CPU 1.7-1.9 s in
# batches of 6, 1.0-1.1 s one by one, the same text read.
REC_BATCH = 1


class RapidOcrEngine:
    """PP-OCRv4 through rapidocr-onnxruntime (detection, angle classifier, recognition)."""

    name = "rapidocr"

    def __init__(self, threads: int = 0) -> None:
        """`threads`: ONNX Runtime's intra-op threads (0: its own choice)."""
        from rapidocr_onnxruntime import RapidOCR

        # Detection at the size we hand it (callers scale cards to 800 px, sheets to 1200 px wide); the default
        # would upscale a card's short side to 736 px, doubling the detector's work for no accuracy.
        options: dict[str, object] = {"det_limit_type": "max", "det_limit_side_len": DET_MAX_SIDE,
                                      "rec_batch_num": REC_BATCH}
        if threads:
            options["intra_op_num_threads"] = threads
        self._ocr = RapidOCR(**options)
        self._lock = threading.Lock()

    def read(self, image: np.ndarray) -> list[TextLine]:
        with self._lock:
            result, _elapse = self._ocr(image)
        lines = []
        for box, text, score in result or []:
            pts = np.asarray(box, np.float32)
            lines.append(
                TextLine(
                    str(text),
                    (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())),
                    float(score),
                )
            )
        return lines


class TesseractEngine:
    """Debian's tesseract (chi_sim) through a subprocess, TSV output grouped into lines."""

    name = "tesseract"

    def __init__(self, lang: str = "chi_sim", psm: int = 6) -> None:
        exe = shutil.which("tesseract")
        if not exe:
            raise RuntimeError("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-chi-sim)")
        self._exe = exe
        self._lang = lang
        self._psm = psm

    def read(self, image: np.ndarray) -> list[TextLine]:
        ok, buf = cv2.imencode(".png", image)
        if not ok:
            raise RuntimeError("PNG encoding failed")
        proc = subprocess.run(
            [self._exe, "stdin", "stdout", "-l", self._lang, "--psm", str(self._psm), "tsv"],
            input=buf.tobytes(),
            capture_output=True,
            timeout=60,
            check=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "2"},  # the child's own environment, OpenMP held to 2 threads
        )
        groups: dict[tuple[str, ...], list[tuple[str, float, tuple[int, int, int, int]]]] = {}
        for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) < 12 or not cols[11].strip():
                continue
            key = tuple(cols[1:5])
            left, top, w, h = (int(c) for c in cols[6:10])
            groups.setdefault(key, []).append((cols[11].strip(), float(cols[10]), (left, top, left + w, top + h)))
        lines = []
        for words in groups.values():
            boxes = np.array([w[2] for w in words], float)
            text = "".join(w[0] for w in words)
            score = float(np.mean([w[1] for w in words])) / 100
            lines.append(TextLine(text, (boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()), score))
        return lines


ENGINES: dict[str, Callable[[int, int], OcrEngine]] = {
    "rapidocr": lambda threads, _psm: RapidOcrEngine(threads),
    "tesseract": lambda _threads, psm: TesseractEngine(psm=psm),
}
_instances: dict[tuple[str, int, int], OcrEngine] = {}
_lock = threading.Lock()


def get_engine(name: str | None = None, *, threads: int = 0, psm: int = 6) -> OcrEngine:
    """The shared engine `name` (default rapidocr), created on first use: `threads` for RapidOCR's ONNX Runtime
    (0: its own choice), `psm` Tesseract's page segmentation mode."""
    name = name or "rapidocr"
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}; known: {sorted(ENGINES)}")
    key = (name, threads, psm)
    with _lock:
        if key not in _instances:
            log.info("loading OCR engine %s", name)
            _instances[key] = ENGINES[name](threads, psm)
        return _instances[key]


def engine_for(settings: Settings) -> OcrEngine:
    """The kiosk's OCR engine (settings.ocr_engine, ocr_threads, tesseract_psm), created on first use."""
    return get_engine(settings.ocr_engine, threads=settings.ocr_threads, psm=settings.tesseract_psm)


def prepare(image: np.ndarray, max_width: int) -> tuple[np.ndarray, float]:
    """The image scaled down to at most `max_width` (OCR is faster and no worse); returns it and the scale."""
    h, w = image.shape[:2]
    if w <= max_width:
        return image, 1.0
    f = max_width / w
    return cv2.resize(image, (max_width, round(h * f)), interpolation=cv2.INTER_AREA), f
