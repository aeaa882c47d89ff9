"""`python -m kiosk notices send [--loop]` delivers the applicant notices waiting in the outbox (e-mail over
KIOSK_SMTP_*, SMS through KIOSK_SMS_GATEWAY); `notices list` shows the outbox."""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    send = sub.add_parser("send", help="deliver what is due (once, or --loop)")
    send.add_argument("--loop", action="store_true", help="keep delivering until interrupted")
    send.add_argument("--interval", type=float, default=30.0, help="seconds between passes with --loop")
    lst = sub.add_parser("list", help="the newest notices and their delivery state")
    lst.add_argument("--status", choices=["pending", "sent", "failed"])
    lst.add_argument("--limit", type=int, default=30)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from kiosk.commands.counter_common import counter_context, local
    from kiosk.models import Case, Notice
    from kiosk.notices.delivery import deliver_due
    from kiosk.notices.gateways import build_gateways, mask

    with counter_context() as ctx:
        if args.action == "list":
            with ctx.db.session() as s:
                stmt = select(Notice, Case.number).join(Case).order_by(Notice.id.desc()).limit(args.limit)
                if args.status:
                    stmt = stmt.where(Notice.status == args.status)
                for n, number in s.execute(stmt):
                    print(f"{n.id:>6} {local(n.created_at)} {number} {n.channel:<5} {mask(n.recipient):<22} {n.status:<7}"
                          f" attempts {n.attempts} {n.last_error or ''}")
            return 0
        gateways = build_gateways(ctx.config)
        while True:
            report = deliver_due(ctx.db.session, gateways)
            if report.sent or report.retrying or report.failed or not args.loop:
                print(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}", flush=True)
            if not args.loop:
                return 0
            time.sleep(args.interval)
