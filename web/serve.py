"""`python -m kiosk serve`: migrate the database and run the kiosk's web server (threaded).

The camera is opened lazily by the booth when a page first needs it, so the server starts in a second
even when the camera is slow or missing; `--camera` accepts a webcam index, a stream URL, a video file or
an image folder (see `capture`), and "auto" (webcam 0, else the bundled demo video).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys

from werkzeug.serving import run_simple

from capture import AUTO, CameraError, resolve_source
from kiosk.accounts import count_users
from kiosk.db import init_db
from kiosk.settings import load_settings

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--camera", help="webcam index or /dev/videoN, stream URL, video file, image folder, "
                                         "'browser' (the booth page's own camera, for tablets) or 'auto' "
                                         "(webcam 0, else the demo video; default: KIOSK_CAMERA or auto)")
    parser.add_argument("--host", help="address to listen on (default: KIOSK_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: KIOSK_PORT or 8000)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    changes = {k: v for k, v in (("camera", args.camera), ("host", args.host), ("port", args.port)) if v}
    settings = dataclasses.replace(settings, **changes)
    if settings.camera.strip().lower() != AUTO:
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

    from web import create_app

    app = create_app({"SETTINGS": settings, "DATABASE": database})
    url = f"http://{settings.host}:{settings.port}"
    print(f"Beian Kiosk / 备案核验终端 on {url}  (camera: {settings.camera}, kiosk: {settings.kiosk_name})")
    print(f"  counter: {url}/cases    booth screen: open the link from a case's photo station")
    # SIGTERM (systemd, docker stop) ends the server like Ctrl+C, so the camera and worker threads stop cleanly.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(0))
    try:
        run_simple(settings.host, settings.port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        from web.booth import stop_booth

        stop_booth(app)
        database.dispose()
    return 0
