"""The command line (create-user, init-db) and that the migrations match the models."""

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from kiosk.db import Database
from kiosk.models import Base, User


def run_kiosk(tmp_path, *args, stdin=""):
    env = dict(os.environ, KIOSK_VAR_DIR=str(tmp_path / "var"))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_create_user_from_cli(tmp_path):
    result = run_kiosk(tmp_path, "create-user", "alice", "--role", "auditor", "--password-stdin", stdin="long-enough-pw\n")
    assert result.returncode == 0, result.stderr
    db = Database(f"sqlite:///{tmp_path}/var/kiosk.db")
    with db.session() as s:
        user = s.scalars(select(User)).one()
        assert user.role == "auditor" and user.password_hash.startswith("$argon2id$")
    db.dispose()
    again = run_kiosk(tmp_path, "create-user", "alice", "--role", "staff", "--password-stdin", stdin="long-enough-pw\n")
    assert again.returncode == 1 and "already taken" in again.stderr


def test_create_user_refuses_weak_password_and_bad_role(tmp_path):
    weak = run_kiosk(tmp_path, "create-user", "bob", "--role", "staff", "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and "至少" in weak.stderr
    bad_role = run_kiosk(tmp_path, "create-user", "bob", "--role", "root", "--password-stdin", stdin="x" * 12)
    assert bad_role.returncode != 0


def test_unknown_command_prints_help(tmp_path):
    result = run_kiosk(tmp_path, "frobnicate")
    assert result.returncode != 0


def test_migrations_match_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/schema.db")
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.dispose()
    assert diff == [], "kiosk/models.py changed without a migration: run python -m kiosk.migrations.make"
