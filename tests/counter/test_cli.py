"""The counter commands end to end, as staff would run them: slots, arrivals, ics, sheet, sheet-match, notices,
deadlines, dashboard."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

from kiosk import filing
from kiosk.appointments import booking
from kiosk.db import Database
from kiosk.deadlines import BEIJING
from tests.core.test_cli_and_schema import run_kiosk

from .conftest import new_case, staff


def kiosk(tmp_path, *args):
    result = run_kiosk(tmp_path, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_counter_commands(tmp_path):
    assert run_kiosk(tmp_path, "create-user", "staff", "--role", "staff", "--password-stdin",
                     stdin="long-enough-pw\n").returncode == 0
    day = (dt.datetime.now(BEIJING) + dt.timedelta(days=10)).date()
    out = kiosk(tmp_path, "slots", "publish", "--kiosk", "kiosk-1", "--from", day.isoformat(), "--open", "09:00",
                "--close", "11:00", "--break", "10:00-10:30", "--minutes", "30", "--capacity", "2",
                "--include-closed-days", "--by", "staff")
    assert "published 3 slots" in out
    listing = kiosk(tmp_path, "slots", "list", "--kiosk", "kiosk-1", "--from", day.isoformat())
    assert listing.count("0/2") == 3 and f"{day} 09:00" in listing
    bad = run_kiosk(tmp_path, "slots", "publish", "--from", "2026-13-01", "--by", "staff")
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr

    db = Database(f"sqlite:///{tmp_path}/var/kiosk.db")
    with db.session() as s:
        case = new_case(s, province="beijing")
        case.person("website_leader").email = "leader@example.cn"
        filing.set_registrars(s, case, {"example.cn": "北京示例网络科技有限公司"}, staff(s))
        slot_id = int(listing.split()[0])
        booking.book(s, case, slot_id, staff(s), now=dt.datetime.now(dt.UTC))
        number = case.number
    db.dispose()

    arrivals = kiosk(tmp_path, "arrivals", "--kiosk", "kiosk-1", "--day", (day - dt.timedelta(days=1)).isoformat())
    assert number in arrivals and "营业执照原件" in arrivals and "单位公章" in arrivals
    kiosk(tmp_path, "ics", number, "--out", str(tmp_path / "visit.ics"))
    assert b"BEGIN:VEVENT" in (tmp_path / "visit.ics").read_bytes()

    out = kiosk(tmp_path, "sheet", number, "--out", str(tmp_path / "sheet.pdf"), "--by", "staff")
    assert "1 page(s)" in out
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "sheet.pdf"), str(tmp_path / "scan")],
                   check=True)
    matched = kiosk(tmp_path, "sheet-match", str(tmp_path / "scan.png"), "--case", number)
    assert f"case {number}" in matched and "current" in matched
    wrong = run_kiosk(tmp_path, "sheet", "BK-20990101-0001", "--out", str(tmp_path / "x.pdf"), "--by", "staff")
    assert wrong.returncode == 1 and "没有案件" in wrong.stderr

    assert "sent 3" in kiosk(tmp_path, "notices", "send")  # the booking: SMS to both people, e-mail to the leader
    listing = kiosk(tmp_path, "notices", "list")
    assert listing.count(" sent ") == 3 and "l***@example.cn" in listing and "13900139000" not in listing
    deadlines = kiosk(tmp_path, "deadlines")
    assert "known until 2026-12-31" in deadlines
    figures = json.loads(kiosk(tmp_path, "dashboard", "--json"))
    assert figures["cases_by_state"]["draft"] == 1 and figures["calendar_known_until"] == "2026-12-31"
