"""Document checks: one module per check, each with `CODE` and `check(obs) -> CheckResult`.

`CHECKS` is the explicit registry; `run_checks` runs the kind's list and isolates failures (a check that raises
becomes an `error` result and the others still run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

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
from kiosk.documents.result import ERROR, CheckResult
from kiosk.text import Text

log = logging.getLogger(__name__)

CHECKS: dict[str, Callable[[Observation], CheckResult]] = {
    m.CODE: m.check
    for m in (colour, edges, resolution, sharpness, glare, screen, side, id_number, credit_code, validity, case_match, seal, signature)
}


def run_checks(obs: Observation, codes: tuple[str, ...]) -> tuple[CheckResult, ...]:
    results = []
    for code in codes:
        try:
            results.append(CHECKS[code](obs))
        except Exception as exc:  # one broken check must not hide the others
            log.exception("document check %s failed", code)
            results.append(
                CheckResult(code, ERROR, reason="check_error",
                            message=Text("检查出错，请人工核对", "The check failed to run: check by eye"),
                            details={"error": repr(exc)})
            )
    return tuple(results)
