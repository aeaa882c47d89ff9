"""Parsers of OCR lines, on hand-written lines (no OCR): common misreadings are repaired, odd text is no crash."""

from __future__ import annotations

import datetime as dt

from kiosk.documents import readings as rd
from kiosk.documents.checks.validity import add_months
from kiosk.documents.ocr import TextLine
from kiosk.documents.thresholds import merged


def L(text: str, x: float = 0, y: float = 0, w: float = 100, h: float = 20) -> TextLine:  # noqa: N802
    return TextLine(text, (x, y, x + w, y + h), 0.99)


def test_id_number_with_o_for_zero_and_lower_x():
    lines = [L("公民身份号码", 0, 100), L("11O1051949123l002x", 150, 100, 300)]
    assert rd.read_id_number(lines) == "11010519491231002X"


def test_name_on_the_same_line_or_to_the_right():
    assert rd.read_name([L("姓名张样本")]) == "张样本"
    assert rd.read_name([L("姓 名", 0, 10, 40), L("李试例", 60, 12, 80), L("性别男", 0, 60)]) == "李试例"
    assert rd.read_name([L("no label here")]) is None


def test_credit_code_repairs_o_and_i():
    lines = [L("统一社会信用代码 91350100M0001OOY43")]
    assert rd.read_credit_code(lines) == "91350100M000100Y43"


def test_id_validity_forms():
    assert rd.read_id_validity([L("有效期限"), L("2016.05.01-2036.05.01", 120)]).date == dt.date(2036, 5, 1)
    assert rd.read_id_validity([L("有效期限 2020.01.02-长期")]).permanent
    assert rd.read_id_validity([L("有效期限2016050120360501")]).date == dt.date(2036, 5, 1)
    assert rd.read_id_validity([L("nothing")]) is None


def test_licence_term():
    e = rd.read_labelled_expiry([L("营业期限 2018年03月15日至2038年03月14日")], ("营业期限",))
    assert e.date == dt.date(2038, 3, 14)
    assert rd.read_labelled_expiry([L("营业期限"), L("长期", 120)], ("营业期限",)).permanent


def test_domains():
    assert rd.read_domains([L("网站域名 Example-Specimen.CN"), L("www.example.com.cn")]) == [
        "example-specimen.cn", "www.example.com.cn"]


def test_add_months_clamps_month_end():
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 12) == dt.date(2027, 1, 15)


def test_unknown_threshold_is_an_error():
    import pytest

    with pytest.raises(ValueError):
        merged({"no_such_threshold": 1})
