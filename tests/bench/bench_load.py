"""Load benchmark (loopback only, bounded, seeds its own demo data): the staff case list on the portal role
(waitress, forked workers) against Werkzeug's development server, and its p95 latency at an open-loop offered load.

`python -m tests.bench.bench_load [--seconds S] [--clients N] [--rate R] [--open-seconds S] [--cases N]`
prints `name: value` lines. Sealing throughput is tests/bench/bench_sealing_load.py.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password-1"
DEVSERVER = (
    "import sys; from kiosk.settings import load_settings; from web import create_app; "
    "from werkzeug.serving import run_simple; "
    "run_simple('127.0.0.1', int(sys.argv[1]), create_app({'SETTINGS': load_settings()}), threaded=True)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(var: Path, cases: int) -> dict[str, str]:
    """A var folder with a staff account and `cases` demo cases; returns the environment that points at it."""
    env = {**os.environ, "KIOSK_VAR_DIR": str(var), "KIOSK_SECRET_KEY": "bench-secret", "KIOSK_CAMERA": "none",
           "KIOSK_NAME": "bench"}
    code = (
        "import sys; from kiosk import accounts; from kiosk.archive import open_archive; from kiosk.db import init_db; "
        "from kiosk.settings import load_settings; from tests.archive.factory import make_case; "
        "s = load_settings(); db = init_db(s.database_url); store = open_archive(s).store\n"
        "with db.session() as session:\n"
        f"    staff = accounts.create_user(session, 'staff', 'staff', {PASSWORD!r})\n"
        f"    for i in range({cases}): make_case(session, store, staff, number=f'BK-20261203-{{i:04d}}', seed=i + 1,"
        " scans=1)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=env, check=True, timeout=600)
    return env


def wait_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


class Session:
    """One logged-in session (staff unless told) over a keep-alive connection."""

    def __init__(self, port: int, username: str = "staff", password: str = PASSWORD) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        token = json.loads(self.get("/api/csrf")[1])["csrf_token"]
        body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token})
        status, _ = self.send("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login failed: {status}")

    def send(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        found = re.match(r"([^;]+)", response.getheader("Set-Cookie") or "")
        if found:
            self.cookie = found.group(1)
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.send("GET", path)


def saturate(sessions: list[Session], seconds: float) -> float:
    """Requests per second of /cases with the given closed-loop logged-in `sessions` for `seconds`."""
    clients = len(sessions)
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def loop(i: int) -> None:
        while time.monotonic() < stop:
            status, _ = sessions[i].get("/cases")
            if status != 200:
                raise RuntimeError(f"/cases answered {status}")
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)


def open_loop(sessions: list[Session], rate: float, seconds: float) -> tuple[list[float], list[float]]:
    """Latencies (ms, from each request's planned send time) and send lags (ms, actual minus planned send) of
    /cases at `rate` requests per second sent on schedule by the given already logged-in `sessions`.

    The schedule starts only after every session exists: logging in (argon2) takes about 0.3 s a session, and a
    schedule started before the logins counted that set-up as latency of the first few hundred requests (the
    p95 of 1.1-2 s measured before). A large send lag means the generator, not the server, fell behind."""
    total = max(1, int(rate * seconds))
    start = time.monotonic() + 0.2
    latencies: list[float] = []
    lags: list[float] = []
    lock = threading.Lock()
    next_index = [0]

    def loop(session: Session) -> None:
        while True:
            with lock:
                n = next_index[0]
                next_index[0] += 1
            if n >= total:
                return
            planned = start + n / rate
            time.sleep(max(0.0, planned - time.monotonic()))
            sent = time.monotonic()
            status, _ = session.get("/cases")
            done = time.monotonic()
            if status != 200:
                raise RuntimeError(f"/cases answered {status}")
            with lock:
                latencies.append((done - planned) * 1000)
                lags.append((sent - planned) * 1000)

    threads = [threading.Thread(target=loop, args=(session,)) for session in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, lags


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank below) of `values`."""
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def serve(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_load")
    parser.add_argument("--seconds", type=float, default=15.0, help="saturation run per server")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop sessions")
    parser.add_argument("--rate", type=float, default=50.0, help="open-loop offered load, requests per second")
    parser.add_argument("--open-seconds", type=float, default=30.0, help="open-loop run")
    parser.add_argument("--cases", type=int, default=40, help="demo cases to seed")
    parser.add_argument("--workers", type=int, default=2, help="portal worker processes")
    args = parser.parse_args([] if argv is None else argv)  # from tests.bench: the defaults
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-load-") as tmp:
        env = seed(Path(tmp) / "var", args.cases)
        port = free_port()
        portal = serve([sys.executable, "-m", "kiosk", "serve", "--role", "portal", "--port", str(port),
                        "--workers", str(args.workers)], env)
        try:
            wait_up(port)
            sessions = [Session(port) for _ in range(args.clients)]  # logins (argon2, rate-limited) once, up front
            portal_rps = saturate(sessions, args.seconds)
            latencies, lags = open_loop(sessions, args.rate, args.open_seconds)
        finally:
            stop(portal)
        port = free_port()
        dev = serve([sys.executable, "-c", DEVSERVER, str(port)], env)
        try:
            wait_up(port)
            dev_rps = saturate([Session(port) for _ in range(args.clients)], args.seconds)
        finally:
            stop(dev)
    print(f"portal_case_list_rps_max: {portal_rps:.1f}")
    print(f"devserver_case_list_rps_max: {dev_rps:.1f}")
    print(f"portal_vs_devserver_ratio: {portal_rps / dev_rps:.2f}  (goal >= 3)")
    print(f"portal_case_list_p95_ms: {p95(latencies):.1f}  (at {args.rate:g} req/s for {args.open_seconds:g} s; "
          "goal <= 100)")
    print(f"portal_open_loop_send_lag_p95_ms: {p95(lags):.1f}  (generator lateness; large means the generator "
          "fell behind)")


if __name__ == "__main__":
    main(sys.argv[1:])
