"""Command line: `python -m kiosk COMMAND ...`.

Each command lives in the module that owns the feature; this file is the explicit registry. A command
module exposes `add_arguments(parser)` and `run(args) -> int`; it is imported only when its command runs,
so `python -m kiosk create-user` does not load the vision models.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("web.serve", "start the kiosk web server"),
    "init-db": ("kiosk.commands.init_db", "create or upgrade the database schema"),
    "create-user": ("kiosk.commands.create_user", "create a staff, auditor or admin account"),
    "check": ("kiosk.photo.cli_check", "judge photos: verdict and every check"),
    "evaluate": ("calibration.cli_evaluate", "measure the photo judge against a labelled set"),
    "check-document": ("kiosk.documents.cli", "check a document scan and read its numbers"),
    "match-face": ("kiosk.identity.cli", "compare a photo's face with the portrait on an ID card front"),
    "verify-archive": ("kiosk.archive.cli_verify", "re-hash every blob and check signatures and the chain"),
    "checkpoint": ("kiosk.archive.cli_checkpoint", "sign the access log's head into the archive checkpoint now"),
    "verify-pack": ("kiosk.archive.cli_verify_pack", "verify an exported evidence pack offline"),
    "expire": ("kiosk.archive.cli_expire", "delete evidence past retention (legal holds kept)"),
    "calibrate": ("calibration.cli", "calibrate the backdrop and camera; write a kiosk threshold profile"),
    "slots": ("kiosk.commands.slots", "publish, list or close a kiosk's appointment slots"),
    "arrivals": ("kiosk.commands.arrivals", "today's and the next opening day's arrivals with what to bring"),
    "ics": ("kiosk.commands.ics", "write the calendar file of a case's appointment"),
    "sheet": ("kiosk.commands.sheet", "print a case's verification sheet (PDF with QR codes)"),
    "sheet-match": ("kiosk.commands.sheet_match", "match scanned signed sheet pages back to their case"),
    "notices": ("kiosk.commands.notices", "deliver (send) or list the applicant notices in the outbox"),
    "deadlines": ("kiosk.commands.deadlines", "open cases with their working-day due dates, overdue first"),
    "backup": ("kiosk.commands.backup", "write one backup file: database, evidence archive, keys"),
    "restore": ("kiosk.commands.restore", "check a backup file's hashes and restore it into a folder"),
    "dashboard": ("kiosk.commands.dashboard", "the counter's figures: states, overdue, appointments, photos, time"),
    "demo": ("kiosk.commands.demo", "seed demo cases (specimen documents, a demo-video photo, every state) for a tour"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kiosk", description="Beian Kiosk / 备案核验终端")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # Parse only up to the command name; the command's own module parses the rest.
    head = []
    while argv and argv[0].startswith("-"):
        head.append(argv.pop(0))
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(head + argv[:1])
        parser.print_help()
        return 2
    name = argv.pop(0)
    top = parser.parse_args(head)
    logging.basicConfig(
        level=logging.DEBUG if top.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not top.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise
    module = importlib.import_module(COMMANDS[name][0])
    sub = argparse.ArgumentParser(prog=f"python -m kiosk {name}", description=COMMANDS[name][1])
    module.add_arguments(sub)
    args = sub.parse_args(argv)
    return int(module.run(args) or 0)
