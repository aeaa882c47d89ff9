"""The counter says when photos wait in the outage spool, and the background drainer drains at start."""

from __future__ import annotations

import datetime as dt

from kiosk.spool import Spool, SpoolDrainer, SpoolJob
from tests.archive.factory import jpeg
from web.db import get_database
from web.services import get_archive, get_spool


def job(number: str = "BK-NONE") -> SpoolJob:
    return SpoolJob(case_number=number, actor_username="staff", kiosk_name="kiosk-1",
                    taken_at=dt.datetime.now(dt.UTC).isoformat(), width=800, height=600, stamp="kiosk-1", quality=92,
                    verdict={"passed": True, "results": []}, trigger="auto")


def test_counter_pages_say_a_photo_waits_for_the_database(app, staff_client):
    assert 'id="spooled"' not in staff_client.get("/cases").get_data(as_text=True)
    get_spool(app).put(job(), jpeg(1))
    html = staff_client.get("/cases").get_data(as_text=True)
    assert 'id="spooled"' in html and 'data-waiting="1"' in html
    assert "数据库暂时不可用，照片已保存在本机，恢复后自动封存" in html


def test_drainer_drains_at_start_and_keeps_a_refused_job(app, tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.put(job("BK-NO-SUCH-CASE"), jpeg(2))
    drainer = SpoolDrainer(get_database(app), get_archive(app), spool, interval=3600)
    drainer.start()
    drainer.stop()  # the first round runs before the thread waits
    assert [j.case_number for j in spool.jobs()] == ["BK-NO-SUCH-CASE"]  # refused (no such case): kept for staff


def test_an_unreachable_database_is_named_plainly_not_as_an_internal_error(app, client):
    from sqlalchemy.exc import OperationalError

    class ServerGone(Exception):
        pass

    def down():
        raise OperationalError("SELECT 1", {}, ServerGone("connection refused"), connection_invalidated=True)

    app.add_url_rule("/_test_database_down", "database_down", down)
    answer = client.get("/_test_database_down", headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.get_json()["error"] == "database_unavailable"
    assert "数据库暂时不可用" in answer.get_json()["message"]["zh"]
    get_spool(app).put(job(), jpeg(3))
    answer = client.get("/_test_database_down", headers={"Accept": "application/json"})
    assert "照片已保存在本机，恢复后自动封存" in answer.get_json()["message"]["zh"]
