"""Archive benchmarks: sealing a case of 1 photo + 6 scans (median ms; target <= 300 ms) and auditor search p95
over 100,000 generated cases on SQLite (target <= 50 ms).

Prints `verify_archive_ms` (the archive of the sealing runs), `seal_ms_median`, `seal_ms_p95`, `search_ms_p50`, `search_ms_p95`, `search_ms_max`, `search_cases` (the
search query itself), and `search_page_ms_p50/p95` (the same searches through the portal: session, access-log
entry committed with fsync, page rendered).
BENCH_ARCHIVE_CASES overrides the number of generated cases.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from kiosk.archive.sealing import seal_case
from kiosk.archive.search import SearchFilters, search_cases
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.archive.verify import verify_archive
from kiosk.db import init_db
from kiosk.models import Case, CaseEvent, Person, User, Website
from kiosk.workflow import PROVINCES, State
from tests.archive.factory import finish, make_case, make_user

SEAL_RUNS = 25
SEARCH_QUERIES = 400
WORDS = ["示例", "星辰", "云海", "华夏", "东方", "蓝天", "智联", "数据", "科技", "文化", "传媒", "网络", "信息", "长江", "黄河"]
SUFFIX = ["科技有限公司", "网络科技有限公司", "文化传媒有限公司", "信息技术有限公司", "工作室", "研究院"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_seal(tmp: Path) -> list[float]:
    db = init_db(f"sqlite:///{tmp / 'seal.db'}")
    store = BlobStore(tmp / "archive", key=bytes(range(32)))
    signer = load_or_create_signer(tmp / "signing_key.pem", tmp / "archive")
    times = []
    with db.session() as s:
        staff_id = make_user(s, "wang", "staff").id
    for i in range(SEAL_RUNS + 2):
        with db.session() as s:
            staff = s.get(User, staff_id)
            case_id = make_case(s, store, staff, number=f"BK-SEAL-{i:04d}", seed=i + 1, scans=6, attempts=1).id
        t0 = time.perf_counter()
        with db.session() as s:  # what the finish_verification move does: state change + seal, one commit
            case = s.get(Case, case_id)
            staff = s.get(User, staff_id)
            finish(s, case, staff)
            seal_case(s, store, signer, case, staff, "bench-kiosk")
        if i >= 2:  # warm-up
            times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    with db.session() as s:
        report = verify_archive(store, s)
    assert report.ok, [p.line() for p in report.problems]
    print(f"verify_archive_ms: {(time.perf_counter() - t0) * 1000:.0f} ({report.manifests} manifests, "
          f"{report.blobs} blobs, {report.bytes // 1024} KiB)")
    db.dispose()
    return times


def generate_cases(db, n: int, rng: random.Random) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """n cases with websites, two people and three timeline events each, inserted in bulk."""
    provinces = list(PROVINCES)
    states = [s.value for s in State]
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with db.session() as s:
        staff = [make_user(s, f"staff{i}", "staff").id for i in range(20)]
    samples: dict[str, list] = {"number": [], "name": [], "cert": [], "id": [], "domain": [], "staff": staff}
    batch = 10_000
    with db.engine.begin() as conn:
        for base in range(0, n, batch):
            cases, sites, people, events = [], [], [], []
            for i in range(base, min(n, base + batch)):
                cid = i + 1
                created = start + dt.timedelta(minutes=7 * i + rng.randrange(5))
                number = f"BK-{created:%Y%m%d}-{i:06d}"
                name = rng.choice(WORDS) + rng.choice(WORDS) + rng.choice(SUFFIX)
                cert = f"91{rng.randrange(10**15):015d}X"
                pid = f"{rng.randrange(110000, 659999)}19{rng.randrange(60, 99)}0101{rng.randrange(1000):03d}{rng.randrange(10)}"
                domain = f"site{i}-{rng.choice(['shop', 'blog', 'news', 'tech'])}.cn"
                who = rng.choice(staff)
                cases.append({"id": cid, "number": number, "state": rng.choice(states), "subject_type": "enterprise",
                              "subject_name": name, "subject_cert_type": "credit_code", "subject_cert_number": cert,
                              "province": rng.choice(provinces), "kiosk_name": "k", "created_by_id": who,
                              "created_at": created, "updated_at": created, "legal_hold": False})
                sites.append({"case_id": cid, "domain": domain, "name": name[:6]})
                people.append({"case_id": cid, "role": "principal", "name": "张" + rng.choice(WORDS), "id_type": "resident_id",
                               "id_number": pid, "mobile": "13800138000"})
                people.append({"case_id": cid, "role": "website_leader", "name": "李" + rng.choice(WORDS),
                               "id_type": "resident_id", "id_number": pid[:-1] + "7", "mobile": "13900139000"})
                for move, frm, to in (("create", None, "draft"), ("start_verification", "draft", "onsite_verification"),
                                      ("finish_verification", "onsite_verification", "awaiting_internal_audit")):
                    events.append({"case_id": cid, "at": created, "actor_id": rng.choice(staff), "move": move,
                                   "from_state": frm, "to_state": to})
                if rng.random() < 0.002:
                    samples["number"].append(number)
                    samples["name"].append(name[2:4])
                    samples["cert"].append(cert)
                    samples["id"].append(pid)
                    samples["domain"].append(domain)
            conn.execute(insert(Case), cases)
            conn.execute(insert(Website), sites)
            conn.execute(insert(Person), people)
            conn.execute(insert(CaseEvent), events)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return samples


def random_filters(rng: random.Random, samples: dict[str, list]) -> SearchFilters:
    kind = rng.randrange(10)
    provinces = list(PROVINCES)
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(480))
    match kind:
        case 0:
            return SearchFilters(number=rng.choice(samples["number"]))
        case 1:
            return SearchFilters(number=rng.choice(samples["number"])[:11])  # prefix: one day's cases
        case 2:
            return SearchFilters(name=rng.choice(samples["name"]))
        case 3:
            return SearchFilters(cert=rng.choice(samples["cert"] + samples["id"]))
        case 4:
            return SearchFilters(domain=rng.choice(samples["domain"]))
        case 5:
            return SearchFilters(province=rng.choice(provinces), state=rng.choice([s.value for s in State]))
        case 6:
            return SearchFilters(staff=rng.choice(samples["staff"]))
        case 7:
            return SearchFilters(date_from=day, date_to=day + dt.timedelta(days=30))
        case 8:
            return SearchFilters(province=rng.choice(provinces), name=rng.choice(samples["name"]),
                                 date_from=day, date_to=day + dt.timedelta(days=90))
        case _:
            return SearchFilters()


def bench_search(tmp: Path, n: int) -> list[float]:
    db = init_db(f"sqlite:///{tmp / 'search.db'}")
    rng = random.Random(7)
    samples = generate_cases(db, n, rng)
    times = []
    queries = []
    with db.session() as s:
        assert s.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) == n
        for i in range(SEARCH_QUERIES + 20):
            f = random_filters(rng, samples)
            page = 1 if rng.random() < 0.8 else rng.randrange(2, 5)
            queries.append((f, page))
            t0 = time.perf_counter()
            search_cases(s, f, page)
            if i >= 20:
                times.append((time.perf_counter() - t0) * 1000)
    db.dispose()
    return times, queries


def bench_search_page(tmp: Path, queries: list[tuple[SearchFilters, int]]) -> list[float]:
    """The same searches through the portal: login session, access-log entry (committed), rendered page."""
    from kiosk import accounts
    from kiosk.settings import load_settings
    from web import create_app

    settings = load_settings({"KIOSK_VAR_DIR": str(tmp / "var"), "KIOSK_DATABASE_URL": f"sqlite:///{tmp / 'search.db'}",
                              "KIOSK_SECRET_KEY": "bench", "KIOSK_NAME": "bench", "KIOSK_CAMERA": "none"})
    app = create_app({"SETTINGS": settings, "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.extensions["kiosk.db"].session() as s:
        accounts.create_user(s, "bench-auditor", "auditor", "bench-auditor-password-1")
    client = app.test_client()
    assert client.post("/login", data={"username": "bench-auditor", "password": "bench-auditor-password-1"}).status_code == 302
    times = []
    for i, (f, page) in enumerate(queries):
        params = {k: str(v) for k, v in f.as_dict().items()} | {"page": str(page)}
        t0 = time.perf_counter()
        response = client.get("/audit/", query_string=params)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200
        if i >= 20:
            times.append(elapsed)
    app.extensions["kiosk.db"].dispose()
    return times


def main() -> None:
    n = int(os.environ.get("BENCH_ARCHIVE_CASES", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        seal = bench_seal(Path(tmp))
        print(f"seal_ms_median: {statistics.median(seal):.1f}")
        print(f"seal_ms_p95: {percentile(seal, 0.95):.1f}")
        search, queries = bench_search(Path(tmp), n)
        print(f"search_cases: {n}")
        print(f"search_ms_p50: {statistics.median(search):.2f}")
        print(f"search_ms_p95: {percentile(search, 0.95):.2f}")
        print(f"search_ms_max: {max(search):.2f}")
        pages = bench_search_page(Path(tmp), queries)
        print(f"search_page_ms_p50: {statistics.median(pages):.2f}")
        print(f"search_page_ms_p95: {percentile(pages, 0.95):.2f}")


if __name__ == "__main__":
    main()
