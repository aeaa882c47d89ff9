"""Whole document inside the image: the document's outline is found and runs into no image edge."""

from __future__ import annotations

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "edges"

SIDE_NAMES = {"top": "上", "right": "右", "bottom": "下", "left": "左", "aspect": "边"}


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    cut = obs.normalised.cut_sides
    margin = cfg.edge_margin
    if cut:
        sides_zh = "、".join(SIDE_NAMES.get(s, s) for s in cut)
        sides_en = ", ".join(cut)
        return failed(CODE, reason="edges_cut", value=float(len(cut)), threshold=0,
                      message=Text(f"证件{sides_zh}边被裁切，请让整个证件完整入框", f"The document is cut off ({sides_en}): keep the whole document in the image"),
                      sides=list(cut), found=obs.normalised.found, margin=margin)
    return passed(CODE, value=0.0, threshold=0, message=Text("证件完整", "Whole document in the image"), found=obs.normalised.found)
