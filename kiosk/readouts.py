"""A check result in words for pages and reports: name, measured value with its unit, and the limit with its
direction, in the page's language ("清晰度 0.62（下限 0.40）" / "Sharpness 0.62 (minimum 0.40)").

The words, units, directions and decimals are declared once per check: on each photo check's registry entry
(kiosk.photo.checks) and in the document checks' `MEASURES` table (kiosk.documents.checks). The formatting is
kiosk.checkresult.describe. `readout` takes a result in any of its stored forms: a CheckResult, its `as_dict()`
(a verdict's or an attachment's JSON, the evidence snapshot) or a CheckResultRow. JSON keeps codes and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kiosk.checkresult import Check, CheckResult, describe
from kiosk.documents.checks import CHECKS as DOCUMENT_CHECKS
from kiosk.photo.checks import CHECKS_BY_CODE as PHOTO_CHECKS
from kiosk.text import Text

REGISTRIES: dict[str, Mapping[str, Check[Any, Any]]] = {"photo_check": PHOTO_CHECKS, "document_check": DOCUMENT_CHECKS}


def readout(result: CheckResult | Mapping[str, Any] | Any, kind: str) -> Text:
    """`result` of a photo check (`kind` "photo_check") or a document check ("document_check") in words."""
    r = as_result(result)
    return describe(r, REGISTRIES[kind].get(r.code))


def as_result(result: CheckResult | Mapping[str, Any] | Any) -> CheckResult:
    """A CheckResult from its JSON form (`CheckResult.as_dict()`) or a stored row (message_zh / message_en)."""
    if isinstance(result, CheckResult):
        return result
    if isinstance(result, Mapping):
        message = result.get("message") or {}
        get = result.get
    else:
        message = {"zh": getattr(result, "message_zh", ""), "en": getattr(result, "message_en", "")}

        def get(key: str, default: Any = None) -> Any:
            return getattr(result, key, default)
    if not isinstance(message, Mapping):
        message = {"zh": str(message), "en": str(message)}
    value = get("value")
    details = get("details")
    return CheckResult(
        code=str(get("code", "")), status=str(get("status", "")),
        value=float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None,
        threshold=get("threshold"), reason=str(get("reason", "") or ""),
        message=Text(str(message.get("zh") or ""), str(message.get("en") or "")),
        details=dict(details) if isinstance(details, Mapping) else {},
    )


def check_results(rows: Iterable[CheckResult | Mapping[str, Any] | Any] | None) -> list[CheckResult]:
    """Stored results in any form (see `as_result`) as CheckResults, in order."""
    return [as_result(r) for r in rows or ()]


def attempt_results(attempt: Any) -> list[CheckResult]:
    """A photo attempt's results with their details (which measure each reports: head turn, nod or tilt), from
    the verdict stored with it; the result rows where an attempt has no verdict JSON."""
    return check_results((getattr(attempt, "verdict", None) or {}).get("results") or getattr(attempt, "results", None))
