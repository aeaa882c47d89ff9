"""Resolution: an ID card side at least 1000 px wide; a sheet at least ~300 dpi across the A4 short side."""

from __future__ import annotations

from kiosk.documents.kinds import A4_MM
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "resolution"


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    w, h = obs.normalised.measured_size
    if obs.spec.card:
        value, limit = float(max(w, h)), float(cfg.card_min_width_px)
        unit = "px"
    else:
        value, limit = min(w, h) / (A4_MM[0] / 25.4), float(cfg.sheet_min_dpi)
        unit = "dpi"
    if value < limit:
        return failed(CODE, reason="resolution_low", value=value, threshold=limit,
                      message=Text(f"分辨率不足（{value:.0f} {unit}，至少 {limit:.0f}），请提高扫描分辨率或靠近拍摄",
                           f"Resolution too low ({value:.0f} {unit}, needs {limit:.0f}): scan at a higher resolution or move closer"),
                      unit=unit)
    return passed(CODE, value=value, threshold=limit, message=Text("分辨率足够", "Resolution sufficient"), unit=unit)
