"""`python -m kiosk slots publish|list|close`: a kiosk's appointment slots.

    python -m kiosk slots publish --from 2026-12-07 --to 2026-12-11 --open 09:00 --close 17:00 \\
        --break 12:00-13:30 --minutes 30 --capacity 2 --location "2层柜台" --by admin
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    pub = sub.add_parser("publish", help="publish slots for a range of days (non-working days skipped)")
    pub.add_argument("--kiosk", help="kiosk name (default: KIOSK_NAME)")
    pub.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD, today or tomorrow")
    pub.add_argument("--to", dest="last", help="last day (default: the first day)")
    pub.add_argument("--open", dest="opens", default="09:00", help="opening time (default 09:00)")
    pub.add_argument("--close", dest="closes", default="17:00", help="closing time (default 17:00)")
    pub.add_argument("--break", dest="breaks", action="append", default=[], help="a break, e.g. 12:00-13:30 (repeatable)")
    pub.add_argument("--minutes", type=int, default=30, help="slot length in minutes (default 30)")
    pub.add_argument("--capacity", type=int, default=1, help="applicants per slot (default 1)")
    pub.add_argument("--location", default="", help="where the applicant goes (printed in the calendar file)")
    pub.add_argument("--include-closed-days", action="store_true", help="also publish on holidays and weekends")
    pub.add_argument("--by", required=True, help="user name of the staff member publishing")
    lst = sub.add_parser("list", help="list the open slots of a kiosk")
    lst.add_argument("--kiosk", help="kiosk name (default: KIOSK_NAME)")
    lst.add_argument("--from", dest="first", default="today")
    lst.add_argument("--to", dest="last")
    close = sub.add_parser("close", help="withdraw a slot nobody is booked into")
    close.add_argument("slot_id", type=int)
    close.add_argument("--by", required=True)


def run(args: argparse.Namespace) -> int:
    from kiosk.appointments.slots import OpeningHours, close_slot, list_slots, parse_time_range, publish_slots
    from kiosk.commands.counter_common import counter_context, fail, find_user, local, now, parse_day
    from kiosk.text import KioskError, Text

    try:
        with counter_context() as ctx, ctx.db.session() as s:
            kiosk = getattr(args, "kiosk", None) or ctx.settings.kiosk_name
            if args.action == "publish":
                first = parse_day(args.first)
                last = parse_day(args.last) if args.last else first
                if last < first:
                    raise KioskError("bad_date", Text("结束日期早于开始日期", "The last day is before the first"))
                hours = OpeningHours(dt.time.fromisoformat(args.opens), dt.time.fromisoformat(args.closes), args.minutes,
                                     args.capacity, tuple(parse_time_range(b) for b in args.breaks))
                days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
                result = publish_slots(s, kiosk_name=kiosk, days=days, hours=hours, actor=find_user(s, args.by),
                                       calendar=ctx.calendar, location=args.location,
                                       include_closed_days=args.include_closed_days)
                print(f"{kiosk}: published {len(result.created)} slots, {result.existing} existed already")
                if result.closed_days:
                    print("skipped non-working days / 跳过非工作日: " + ", ".join(d.isoformat() for d in result.closed_days))
            elif args.action == "list":
                first = parse_day(args.first)
                last = parse_day(args.last) if args.last else first + dt.timedelta(days=13)
                for slot in list_slots(s, kiosk, first, last, now=now()):
                    print(f"{slot.slot_id:>6}  {local(slot.starts_at)}–{local(slot.ends_at)[-5:]}  {slot.booked}/{slot.capacity}"
                          f"  {slot.location}")
            else:
                close_slot(s, args.slot_id, find_user(s, args.by), now())
                print(f"slot {args.slot_id} closed")
    except KioskError as err:
        return fail(err)
    except ValueError as err:  # a malformed --open or --close time
        print(f"{err} / 时间格式应如 09:00", file=sys.stderr)
        return 2
    return 0
