"""`python -m kiosk serve [--role kiosk|portal]`: migrate the database and run the production WSGI server (waitress).

kiosk role: one process with `threads` threads, the booth's camera loop once. portal role (auditor portal and staff
case pages, no camera): the parent binds the socket, then forks `workers` processes that each serve it with
waitress threads on their own database connections (the kernel spreads the connections among them).

The camera is opened lazily by the booth when a page first needs it, so the server starts in a second
even when the camera is slow or missing; `--camera` accepts a webcam index, a stream URL, a video file or
an image folder (see `capture`), and "auto" (webcam 0, else the bundled demo video).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import socket
import sys

import waitress

from capture import AUTO, CameraError, resolve_source
from kiosk.accounts import count_users
from kiosk.db import Database, init_db
from kiosk.settings import ROLES, Settings, load_settings
from kiosk.spool import SpoolDrainer

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--camera", help="webcam index or /dev/videoN, stream URL, video file, image folder, "
                                         "'browser' (the booth page's own camera, for tablets) or 'auto' "
                                         "(webcam 0, else the demo video; default: KIOSK_CAMERA or auto)")
    parser.add_argument("--host", help="address to listen on (default: KIOSK_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: KIOSK_PORT or 8000)")
    parser.add_argument("--role", choices=ROLES, help="kiosk (booth and camera, one process) or portal "
                                                      "(auditors and staff, no camera, several processes)")
    parser.add_argument("--workers", type=int, help="portal worker processes (default: KIOSK_WORKERS or 2)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    changes = {k: v for k, v in (("camera", args.camera), ("host", args.host), ("port", args.port),
                                         ("role", args.role), ("workers", args.workers)) if v}
    settings = dataclasses.replace(settings, **changes)
    if settings.role == "kiosk" and settings.camera.strip().lower() != AUTO:
        try:
            resolve_source(settings.camera)
        except CameraError as exc:
            print(f"{exc.text.zh}\n{exc.text.en} ({exc.code})")
            return 2
    database = init_db(settings.database_url)
    with database.session() as session:
        users = count_users(session)
    if users == 0:
        print("No accounts yet / 尚无账号. Create one first, e.g.:\n"
              "  .venv/bin/python -m kiosk create-user admin --role admin\n"
              "  .venv/bin/python -m kiosk create-user counter1 --role staff")

    if settings.role == "portal":
        database.dispose()
        return _run_portal(settings)
    return _run_kiosk(settings, database)


def _run_kiosk(settings: Settings, database: Database) -> int:
    from web import create_app

    app = create_app({"SETTINGS": settings, "DATABASE": database})
    from web.services import get_archive, get_spool

    drainer = SpoolDrainer(database, get_archive(app), get_spool(app))  # drains at start, then every 10 s
    drainer.start()
    url = f"http://{settings.host}:{settings.port}"
    print(f"Beian Kiosk / 备案核验终端 on {url}  (role kiosk, camera: {settings.camera}, kiosk: {settings.kiosk_name})")
    print(f"  counter: {url}/cases    booth screen: open the link from a case's photo station", flush=True)
    # SIGTERM (systemd, docker stop) ends the server like Ctrl+C, so the camera and worker threads stop cleanly.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(0))
    try:
        waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="beian-kiosk")
    finally:
        from web.booth import stop_booth

        drainer.stop()
        stop_booth(app)
        database.dispose()
    return 0


def _run_portal(settings: Settings) -> int:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(1024)
    sock.set_inheritable(True)
    url = f"http://{settings.host}:{settings.port}"
    print(f"Beian Kiosk portal / 备案核验门户 on {url}  ({settings.workers} workers x {settings.threads} threads, "
          f"no camera)", flush=True)
    children: list[int] = []
    for _ in range(settings.workers):
        pid = os.fork()
        if pid == 0:  # a worker: its own app and database connections, made after the fork
            code = 1
            try:
                code = _portal_worker(settings, sock)
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()

    def stop(_sig: int, _frame: object) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worst = 0
    for child in children:
        _pid, status = os.waitpid(child, 0)
        worst = max(worst, os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 0)
    return worst


def _portal_worker(settings: Settings, sock: socket.socket) -> int:
    from web import create_app

    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(0))
    signal.signal(signal.SIGINT, lambda _sig, _frame: sys.exit(0))
    database = Database(settings.database_url)  # migrated by the parent
    app = create_app({"SETTINGS": settings, "DATABASE": database})
    try:
        waitress.serve(app, sockets=[sock], threads=settings.threads, ident="beian-portal")
    except SystemExit:
        pass
    finally:
        database.dispose()
    return 0
