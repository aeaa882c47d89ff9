"""`python -m kiosk dashboard [--kiosk K] [--json]`: the counter's figures."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kiosk", help="one kiosk only (default: all)")
    parser.add_argument("--days", type=int, default=30, help="period of the time-based figures (default 30)")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from kiosk.commands.counter_common import counter_context, now
    from kiosk.dashboard import dashboard
    from kiosk.workflow import STATE_NAMES

    with counter_context() as ctx, ctx.db.session() as s:
        f = dashboard(s, now=now(), calendar=ctx.calendar, kiosk_name=args.kiosk, period_days=args.days)
    data = {
        "cases_by_state": {st.value: n for st, n in f.by_state.items()},
        "overdue": f.overdue, "overdue_by_kind": {k.value: n for k, n in f.overdue_by_kind.items()},
        "provisional_deadlines": f.provisional,
        "appointments_today": {k.value: n for k, n in f.appointments_today.items()},
        "photos_taken": f.photos_taken, "photos_retaken": f.photos_retaken,
        "average_counter_minutes": f.average_counter_minutes, "counter_visits": f.counter_visits,
        "period_days": f.period_days, "calendar_known_until": f.calendar_known_until.isoformat(),
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for st, n in f.by_state.items():
        print(f"{STATE_NAMES[st].zh:<10} {n}")
    avg = f"{f.average_counter_minutes:.1f} min" if f.average_counter_minutes is not None else "—"
    print(f"overdue 超期 {f.overdue} · appointments today 今日预约 {f.appointments_total} · photos retaken 重拍 "
          f"{f.photos_retaken}/{f.photos_taken} · average at the counter 平均柜台时间 {avg} ({f.counter_visits} visits, {f.period_days} days)")
    return 0
