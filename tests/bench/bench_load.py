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
    """One logged-in staff session over a keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        token = json.loads(self.get("/api/csrf")[1])["csrf_token"]
        body = urllib.parse.urlencode({"username": "staff", "password": PASSWORD, "csrf_token": token})
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


def saturate(port: int, clients: int, seconds: float) -> float:
    """Requests per second of /cases with `clients` closed-loop sessions for `seconds`."""
    sessions = [Session(port) for _ in range(clients)]
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


def open_loop_p95(port: int, rate: float, seconds: float, clients: int) -> float:
    """p95 latency (ms) of /cases at `rate` requests per second sent on schedule (latency from the planned send)."""
    total = max(1, int(rate * seconds))
    start = time.monotonic() + 0.2
    latencies: list[float] = []
    lock = threading.Lock()
    next_index = [0]
    sessions = [Session(port) for _ in range(clients)]

    def loop(i: int) -> None:
        while True:
            with lock:
                n = next_index[0]
                next_index[0] += 1
            if n >= total:
                return
            planned = start + n / rate
            time.sleep(max(0.0, planned - time.monotonic()))
            sessions[i].get("/cases")
            with lock:
                latencies.append((time.monotonic() - planned) * 1000)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return latencies[int(0.95 * (len(latencies) - 1))]


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
            portal_rps = saturate(port, args.clients, args.seconds)
            p95 = open_loop_p95(port, args.rate, args.open_seconds, args.clients)
        finally:
            stop(portal)
        port = free_port()
        dev = serve([sys.executable, "-c", DEVSERVER, str(port)], env)
        try:
            wait_up(port)
            dev_rps = saturate(port, args.clients, args.seconds)
        finally:
            stop(dev)
    print(f"portal_case_list_rps_max: {portal_rps:.1f}")
    print(f"devserver_case_list_rps_max: {dev_rps:.1f}")
    print(f"portal_vs_devserver_ratio: {portal_rps / dev_rps:.2f}  (goal >= 3)")
    print(f"portal_case_list_p95_ms: {p95:.1f}  (at {args.rate:g} req/s for {args.open_seconds:g} s; goal <= 100)")


if __name__ == "__main__":
    main(sys.argv[1:])
