"""Auditor search: every filter finds what it should and nothing else; paging; counts."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.archive.search import SearchFilters, search_cases
from kiosk.models import CaseEvent, User
from tests.archive.factory import make_case, make_user


@pytest.fixture
def cases(arch):
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        other = make_user(s, "li", "staff")
        t0 = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 Beijing time
        make_case(s, arch.store, staff, number="BK-20260301-0001", seed=1, scans=1, subject_name="北京星辰科技有限公司",
                  province="beijing", domain="xingchen.cn", cert_number="91110000AAAAAAAA1X",
                  id_number="110101199001010011", created_at=t0)
        make_case(s, arch.store, other, number="BK-20260302-0001", seed=2, scans=1, subject_name="上海云海网络有限公司",
                  province="shanghai", domain="yunhai.com.cn", cert_number="91310000BBBBBBBB2X",
                  id_number="310101199001010022", created_at=t0 + dt.timedelta(days=1))
        c3 = make_case(s, arch.store, other, number="BK-20260310-0001", seed=3, scans=1, subject_name="星辰文化工作室",
                       province="beijing", domain="shop.xingchen.cn", cert_number="91110000CCCCCCCC3X",
                       id_number="110101199001010033", created_at=t0 + dt.timedelta(days=9), state="approved")
        s.add(CaseEvent(case_id=c3.id, actor_id=staff.id, move="approve", from_state="at_administration",
                        to_state="approved"))
        return {"staff": staff.id, "other": other.id}


def numbers(arch, **kw) -> list[str]:
    with arch.db.session() as s:
        return [r.number for r in search_cases(s, SearchFilters(**kw)).rows]


def test_each_filter(arch, cases):
    assert numbers(arch) == ["BK-20260310-0001", "BK-20260302-0001", "BK-20260301-0001"]
    assert numbers(arch, number="BK-20260302-0001") == ["BK-20260302-0001"]
    assert numbers(arch, number="bk-202603") == ["BK-20260310-0001", "BK-20260302-0001", "BK-20260301-0001"]
    assert numbers(arch, number="BK-2026031") == ["BK-20260310-0001"]
    assert numbers(arch, name="星辰") == ["BK-20260310-0001", "BK-20260301-0001"]
    assert numbers(arch, name="云海") == ["BK-20260302-0001"]
    assert numbers(arch, name="100%") == []  # LIKE wildcards are literal
    assert numbers(arch, cert="91310000bbbbbbbb2x") == ["BK-20260302-0001"]  # credit code, any case
    assert numbers(arch, cert="110101199001010033") == ["BK-20260310-0001"]  # principal's ID
    assert numbers(arch, cert="1101011990") == []  # ID numbers match exactly
    assert numbers(arch, domain="xingchen.cn") == ["BK-20260301-0001"]
    assert numbers(arch, domain="https://shop.") == ["BK-20260310-0001"]
    assert numbers(arch, province="beijing") == ["BK-20260310-0001", "BK-20260301-0001"]
    assert numbers(arch, state="approved") == ["BK-20260310-0001"]
    assert numbers(arch, province="shanghai", state="approved") == []
    # staff: who opened the case, or who made any move on it
    assert numbers(arch, staff=cases["staff"]) == ["BK-20260310-0001", "BK-20260301-0001"]
    assert numbers(arch, staff=cases["other"]) == ["BK-20260310-0001", "BK-20260302-0001"]
    # dates are Beijing dates, both ends included
    assert numbers(arch, date_from=dt.date(2026, 3, 2)) == ["BK-20260310-0001", "BK-20260302-0001"]
    assert numbers(arch, date_to=dt.date(2026, 3, 2)) == ["BK-20260302-0001", "BK-20260301-0001"]
    assert numbers(arch, date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 2)) == ["BK-20260302-0001"]


def test_paging_and_counts(arch):
    with arch.db.session() as s:
        staff = s.get(User, arch.staff_id)
        for i in range(7):
            make_case(s, arch.store, staff, number=f"BK-P-{i:02d}", seed=10 + i, scans=0, attempts=0,
                      created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i))
    with arch.db.session() as s:
        p1 = search_cases(s, SearchFilters(number="BK-P"), page=1, page_size=3)
        p3 = search_cases(s, SearchFilters(number="BK-P"), page=3, page_size=3)
        assert [r.number for r in p1.rows] == ["BK-P-06", "BK-P-05", "BK-P-04"] and p1.has_next
        assert p1.total == 7 and not p1.capped and p1.total_label == "7"
        assert [r.number for r in p3.rows] == ["BK-P-00"] and not p3.has_next and p3.total == 7
        assert search_cases(s, SearchFilters(number="BK-P"), page=9, page_size=3).rows == []
        assert p1.rows[0].domains == ("example.cn",)
