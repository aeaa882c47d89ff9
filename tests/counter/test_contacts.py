"""The applicant's e-mail address on the case form (optional; used for notices)."""

import pytest

from kiosk import cases
from kiosk.cases import FormErrors
from kiosk.text import KioskError
from kiosk.validators import check_email
from tests.conftest import ENTERPRISE_FORM


@pytest.mark.parametrize("value, expected", [("", ""), ("  ", ""), ("Li.Si@Example.CN", "Li.Si@example.cn"),
                                             ("a+b@例子.中国", "a+b@例子.中国")])
def test_good_emails(value, expected):
    assert check_email(value) == expected


@pytest.mark.parametrize("value", ["no-at-sign", "a@b", "a@@b.cn", ".a@b.cn", "a.@b.cn", "a..b@b.cn", "a b@b.cn",
                                   "a@-b.cn", "x" * 65 + "@b.cn", "a\nb@b.cn", "a@b.cn\x00"])
def test_bad_emails(value):
    with pytest.raises(KioskError) as err:
        check_email(value)
    assert err.value.code == "email_format"


def test_required_email():
    with pytest.raises(KioskError):
        check_email("", required=True)


def test_case_form_takes_emails():
    form = dict(ENTERPRISE_FORM, website_leader_email="leader@example.cn")
    data = cases.validate_case_input(form)
    assert data.people["website_leader"]["email"] == "leader@example.cn" and data.people["principal"]["email"] == ""
    with pytest.raises(FormErrors) as err:
        cases.validate_case_input(dict(ENTERPRISE_FORM, principal_email="nope"))
    assert "principal_email" in err.value.errors
