"""Lock the head row of a hash chain (a `settings` row) for the rest of the transaction, so that kiosks and
threads sharing one database append one after another.

PostgreSQL: the row is created if missing (INSERT ... ON CONFLICT DO NOTHING), then SELECT ... FOR UPDATE.
SQLite: a no-op UPDATE of the row first takes the database's write lock (SQLite has one writer at a time), so the
head read afterwards cannot be overtaken by another writer before this transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.models import Setting


def lock_head_row(session: Session, key: str, initial: Callable[[], bytes]) -> Setting:
    """The locked `settings` row `key`, created with `initial()` when missing."""
    dialect = session.get_bind().dialect.name
    stmt = select(Setting).where(Setting.key == key).execution_options(populate_existing=True)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        if session.scalars(stmt).first() is None:
            session.execute(insert(Setting).values(key=key, value=initial()).on_conflict_do_nothing())
        return session.scalars(stmt.with_for_update()).one()
    if dialect == "sqlite":
        session.execute(update(Setting).where(Setting.key == key).values(value=Setting.value))
    row = session.scalars(stmt).first()
    if row is None:
        row = Setting(key=key, value=initial())
        session.add(row)
        session.flush()
    return row
