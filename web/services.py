"""Shared services of one app, created on first use and kept in app.extensions: the evidence blob store, the
manifest signer, and the sealing step that finishing an on-site verification runs."""

from __future__ import annotations

import logging
import os
import threading

from flask import Flask, current_app
from sqlalchemy.orm import Session

from kiosk.archive.keys import load_or_create_archive_key
from kiosk.archive.store import BlobStore
from kiosk.models import Case, User

log = logging.getLogger(__name__)
_lock = threading.Lock()


def blob_store(app: Flask | None = None) -> BlobStore:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        store = app.extensions.get("kiosk.blob_store")
        if store is None:
            settings = app.config["KIOSK_SETTINGS"]
            key = load_or_create_archive_key(settings.archive_key_file, os.environ.get("KIOSK_ARCHIVE_KEY"))
            store = app.extensions["kiosk.blob_store"] = BlobStore(settings.archive_dir, key)
        return store


def signer(app: Flask | None = None):  # type: ignore[no-untyped-def]
    from kiosk.archive.signing import load_or_create_signer

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _lock:
        found = app.extensions.get("kiosk.signer")
        if found is None:
            settings = app.config["KIOSK_SETTINGS"]
            found = app.extensions["kiosk.signer"] = load_or_create_signer(settings.signing_key_file, settings.archive_dir)
        return found


def make_sealer(app: Flask):  # type: ignore[no-untyped-def]
    """The sealing step for kiosk.cases.move_case: seals the case's evidence in the move's transaction."""
    from kiosk.archive.sealing import seal_case

    def seal(session: Session, case: Case, actor: User) -> None:
        settings = app.config["KIOSK_SETTINGS"]
        seal_case(session, blob_store(app), signer(app), case, actor, app.config["KIOSK_NAME"],
                  retention_days=settings.retention_days)

    return seal


def recover_archive(app: Flask) -> None:
    """Complete or remove half-written archive work left by a crash (logged by kiosk.archive.recovery)."""
    from kiosk.archive.recovery import recover

    actions = recover(app.extensions["kiosk.db"], blob_store(app))
    for action in actions:
        log.warning("archive recovery: %s %s (%s)", action.action, action.path, action.detail)


def init_app(app: Flask) -> None:
    """Load (or create, with a loud warning to back them up) the archive and signing keys at start rather than at
    the first sealing, offer sealing to the counter, and recover half-written archive work."""
    blob_store(app)
    signer(app)
    app.extensions["kiosk.sealer"] = lambda: make_sealer(app)
    if app.config.get("RECOVER_ON_START", True):
        recover_archive(app)
