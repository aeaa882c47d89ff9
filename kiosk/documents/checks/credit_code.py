"""The unified social credit code read from the certificate: GB 32100 check character
(`kiosk.validators.check_credit_code`)."""

from __future__ import annotations

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import KioskError, Text
from kiosk.validators import check_credit_code

CODE = "credit_code"


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    code = obs.readings.get("credit_code")
    if not code:
        return failed(CODE, reason="credit_code_unread", value=None, threshold="GB 32100",
                      message=Text("未能识别统一社会信用代码，请重新扫描或人工核对", "The credit code could not be read: scan again or check by eye"))
    try:
        check_credit_code(code)
    except KioskError as exc:
        return failed(CODE, reason=exc.code, value=None, threshold="GB 32100", message=exc.text, code=code)
    return passed(CODE, value=None, threshold="GB 32100", message=Text("统一社会信用代码校验通过", "Credit code valid"), code=code)
