"""Backup and restore: a kiosk with a sealed case on SQLite round-trips and verify-archive passes on the copy;
a corrupted backup is refused with a clear message; a target that is not empty needs --force; one PostgreSQL
round trip."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from kiosk.archive import sealing
from kiosk.archive.signing import load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.db import init_db
from kiosk.models import Case, User
from tests.archive.conftest import NUMBER, sealed  # noqa: F401  (fixture)
from tests.archive.factory import finish, make_case, make_user

PROJECT = Path(__file__).resolve().parents[2]


def kiosk_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=PROJECT, env=full, capture_output=True,
                          text=True, timeout=300)


def var_env(var: Path, **extra: str) -> dict[str, str]:
    return {"KIOSK_VAR_DIR": str(var), "KIOSK_SECRET_KEY": "x", **extra}


def test_sqlite_round_trip_then_verify_archive(sealed, app, tmp_path):  # noqa: F811
    source = var_env(tmp_path / "var")
    backup = tmp_path / "out" / "kiosk.tar"
    made = kiosk_cli(source, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    restored = tmp_path / "restored"
    done = kiosk_cli({}, "restore", str(backup), "--to", str(restored))
    assert done.returncode == 0, done.stderr
    check = kiosk_cli(var_env(restored), "verify-archive")
    assert check.returncode == 0, check.stdout + check.stderr
    with sqlite3.connect(restored / "kiosk.db") as conn:
        assert conn.execute("SELECT count(*) FROM cases WHERE number = ?", (NUMBER,)).fetchone() == (1,)
    again = kiosk_cli({}, "restore", str(backup), "--to", str(restored))
    assert again.returncode == 1 and "--force" in again.stderr


def test_corrupted_backup_is_refused(sealed, app, tmp_path):  # noqa: F811
    backup = tmp_path / "kiosk.tar"
    assert kiosk_cli(var_env(tmp_path / "var"), "backup", str(backup)).returncode == 0
    with tarfile.open(backup) as tar:
        blob = next(m for m in tar.getmembers() if m.name.startswith("archive/") and m.size > 100)
        offset = blob.offset_data
    data = bytearray(backup.read_bytes())
    data[offset + 10] ^= 0xFF
    backup.write_bytes(bytes(data))
    target = tmp_path / "restored"
    done = kiosk_cli({}, "restore", str(backup), "--to", str(target))
    assert done.returncode == 1
    assert "corrupted" in done.stderr and blob.name in done.stderr
    assert not target.exists() or not any(target.iterdir())


@pytest.mark.postgres
def test_postgres_round_trip(postgres_url, tmp_path):
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    names = ["backup_" + secrets.token_hex(4), "restore_" + secrets.token_hex(4)]
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    urls = [make_url(postgres_url).set(database=n).render_as_string(hide_password=False) for n in names]
    var = tmp_path / "var"
    var.mkdir()
    db = init_db(urls[0])
    store = BlobStore(var / "archive", key=bytes(range(32)))
    (var / "archive.key").write_text(bytes(range(32)).hex() + "\n")
    signer = load_or_create_signer(var / "signing_key.pem", var / "archive")
    with db.session() as s:
        staff = make_user(s, "wang", "staff")
        case = make_case(s, store, staff, number=NUMBER, seed=1)
        finish(s, case, staff)
        sealing.seal_case(s, store, signer, case, staff, "pg-kiosk")
    db.dispose()
    try:
        backup = tmp_path / "pg.tar"
        made = kiosk_cli(var_env(var, KIOSK_DATABASE_URL=urls[0]), "backup", str(backup))
        assert made.returncode == 0, made.stderr
        restored = tmp_path / "restored"
        done = kiosk_cli({}, "restore", str(backup), "--to", str(restored), "--database", urls[1])
        assert done.returncode == 0, done.stderr
        check = kiosk_cli(var_env(restored, KIOSK_DATABASE_URL=urls[1]), "verify-archive")
        assert check.returncode == 0, check.stdout + check.stderr
        copy = init_db(urls[1])
        with copy.session() as s:
            assert s.scalars(select(Case.number)).all() == [NUMBER]
            assert s.scalars(select(User.username)).all() == ["wang"]
        copy.dispose()
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()
