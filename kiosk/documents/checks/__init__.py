"""Document checks: one module per check, each with `CODE` and `check(obs, thresholds) -> CheckResult`.

`CHECKS` is the explicit registry; `run_document_checks` runs the kind's list through the shared executor
(kiosk.checkresult.run_checks: a check that raises becomes an `error` result and the others still run).
"""

from __future__ import annotations

from kiosk.checkresult import Check, CheckResult, run_checks
from kiosk.documents.checks import (
    case_match,
    colour,
    credit_code,
    edges,
    glare,
    id_number,
    resolution,
    screen,
    seal,
    sharpness,
    side,
    signature,
    validity,
)
from kiosk.documents.observation import Observation
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CHECKS: dict[str, Check[Observation, DocumentThresholds]] = {
    m.CODE: Check(m.CODE, m.check, (m.__doc__ or "").strip().split("\n")[0])
    for m in (colour, edges, resolution, sharpness, glare, screen, side, id_number, credit_code, validity, case_match, seal, signature)
}
# The scaled copies of a sheet the image checks read (Observation.scaled): made while the OCR runs (inspect).
SHEET_COPY_WIDTHS = frozenset({colour.WIDTH, glare.WIDTH, seal.WIDTH, sharpness.SHEET_WIDTH})
CHECK_ERROR = Text("检查出错，请人工核对", "The check failed to run: check by eye")


def run_document_checks(obs: Observation, codes: tuple[str, ...], cfg: DocumentThresholds) -> tuple[CheckResult, ...]:
    """Run the kind's checks (`codes`, in order) through the shared executor."""
    return run_checks((CHECKS[code] for code in codes), obs, cfg, error_message=CHECK_ERROR)
