"""Thresholds of the document checks: one frozen dataclass with the in-code defaults, overridable from the
"documents" section of a per-kiosk profile (`DocumentThresholds.from_profile`) or a dict (`merged`)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kiosk.checkresult import Thresholds


@dataclass(frozen=True, slots=True)
class DocumentThresholds(Thresholds):
    """Every document check's limits. Units are in the comments."""

    PROFILE_SECTION = "documents"

    # colour: 99.9th percentile of chroma (CIELAB, after removing the paper's colour cast)
    colour_min_chroma: float = 15.0
    # edges: the document must be found and keep this margin (fraction of the image) from every image edge
    edge_margin: float = 0.004
    # resolution: ID card at least 1000 px wide; sheets at least 290 dpi-equivalent across the A4 short side
    # (300 dpi nominal less the few pixels the crop trims off the paper's edge)
    card_min_width_px: int = 1000
    sheet_min_dpi: float = 290.0
    # sharpness: mean gradient of the strongest text edges per unit of contrast (crisp ~0.95; a Gaussian blur
    # of sigma 2 px at 1000 px card width ~0.39), measured at 1000 px card width (sheets: 150 dpi)
    sharpness_min: float = 0.40
    # glare: a clipped-white blob over text larger than this fraction of the document
    glare_max_fraction: float = 0.002
    # screen: peak prominence (natural log) of a periodic pattern in the high-frequency spectrum
    screen_max_peak: float = 2.2
    # side: keywords of the expected side that must be read
    side_min_keywords: int = 2
    # validity: fail when the document expires within this many months
    validity_min_months: int = 3
    # seal: red ring diameter (mm on the A4 page) and ring coverage
    seal_min_diameter_mm: float = 25.0
    seal_max_diameter_mm: float = 60.0
    seal_min_ring_coverage: float = 0.7
    # signature: fraction of ink pixels in the signature area
    signature_min_ink: float = 0.004
    # the signature area of the provider's sheet template (fractions of the page), when its label is not read
    signature_region: tuple[float, float, float, float] = (0.28, 0.66, 0.92, 0.76)
    # fingerprint (kiosk.documents.checks.fingerprint): ridge score (coherence × ridge energy) of the best
    # fingertip-sized blob, its size on both sides (mm), and the area beside the signature when no label is read
    fingerprint_min_score: float = 0.35
    fingerprint_min_mm: float = 8.0
    fingerprint_max_mm: float = 30.0
    fingerprint_region: tuple[float, float, float, float] = (0.66, 0.64, 0.97, 0.80)


DEFAULTS: MappingProxyType[str, Any] = MappingProxyType(DocumentThresholds().to_dict())


def merged(overrides: dict[str, Any] | DocumentThresholds | None) -> DocumentThresholds:
    """The defaults with `overrides`; an unknown name raises UnknownThresholdError (a ValueError)."""
    if isinstance(overrides, DocumentThresholds):
        return overrides
    return DocumentThresholds.from_dict(overrides)
