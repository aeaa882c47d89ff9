"""Validators: GB 11643 ID numbers, GB 32100 credit codes, domains, mobiles, record numbers."""

import datetime as dt

import pytest

from kiosk.text import KioskError, Text
from kiosk.validators import (
    check_credit_code,
    check_domain,
    check_id_number,
    check_mobile,
    check_record_number,
    check_text,
    credit_code_check_character,
    id_check_character,
)

# Specimen numbers computed from the standards' algorithms (not real people or companies).
VALID_ID = "11010519491231002X"  # the example in GB 11643-1999 itself
VALID_USCC = "91350100M000100Y43"  # a widely published specimen code


def test_gb11643_example_from_the_standard():
    info = check_id_number(VALID_ID)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "F"
    assert info.region == "110105"


def test_lower_case_x_accepted():
    assert check_id_number(VALID_ID.lower()).number == VALID_ID


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "id_number_format"),
        ("1101051949123100", "id_number_format"),
        ("11010519491231002Y", "id_number_format"),
        ("110105194912310021", "id_number_checksum"),
        ("99010519491231002X", "id_number_region"),
        ("110105194902300000", "id_number_birth_date"),
    ],
)
def test_bad_id_numbers(value, code):
    with pytest.raises(KioskError) as err:
        check_id_number(value)
    assert err.value.code == code
    assert err.value.text.zh and err.value.text.en


def test_id_birth_date_in_future_refused():
    body = "1101052099010100" + "1"
    number = body + id_check_character(body)
    with pytest.raises(KioskError) as err:
        check_id_number(number, today=dt.date(2026, 1, 1))
    assert err.value.code == "id_number_birth_date"


def test_every_single_digit_typo_is_caught():
    for position in range(17):
        for digit in "0123456789":
            if VALID_ID[position] == digit:
                continue
            typo = VALID_ID[:position] + digit + VALID_ID[position + 1 :]
            with pytest.raises(KioskError):
                check_id_number(typo)


def test_credit_code_valid_and_check_character():
    assert check_credit_code(VALID_USCC.lower()) == VALID_USCC
    assert credit_code_check_character(VALID_USCC[:17]) == VALID_USCC[17]


@pytest.mark.parametrize(
    "value, code",
    [
        ("91350100M000100Y4", "credit_code_format"),
        ("91350100M000100Y4I", "credit_code_format"),
        ("91350100M000100Y44", "credit_code_checksum"),
    ],
)
def test_bad_credit_codes(value, code):
    with pytest.raises(KioskError) as err:
        check_credit_code(value)
    assert err.value.code == code


@pytest.mark.parametrize("value", ["example.cn", "Example.COM.CN", "a-b.example.org", "例子.中国", "xn--fiqs8s.cn"])
def test_valid_domains(value):
    assert check_domain(value) == value.strip().lower()


@pytest.mark.parametrize(
    "value",
    ["", "localhost", "http://example.cn", "example.cn/", "-a.cn", "a-.cn", "a..cn", "*.example.cn", "example.123",
     "exa mple.cn", "example.cn.", "a" * 64 + ".cn", ("a" * 60 + ".") * 5 + "cn"],
)
def test_invalid_domains(value):
    with pytest.raises(KioskError) as err:
        check_domain(value)
    assert err.value.code == "domain_format"


def test_mobile():
    assert check_mobile("+86 138-0013-8000") == "13800138000"
    with pytest.raises(KioskError):
        check_mobile("12800138000")


def test_record_numbers():
    assert check_record_number("京ICP备2025012345号-1", "京") == "京ICP备2025012345号-1"
    assert check_record_number("苏ICP备05012345号", "苏")
    for bad in ["京ICP备2025012345", "京ICP备202501234号", "京ICP备2025012345号-0", "ICP备2025012345号"]:
        with pytest.raises(KioskError) as err:
            check_record_number(bad, "京")
        assert err.value.code == "record_number_format"
    with pytest.raises(KioskError) as err:
        check_record_number("沪ICP备2025012345号-1", "京")
    assert err.value.code == "record_number_province"
    with pytest.raises(KioskError) as err:
        check_record_number("京ICP备1999012345号", "京")
    assert err.value.code == "record_number_year"


def test_text_field_limits():
    name = Text("名称", "the name")
    assert check_text("  ACME  ", name) == "ACME"
    with pytest.raises(KioskError) as err:
        check_text("x" * 201, name)
    assert err.value.code == "field_too_long"
    with pytest.raises(KioskError) as err:
        check_text("   ", name)
    assert err.value.code == "field_required"
    with pytest.raises(KioskError) as err:
        check_text("a\x00b", name)
    assert err.value.code == "field_control_chars"
