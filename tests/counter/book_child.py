"""Book slots from a separate process, all children starting at the same moment (for the no-double-booking tests).

python -m tests.counter.book_child DB_URL START_EPOCH CASE_ID:SLOT_ID ...   prints one JSON line per booking
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from kiosk.appointments import booking
from kiosk.db import Database
from kiosk.models import Case, User
from kiosk.text import KioskError


def main() -> None:
    url, start = sys.argv[1], float(sys.argv[2])
    jobs = [tuple(int(x) for x in job.split(":")) for job in sys.argv[3:]]
    db = Database(url)
    with db.session() as s:  # connect before the start
        s.get(User, 1)
    time.sleep(max(0.0, start - time.time()))
    for case_id, slot_id in jobs:
        try:
            with db.session() as s:
                staff = s.query(User).filter_by(username="staff").one()
                booking.book(s, s.get(Case, case_id), slot_id, staff, now=dt.datetime.now(dt.UTC))
            print(json.dumps({"case": case_id, "slot": slot_id, "result": "booked"}), flush=True)
        except KioskError as err:
            print(json.dumps({"case": case_id, "slot": slot_id, "result": err.code}), flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
