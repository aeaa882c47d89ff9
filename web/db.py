"""The database for requests: one SQLAlchemy session per request, closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from kiosk.db import Database


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["kiosk.db"]


def get_session() -> Session:
    """The request's session (created on first use). Views commit explicitly."""
    if "db_session" not in g:
        g.db_session = get_database().sessions()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def init_app(app: Flask, database: Database) -> None:
    app.extensions["kiosk.db"] = database
    app.teardown_appcontext(close_session)
