"""The ID number read from the card: 18 characters, GB 11643 check digit, plausible birth date and region
(`kiosk.validators.check_id_number`), and the birth date printed on the card agrees with the number."""

from __future__ import annotations

from kiosk.documents.observation import Observation
from kiosk.documents.result import CheckResult, failed, passed
from kiosk.documents.thresholds import DocumentThresholds
from kiosk.text import KioskError, Text
from kiosk.validators import check_id_number

CODE = "id_number"


def check(obs: Observation, cfg: DocumentThresholds) -> CheckResult:
    number = obs.readings.get("id_number")
    if not number:
        return failed(CODE, reason="id_number_unread", value=None, threshold="GB 11643",
                      message=Text("未能识别身份证号码，请重新扫描或人工核对", "The ID number could not be read: scan again or check by eye"))
    try:
        info = check_id_number(number, today=obs.today)
    except KioskError as exc:
        return failed(CODE, reason=exc.code, value=None, threshold="GB 11643", message=exc.text, number=number)
    printed = obs.readings.get("birth_date")
    if printed and printed != info.birth_date.isoformat():
        return failed(CODE, reason="birth_date_mismatch", value=None, threshold="GB 11643",
                      message=Text("证件上的出生日期与号码不一致", "The birth date printed on the card disagrees with the ID number"),
                      number=number, printed=printed, encoded=info.birth_date.isoformat())
    return passed(CODE, value=None, threshold="GB 11643", message=Text("身份证号码校验通过", "ID number valid"),
                  number=number, birth_date=info.birth_date.isoformat())
