"""Check results and the verdict: small frozen, JSON-able records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.checkresult import ERROR, FAIL, PASS, SKIPPED, UNCERTAIN, CheckResult, ResultsView, jsonable

__all__ = ["ERROR", "FAIL", "PASS", "SKIPPED", "UNCERTAIN", "CheckResult", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict(ResultsView):
    """Every check's result for one frame, ordered by what the applicant should fix first."""

    results: tuple[CheckResult, ...]
    overlay: dict[str, Any] = field(default_factory=dict)

    @property
    def first_failure(self) -> CheckResult | None:
        """The one instruction the booth shows: the first blocking result (None when nothing blocks the capture;
        uncertain results are confirmed by staff, not fixed by the applicant)."""
        return next((r for r in self.results if r.blocking), None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the verdict, and every result with `text`, its value and limit in words."""
        from kiosk.photo.checks import describe  # the registry imports this module

        first = self.first_failure
        return {
            "passed": self.passed,
            "capturable": self.capturable,
            "uncertain": [r.code for r in self.uncertain],
            "first_failure": first.code if first else None,
            "message": first.message.as_dict() if first else None,
            "results": [{**r.as_dict(), "text": describe(r).as_dict()} for r in self.results],
            "overlay": jsonable(self.overlay),
        }
