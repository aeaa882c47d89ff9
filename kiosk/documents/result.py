"""Check results for documents: the shared protocol of kiosk.checkresult."""

from __future__ import annotations

from kiosk.checkresult import (
    ERROR,
    FAIL,
    PASS,
    SKIPPED,
    UNCERTAIN,
    CheckResult,
    failed,
    jsonable,
    passed,
    skipped,
    uncertain,
)

__all__ = ["ERROR", "FAIL", "PASS", "SKIPPED", "UNCERTAIN", "CheckResult", "failed", "jsonable", "passed", "skipped",
           "uncertain"]
