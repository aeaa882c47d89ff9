"""`python -m kiosk create-user NAME --role ROLE`: asks for the password twice (or reads it from stdin)."""

import argparse
import getpass
import sys

from kiosk.accounts import create_user
from kiosk.db import init_db
from kiosk.roles import Role
from kiosk.settings import load_settings
from kiosk.text import KioskError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="user name (letters, digits, . _ -)")
    parser.add_argument("--role", required=True, choices=sorted(Role), help="staff, auditor or admin")
    parser.add_argument("--display-name", default="", help="name shown in pages and logs")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def run(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password / 密码: ")
        if getpass.getpass("Again / 再次输入: ") != password:
            print("The passwords differ / 两次输入的密码不一致", file=sys.stderr)
            return 1
    db = init_db(load_settings().database_url)
    try:
        with db.session() as session:
            user = create_user(session, args.name, args.role, password, args.display_name)
            print(f"created {user.role} {user.username!r}")
    except KioskError as err:
        print(err.text.both(), file=sys.stderr)
        return 1
    finally:
        db.dispose()
    return 0
