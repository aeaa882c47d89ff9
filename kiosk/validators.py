"""Validators for what staff type into a case: ID numbers, credit codes, domains, mobiles, record numbers.

Each validator returns the normalised value (or a small info object) and raises `KioskError` with a reason code
and a bilingual message when the input is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kiosk.text import KioskError, Text

# GB 11643-1999: weights for the 17 body digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits: provincial-level region codes (GB/T 2260), plus 81/82/83 for the residence permits of Hong
# Kong, Macao and Taiwan residents, which use the same number format.
_ID_REGIONS = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
    61, 62, 63, 64, 65, 71, 81, 82, 83,
}

# GB 32100-2015: the 31 characters (no I, O, S, V, Z) and the weights of the 17 body characters.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MAX_FIELD_LENGTH = 200
MAX_REASON = 1000  # a written reason (a move, an override)


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """A valid resident identity card number and what it encodes."""

    number: str
    region: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def _fail(code: str, zh: str, en: str) -> KioskError:
    return KioskError(code, Text(zh, en))


def id_check_character(body17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_id_number(value: str, *, today: dt.date | None = None) -> IdNumberInfo:
    """Validate an 18-character resident identity card number (GB 11643).

    Checks the format, the region, the birth date (a real date, not in the future, not before 1900) and the check
    character. Lower-case x is accepted and returned upper-case.
    """
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise _fail("id_number_format", "身份证号码应为18位（最后一位可为X）", "An ID number has 18 characters (the last may be X)")
    if int(number[:2]) not in _ID_REGIONS:
        raise _fail("id_number_region", "身份证号码的地区码无效", "The ID number's region code is not valid")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _fail("id_number_birth_date", "身份证号码中的出生日期无效", "The birth date in the ID number is not a real date") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise _fail("id_number_birth_date", "身份证号码中的出生日期不合理", "The birth date in the ID number is not plausible")
    if id_check_character(number[:17]) != number[17]:
        raise _fail("id_number_checksum", "身份证号码校验位错误，请核对", "The ID number's check digit is wrong: please check it")
    return IdNumberInfo(number=number, region=number[:6], birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def credit_code_check_character(body17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code (GB 32100); returns it upper-case."""
    code = (value or "").strip().upper()
    if not re.fullmatch(rf"[{_USCC_CHARS}]{{18}}", code):
        raise _fail(
            "credit_code_format",
            "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）",
            "A unified social credit code has 18 digits or capital letters (no I, O, S, V, Z)",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise _fail("credit_code_checksum", "统一社会信用代码校验位错误，请核对", "The credit code's check character is wrong: please check it")
    return code


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_domain(value: str) -> str:
    """Validate a domain name (internationalised names allowed); returns it lower-case, in Unicode form.

    No scheme, path, port, wildcard or trailing dot; at least two labels; a top-level domain of letters
    (or an IDN `xn--` label).
    """
    text = (value or "").strip().lower()
    bad = _fail("domain_format", "请输入有效的域名，例如 example.cn", "Please enter a valid domain name, e.g. example.cn")
    if not text or len(text) > 253 or any(c in text for c in "/:@* \t") or text.endswith("."):
        raise bad
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise bad from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise bad
    tld = labels[-1]
    if not (tld.isalpha() or tld.startswith("xn--")):
        raise bad
    return text


def check_mobile(value: str) -> str:
    """Validate a mainland China mobile number (11 digits starting 13-19); returns the digits."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise _fail("mobile_format", "手机号码应为11位，以1开头", "A mobile number has 11 digits starting with 1")
    return digits


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?P<domain>[^@\s]{1,253})$")


def check_email(value: str, *, required: bool = False) -> str:
    """An e-mail address (optional unless `required`): a plain local part and a valid domain; returns it trimmed,
    the domain lower-case. Empty stays empty when not required."""
    text = (value or "").strip()
    if not text and not required:
        return ""
    match = _EMAIL.match(text)
    bad = _fail("email_format", "请输入有效的电子邮箱，例如 name@example.cn", "Please enter a valid e-mail address, e.g. name@example.cn")
    if not match or ".." in text or text.startswith(".") or "." in (text.split("@")[0][-1:]):
        raise bad
    try:
        domain = check_domain(match["domain"])
    except KioskError:
        raise bad from None
    return f"{text.rsplit('@', 1)[0]}@{domain}"


def check_text(value: str, field: Text, *, required: bool = True, max_length: int = MAX_FIELD_LENGTH) -> str:
    """A trimmed free-text field: present when required, no control characters, at most max_length."""
    text = (value or "").strip()
    if required and not text:
        raise KioskError("field_required", Text(f"请填写{field.zh}", f"Please fill in {field.en}"))
    if len(text) > max_length:
        raise KioskError(
            "field_too_long",
            Text(f"{field.zh}过长（最多{max_length}个字符）", f"{field.en} is too long (at most {max_length} characters)"),
        )
    if any(ord(c) < 32 for c in text):
        raise KioskError("field_control_chars", Text(f"{field.zh}含有无效字符", f"{field.en} contains invalid characters"))
    return text


_RECORD = re.compile(r"^(?P<abbr>[\u4e00-\u9fff])ICP备(?P<digits>\d{8}|\d{10})号(?:-(?P<site>[1-9]\d{0,3}))?$")


def check_record_number(value: str, province_abbr: str) -> str:
    """Validate an ICP record number such as 京ICP备2025012345号-1 for a province with abbreviation `province_abbr`.

    The number is the province abbreviation, "ICP备", 8 digits (before 2010) or 10 digits (a 4-digit year from
    2004 on, then 6 digits), "号", and optionally "-N" for the N-th website of the subject.
    """
    text = (value or "").strip()
    match = _RECORD.match(text)
    if not match:
        raise _fail(
            "record_number_format",
            "备案号格式应如 京ICP备2025012345号-1",
            "A record number looks like 京ICP备2025012345号-1",
        )
    if match["abbr"] != province_abbr:
        raise _fail(
            "record_number_province",
            f"备案号的省份简称应为“{province_abbr}”",
            f"The record number must start with this province's abbreviation “{province_abbr}”",
        )
    digits = match["digits"]
    if len(digits) == 10 and not 2004 <= int(digits[:4]) <= dt.date.today().year:
        raise _fail("record_number_year", "备案号中的年份不合理", "The year in the record number is not plausible")
    return text
