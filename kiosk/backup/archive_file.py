"""Write a backup tar (atomically) and restore one into a folder laid out as a kiosk var folder.

Layout inside the tar: `manifest.json` ({"format": 1, "database": "sqlite"|"postgresql", "files": {name: sha256}}),
`database/kiosk.db` or `database/dump.sql`, `archive/...`, `keys/archive.key`, `keys/signing_key.pem`.
A restore writes `<dir>/kiosk.db` (or `<dir>/dump.sql`), `<dir>/archive/`, `<dir>/archive.key` and
`<dir>/signing_key.pem`, so `KIOSK_VAR_DIR=<dir> python -m kiosk verify-archive` checks the restored copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from kiosk.files import fsync_dir
from kiosk.settings import Settings

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in plain words."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _database_member(settings: Settings, work: Path) -> tuple[str, str, Path]:
    """(kind, member name, local file) of a consistent copy of the database."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        copy = work / "kiosk.db"
        source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)  # the sqlite3 backup API: a consistent copy while the kiosk runs
        finally:
            target.close()
            source.close()
        return "sqlite", "database/kiosk.db", copy
    if url.get_backend_name() == "postgresql":
        dump = work / "dump.sql"
        command = [_pg_tool("pg_dump"), "--no-owner", "--no-privileges", "-f", str(dump), _libpq_url(url)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return "postgresql", "database/dump.sql", dump
    raise BackupError(f"cannot back up a {url.get_backend_name()} database (SQLite and PostgreSQL only)")


def _libpq_url(url) -> str:  # type: ignore[no-untyped-def]
    """The SQLAlchemy URL as a libpq connection URL (no +psycopg driver part)."""
    return str(url.set(drivername="postgresql").render_as_string(hide_password=False))


def _pg_tool(name: str) -> str:
    """A PostgreSQL client program from PATH, else Debian's newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[4]))
    if not candidates:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client); cannot back up PostgreSQL")
    return str(candidates[-1])


# Folders of the archive that describe running processes rather than evidence (kiosk.archive.writers, store tmp).
PROCESS_STATE_DIRS = ("writers", "tmp")


def _members(settings: Settings, work: Path) -> tuple[str, list[tuple[str, Path]]]:
    kind, db_name, db_file = _database_member(settings, work)
    members = [(db_name, db_file)]
    root = settings.archive_dir
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.relative_to(root).parts[0] in PROCESS_STATE_DIRS:
                continue  # who is writing now, and their temporary files: not evidence, wrong after a restore
            members.append(("archive/" + path.relative_to(root).as_posix(), path))
    if settings.archive_key:
        key_file = work / "archive.key"
        key_file.write_text(settings.archive_key.strip() + "\n")
        members.append(("keys/archive.key", key_file))
    elif settings.archive_key_file.is_file():
        members.append(("keys/archive.key", settings.archive_key_file))
    if settings.signing_key_file.is_file():
        members.append(("keys/signing_key.pem", settings.signing_key_file))
    return kind, members


def write_backup(settings: Settings, dest: Path) -> dict:
    """Write the backup tar to `dest` atomically (temporary file, fsync, rename); returns its manifest."""
    dest = Path(dest).resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-backup-") as tmp:
        kind, members = _members(settings, Path(tmp))
        manifest: dict = {"format": FORMAT, "database": kind, "files": {}}
        fd, partial = tempfile.mkstemp(prefix=".backup-", suffix=".part", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w") as tar:
                    for name, path in members:
                        data = path.read_bytes()
                        manifest["files"][name] = _sha256(data)
                        _add(tar, name, data)
                    _add(tar, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(partial, 0o600)  # it holds the keys
            os.replace(partial, dest)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    fsync_dir(dest.parent)
    return manifest


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def read_backup(src: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and every file of a backup, after checking every hash; BackupError names what is wrong."""
    try:
        with tarfile.open(src, mode="r") as tar:
            files: dict[str, bytes] = {}
            for info in tar.getmembers():
                if not info.isfile():
                    raise BackupError(f"{src}: unexpected entry {info.name!r} (not a file)")
                handle = tar.extractfile(info)
                assert handle is not None
                files[info.name] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{src} is not a readable backup file: {exc}") from None
    if MANIFEST not in files:
        raise BackupError(f"{src} has no {MANIFEST}: not a kiosk backup")
    try:
        manifest = json.loads(files.pop(MANIFEST))
        expected: dict[str, str] = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{src}: {MANIFEST} is damaged") from None
    missing = sorted(set(expected) - set(files))
    extra = sorted(set(files) - set(expected))
    wrong = sorted(n for n in expected if n in files and _sha256(files[n]) != expected[n])
    if missing or extra or wrong:
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("hash mismatch", wrong), ("missing", missing), ("not in manifest", extra)) if names]
        raise BackupError(f"{src} is corrupted, nothing restored ({'; '.join(parts)})")
    for name in files:
        if name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"{src}: unsafe path {name!r}")
    return manifest, files


TARGETS = {"database/kiosk.db": "kiosk.db", "database/dump.sql": "dump.sql",
           "keys/archive.key": "archive.key", "keys/signing_key.pem": "signing_key.pem"}


def restore_backup(src: Path, target: Path, *, force: bool = False) -> dict:
    """Check `src` and write it into `target` (refused when non-empty unless `force`); returns the manifest."""
    manifest, files = read_backup(src)
    target = Path(target).resolve()
    if target.exists() and any(target.iterdir()) and not force:
        raise BackupError(f"{target} is not empty; use --force to restore over it")
    for name, data in files.items():
        relative = name if name.startswith("archive/") else TARGETS.get(name)
        if relative is None:
            raise BackupError(f"{src}: unknown entry {name!r}")
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if name.startswith("keys/"):
            os.chmod(path, 0o600)
    return manifest


def load_dump(dump: Path, database_url: str) -> None:
    """Load a restored PostgreSQL dump (plain SQL) into an empty database with psql."""
    url = make_url(database_url)
    command = [_pg_tool("psql"), "-v", "ON_ERROR_STOP=1", "-q", "-f", str(dump), _libpq_url(url)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise BackupError(f"psql could not load {dump}: {result.stderr.strip()}")
