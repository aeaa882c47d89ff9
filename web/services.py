"""The app's services, each built once from Settings and kept in app.extensions: the archive (opened in
create_app, so keys are loaded or created at start rather than at the first sealing), the settings and the face
gate (its models load on the first match)."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from kiosk.archive import Archive, open_archive, writers
from kiosk.db import Database
from kiosk.deadlines import WorkCalendar, load_calendar
from kiosk.documents import budget
from kiosk.identity.case_match import FaceGate
from kiosk.identity.match import matcher_from_settings
from kiosk.kiosks import register_kiosk
from kiosk.settings import Settings
from kiosk.spool import Spool

log = logging.getLogger(__name__)


def init_app(app: Flask, settings: Settings, database: Database) -> None:
    """Open the archive and complete or remove half-written archive work left by a crash (each action logged)."""
    archive = app.extensions["kiosk.archive"] = open_archive(settings)
    archive.recover(database)
    writers.register_writer(archive.store.root)  # recovery after a crash of this process knows it is gone
    if archive.signer is not None:
        register_kiosk(database, settings.kiosk_name, archive.signer)
    app.extensions["kiosk.spool"] = Spool.of_kiosk(settings.var_dir)
    app.extensions["kiosk.calendar"] = load_calendar(settings.holidays_file)
    app.extensions["kiosk.face_gate"] = (
        FaceGate(archive.store, lambda: matcher_from_settings(settings)) if settings.face_match else None)
    budget.configure(settings.decode_megapixels)


def get_spool(app: Flask | None = None) -> Spool:
    """The kiosk's outage spool (photos and jobs waiting for the database)."""
    return (app or current_app).extensions["kiosk.spool"]


def get_archive(app: Flask | None = None) -> Archive:
    """The app's evidence archive (store, signer, kiosk name, retention)."""
    return (app or current_app).extensions["kiosk.archive"]


def get_settings(app: Flask | None = None) -> Settings:
    return (app or current_app).config["KIOSK_SETTINGS"]


def get_calendar(app: Flask | None = None) -> WorkCalendar:
    """The working-day calendar (chinesecalendar plus the holidays file), loaded once at start."""
    return (app or current_app).extensions["kiosk.calendar"]


def get_face_gate(app: Flask | None = None) -> FaceGate | None:
    """The face match of finishing a verification (matcher loaded on first use); None when KIOSK_FACE_MATCH=off."""
    return (app or current_app).extensions.get("kiosk.face_gate")
