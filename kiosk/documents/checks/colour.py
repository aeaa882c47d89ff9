"""Colour: a greyscale scan or a photocopy fails. Measures the 99.9th percentile of CIELAB chroma after
removing the paper's colour cast (a yellowed photocopy is still grey); 0.1 % of the page is about the
share of a red seal's strokes on a verification sheet."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "colour"
WIDTH = 600  # the copy measured (Observation.scaled)


def chroma_p999(image: np.ndarray) -> float:
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB).astype(np.float32)
    a, b = lab[..., 1] - 128, lab[..., 2] - 128
    a -= np.median(a)
    b -= np.median(b)
    return float(np.percentile(np.hypot(a, b), 99.9))


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    if obs.spec.kind == "verification_sheet" and not obs.expected.get("require_seal", True):
        # An individual's sheet is black print and a signature, with no red seal: a colour scan of it has no
        # colour to measure, so this check cannot tell it from a greyscale copy. Staff look at the original.
        return skipped(CODE, reason="colour_not_judgeable",
                       message=Text("个人核验单无彩色内容，无法判断是否彩色扫描", "An individual's sheet has no colour to judge the scan by"))
    value = chroma_p999(obs.scaled(WIDTH))
    limit = cfg.colour_min_chroma
    if value < limit:
        return failed(CODE, reason="greyscale", value=value, threshold=limit,
                      message=Text("扫描件为黑白或复印件，请用彩色扫描原件", "The scan is black and white or a photocopy: scan the original in colour"))
    return passed(CODE, value=value, threshold=limit, message=Text("彩色扫描", "Colour scan"))
