"""Check results and the verdict: small frozen, JSON-able records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.checkresult import ERROR, FAIL, PASS, SKIPPED, CheckResult, ResultsView, jsonable

__all__ = ["ERROR", "FAIL", "PASS", "SKIPPED", "CheckResult", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict(ResultsView):
    """Every check's result for one frame, ordered by what the applicant should fix first."""

    results: tuple[CheckResult, ...]
    overlay: dict[str, Any] = field(default_factory=dict)

    @property
    def first_failure(self) -> CheckResult | None:
        """The one instruction the booth shows (None when the photo passes)."""
        for r in self.results:
            if not r.passed:
                return r
        return None


    def as_dict(self) -> dict[str, Any]:
        first = self.first_failure
        return {
            "passed": self.passed,
            "first_failure": first.code if first else None,
            "message": first.message.as_dict() if first else None,
            "results": [r.as_dict() for r in self.results],
            "overlay": jsonable(self.overlay),
        }
