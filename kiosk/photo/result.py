"""Check results and the verdict: small frozen, JSON-able records."""

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
    """The outcome of one check on one frame.

    `status` is "pass", "fail", "skipped" (not applicable, e.g. no face for a face check) or "error"
    (the check itself raised). `passed` is True for "pass" and "skipped" (a skipped check does not block the
    verdict: the check that made it inapplicable fails instead). `value` is the measured figure compared with
    `threshold`; `reason` is a machine-readable code; `message` the instruction shown to the applicant.
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
            "value": _jsonable(self.value),
            "threshold": _jsonable(self.threshold),
            "reason": self.reason,
            "message": self.message.as_dict(),
            "details": _jsonable(self.details),
        }


def _jsonable(value: Any) -> Any:
    """Turn numpy scalars, tuples and nested containers into plain JSON types."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return round(value, 4) if value == value else None  # NaN -> None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _jsonable(value.item())
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    return str(value)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Every check's result for one frame, ordered by what the applicant should fix first."""

    results: tuple[CheckResult, ...]
    overlay: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def first_failure(self) -> CheckResult | None:
        """The one instruction the booth shows (None when the photo passes)."""
        for r in self.results:
            if not r.passed:
                return r
        return None

    def result(self, code: str) -> CheckResult | None:
        for r in self.results:
            if r.code == code:
                return r
        return None

    def as_dict(self) -> dict[str, Any]:
        first = self.first_failure
        return {
            "passed": self.passed,
            "first_failure": first.code if first else None,
            "message": first.message.as_dict() if first else None,
            "results": [r.as_dict() for r in self.results],
            "overlay": _jsonable(self.overlay),
        }
