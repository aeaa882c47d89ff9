"""Check results shared by the photo judge and the document checks: small, frozen, JSON-able records with a
machine-readable reason code and a bilingual message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.text import Text

PASS = "pass"
FAIL = "fail"
SKIPPED = "skipped"
ERROR = "error"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check on one photo frame or one document.

    `status` is "pass", "fail", "skipped" (not applicable, e.g. no face for a face check) or "error"
    (the check itself raised). `passed` is True for "pass" and "skipped" (a skipped check does not block the
    verdict: the check that made it inapplicable fails instead). `value` is the measured figure compared with
    `threshold`; `reason` is a machine-readable code; `message` the instruction a person can follow.
    """

    code: str
    status: str
    value: float | None = None
    threshold: float | str | None = None
    reason: str = "ok"
    message: Text = Text("", "")
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status in (PASS, SKIPPED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "passed": self.passed,
            "value": jsonable(self.value),
            "threshold": jsonable(self.threshold),
            "reason": self.reason,
            "message": self.message.as_dict(),
            "details": jsonable(self.details),
        }


def jsonable(value: Any) -> Any:
    """Plain JSON types from numpy scalars, tuples, dates and nested containers."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return round(value, 4) if value == value else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return jsonable(value.item())
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    return str(value)


class ResultsView:
    """What a photo verdict and a document report both answer about their `results` (mixed into their dataclasses)."""

    __slots__ = ()
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    def result(self, code: str) -> CheckResult | None:
        return next((r for r in self.results if r.code == code), None)
