"""Check results for documents: the shared CheckResult (kiosk.checkresult) and shorthands to make them."""

from __future__ import annotations

from typing import Any

from kiosk.checkresult import ERROR, FAIL, PASS, SKIPPED, CheckResult, jsonable
from kiosk.text import Text

__all__ = ["ERROR", "FAIL", "PASS", "SKIPPED", "CheckResult", "failed", "jsonable", "passed", "skipped"]


def passed(code: str, value: float | None, threshold: float | str | None, message: Text, /, **details: Any) -> CheckResult:
    return CheckResult(code, PASS, value, threshold, "ok", message, details)


def failed(
    code: str, reason: str, value: float | None, threshold: float | str | None, message: Text, /, **details: Any
) -> CheckResult:
    return CheckResult(code, FAIL, value, threshold, reason, message, details)


def skipped(code: str, reason: str, message: Text, /, **details: Any) -> CheckResult:
    return CheckResult(code, SKIPPED, None, None, reason, message, details)
