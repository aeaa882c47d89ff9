"""The registry of kiosks sharing one database: each kiosk registers its name and public signing key when it
starts, so the portal can say which kiosk signed what and check every manifest against a registered key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.archive.sealing import key_of_another_kiosk
from kiosk.archive.signing import Signer, public_pem
from kiosk.db import Database
from kiosk.models import KioskKey, utcnow


def register_kiosk(database: Database, kiosk_name: str, signer: Signer) -> KioskKey:
    """Record (or refresh) `kiosk_name` with `signer`'s public key. A key already registered to another kiosk is
    refused: two kiosks must never share a signing key. Safe when several processes start at once."""
    for _attempt in range(3):
        with database.session() as session:
            row = session.scalar(select(KioskKey).where(KioskKey.fingerprint == signer.fingerprint))
            if row is not None and row.kiosk_name != kiosk_name:
                raise key_of_another_kiosk(signer.fingerprint, row.kiosk_name)
            if row is None:
                row = KioskKey(kiosk_name=kiosk_name, fingerprint=signer.fingerprint,
                               public_key_pem=public_pem(signer.public_key).decode())
                session.add(row)
            else:
                row.last_seen_at = utcnow()
            try:
                session.commit()
            except IntegrityError:  # another process registered the same key meanwhile: read it again
                session.rollback()
                continue
            session.refresh(row)
            session.expunge(row)
            return row
    raise RuntimeError(f"could not register kiosk {kiosk_name!r}")


def registered_kiosks(session: Session) -> list[KioskKey]:
    """Every registered kiosk key, by kiosk name then registration time."""
    return list(session.scalars(select(KioskKey).order_by(KioskKey.kiosk_name, KioskKey.registered_at)))
