"""A throwaway PostgreSQL server for tests: initdb into a temporary folder, start on a free loopback port.

Uses Debian's postgresql binaries (/usr/lib/postgresql/<version>/bin). initdb refuses to run as root, so as root
the server runs as the `postgres` system user that the Debian package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def find_pg_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if not candidates:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryPostgres:
    def __init__(self, base: Path) -> None:
        self.bin = find_pg_bin()
        self.base = Path(base)
        self.data = self.base / "data"
        self.sockets = self.base / "sock"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            for path in (self.base, self.sockets):
                path.mkdir(parents=True, exist_ok=True)
                os.chown(path, pw.pw_uid, pw.pw_gid)
            # the postgres user must be able to reach the folder
            parent = self.base
            while parent != parent.parent:
                parent = parent.parent
                mode = os.stat(parent).st_mode
                if not mode & 0o001:
                    raise RuntimeError(f"{parent} is not searchable by the postgres user; use a folder under /tmp")
        else:
            self.sockets.mkdir(parents=True, exist_ok=True)

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True, timeout=120)

    def __enter__(self) -> TemporaryPostgres:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8" if shutil.which("locale") else "--no-locale")
        for attempt in range(3):  # another test process (pytest-xdist worker) may take the port first
            try:
                self.start()
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise
                self.port = free_port()
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "kiosk_test")
        return self

    def start(self) -> None:
        """Start the server (again) on its port."""
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"), "-w",
            "-t", "60", "-o", f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`mode` immediate: like a crash or a pulled cable, no clean shutdown)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def __exit__(self, *exc: object) -> None:
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=60)


@contextlib.contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database of its own on the server at `server_url` (its URL), dropped afterwards."""
    import secrets

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()
