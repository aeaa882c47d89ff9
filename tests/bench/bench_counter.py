"""Benchmark: the counter's day on SQLite: booking a slot, printing a verification sheet, reading its QR code back
from a 150 dpi scan, the public progress lookup (right digits, wrong digits, unknown case: the three should be
alike), the dashboard over 300 cases. Prints `name: value` lines (medians in ms)."""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import cv2

from kiosk.appointments import booking
from kiosk.appointments.slots import OpeningHours, publish_slots
from kiosk.dashboard import dashboard
from kiosk.db import Database
from kiosk.deadlines import WorkCalendar
from kiosk.models import User
from kiosk.notices.progress import progress_lookup
from kiosk.sheet.qr import read_page_code
from kiosk.sheet.service import print_sheet
from tests.counter.conftest import new_case, put_in_state, staff


def _ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    cal = WorkCalendar()
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        db.migrate()
        with db.session() as s:
            s.add(User(username="staff", display_name="Bench", role="staff", password_hash="x"))
        with db.session() as s:
            cases = [new_case(s, domain=f"b{i}.example.cn") for i in range(300)]
            for i, case in enumerate(cases[:200]):
                put_in_state(s, case, ["awaiting_internal_audit", "at_administration", "approved"][i % 3],
                             now - dt.timedelta(days=i % 40))
            hours = OpeningHours(dt.time(9), dt.time(17), slot_minutes=30, capacity=50)
            slot = publish_slots(s, kiosk_name="bench", days=[(now + dt.timedelta(days=7)).date()], hours=hours,
                                 actor=staff(s), calendar=cal, include_closed_days=True).created[0]
            slot_id, ids = slot.id, [c.id for c in cases]
            number, last4 = cases[0].number, cases[0].person("website_leader").id_number[-4:]
        pending = iter(ids[200:])

        def book_one() -> None:
            from kiosk.models import Case

            with db.session() as s:
                booking.book(s, s.get(Case, next(pending)), slot_id, staff(s), now=now)

        print(f"book_slot_ms_median: {_ms(book_one, 50):.1f}")  # 50 seats, 50 bookings
        with db.session() as s:
            from kiosk.models import Case

            case = s.get(Case, ids[0])
            print(f"print_sheet_ms_median: {_ms(lambda: print_sheet(s, case, staff(s), provider_name='x', now=now), 10):.1f}")
            pdf = print_sheet(s, case, staff(s), provider_name="x", now=now).pdf
        path = Path(tmp) / "s.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(Path(tmp) / "scan")], check=True)
        page = cv2.imread(str(Path(tmp) / "scan.png"))
        print(f"read_sheet_qr_ms_median: {_ms(lambda: read_page_code(page), 10):.1f}")
        lookups = {"right": (number, last4), "wrong_digits": (number, "0000"), "unknown_case": ("BK-20990101-9999", last4)}
        times: dict[str, list[float]] = {k: [] for k in lookups}
        with db.session() as s:
            for _ in range(1000):  # interleaved, so load changes hit the three alike
                for label, args in lookups.items():
                    t0 = time.perf_counter()
                    progress_lookup(s, *args)
                    times[label].append((time.perf_counter() - t0) * 1000)
        for label, values in times.items():
            print(f"progress_lookup_{label}_ms_median: {statistics.median(values[50:]):.3f}")
        with db.session() as s:
            print(f"dashboard_300_cases_ms_median: {_ms(lambda: dashboard(s, now=now, calendar=cal), 10):.1f}")
        db.dispose()


if __name__ == "__main__":
    main()
