"""Check results for documents: the shared protocol of kiosk.checkresult."""

from __future__ import annotations

from kiosk.checkresult import ERROR, FAIL, PASS, SKIPPED, CheckResult, failed, jsonable, passed, skipped

__all__ = ["ERROR", "FAIL", "PASS", "SKIPPED", "CheckResult", "failed", "jsonable", "passed", "skipped"]
