"""Validity: an expired document, or one with 3 months or less left, fails. 长期 (no end) passes. ID cards
must show their validity; certificates without an end date printed are skipped."""

from __future__ import annotations

import calendar
import datetime as dt

from kiosk.documents.kinds import ID_BACK
from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed, skipped
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import Text

CODE = "validity"


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    expiry = obs.readings.get("expiry")
    months = int(cfg.validity_min_months)
    if not expiry:
        if obs.spec.family == ID_BACK:
            return failed(CODE, reason="validity_unread", value=None, threshold=months,
                          message=Text("未能识别有效期限，请人工核对", "The validity period could not be read: check by eye"))
        return skipped(CODE, reason="no_expiry", message=Text("证件未标注有效期", "No end date printed"))
    if expiry.get("permanent"):
        return passed(CODE, value=None, threshold=months, message=Text("长期有效", "Valid without end date"), expiry=expiry)
    end = dt.date.fromisoformat(expiry["date"])
    days = (end - obs.today).days
    if end < obs.today:
        return failed(CODE, reason="expired", value=float(days), threshold=months,
                      message=Text(f"证件已于 {end:%Y-%m-%d} 过期", f"The document expired on {end:%Y-%m-%d}"), expiry=expiry)
    if end <= add_months(obs.today, months):
        return failed(CODE, reason="expiring_soon", value=float(days), threshold=months,
                      message=Text(f"证件将于 {end:%Y-%m-%d} 到期（不足{months}个月）", f"The document expires on {end:%Y-%m-%d}, {months} months or less from now"),
                      expiry=expiry)
    return passed(CODE, value=float(days), threshold=months, message=Text(f"有效期至 {end:%Y-%m-%d}", f"Valid until {end:%Y-%m-%d}"), expiry=expiry)
