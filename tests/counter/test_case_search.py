"""Staff find a case by number, subject name, ID or credit-code number, domain and date, with paging; the list
shows ID numbers masked."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiosk import cases
from kiosk.models import User
from tests.conftest import login
from web.db import get_database


def _cases(app, enterprise_form, count: int) -> list[tuple[int, str, str, str]]:
    made = []
    with get_database(app).session() as s:
        staff = s.scalars(select(User).where(User.role == "staff")).one()
        for i in range(count):
            form = dict(enterprise_form, subject_name=f"检索测试{i:02d}有限公司",
                        website_domain=[f"site{i:02d}.example.cn"], website_name=[f"站点{i:02d}"])
            made.append(cases.create_case(s, cases.validate_case_input(form), staff))
        s.flush()
        out = [(c.id, c.number, c.subject_name, c.subject_cert_number) for c in made]
    return out


def _numbers(html: str) -> list[str]:
    return re.findall(r">(BK-\d{8}-\d{4})<", html)


def test_staff_search_by_number_name_domain_and_cert(app, client, enterprise_form):
    made = _cases(app, enterprise_form, 3)
    login(client, "staff")
    _, number, name, cert = made[1]
    assert _numbers(client.get(f"/cases?number={number}").data.decode()) == [number]
    assert _numbers(client.get("/cases", query_string={"name": name[-6:]}).data.decode()) == [number]
    assert _numbers(client.get("/cases?domain=site01.example").data.decode()) == [number]
    page = client.get("/cases", query_string={"cert": cert}).data.decode()
    assert sorted(_numbers(page)) == sorted(m[1] for m in made)  # one subject, three cases
    assert cert not in page.replace(f'value="{cert}"', "")  # masked in the list; only the search box echoes it
    assert cert[:4] + "*" * (len(cert) - 8) + cert[-4:] in page
    assert _numbers(client.get("/cases?date_from=2000-01-01&date_to=2000-01-02").data.decode()) == []


def test_staff_list_pages_keep_the_search(app, client, enterprise_form):
    made = _cases(app, enterprise_form, 30)
    login(client, "staff")
    first = client.get("/cases", query_string={"name": "检索测试"}).data.decode()
    assert len(_numbers(first)) == 25 and "1 / 2" in first
    link = re.search(r'href="([^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "name=" in link
    second = client.get(link).data.decode()
    assert len(_numbers(second)) == 5
    assert set(_numbers(first)) | set(_numbers(second)) == {m[1] for m in made}
