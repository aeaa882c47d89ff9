"""The registry of kiosks sharing one database: each kiosk registers its name and public signing key when it
starts, so the portal can say which kiosk signed what and check every manifest against a registered key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.archive.problems import Problem
from kiosk.archive.sealing import key_of_another_kiosk
from kiosk.archive.signing import Signer, public_pem
from kiosk.archive.store import BlobStore
from kiosk.db import Database
from kiosk.models import KioskKey, Seal, utcnow


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


@dataclass(frozen=True, slots=True)
class KioskOverview:
    """One kiosk as the portal's kiosk page shows it: its keys, when it was last seen, what it sealed and the
    state of its chain checked now (`problems` empty: intact)."""

    name: str
    fingerprints: list[str]
    registered_at: dt.datetime
    last_seen_at: dt.datetime
    cases_sealed: int
    manifests: int
    problems: list[Problem]

    @property
    def chain_status(self) -> str:
        """ChainStatus code: intact, damaged or empty (nothing sealed yet)."""
        if self.problems:
            return ChainStatus.DAMAGED
        return ChainStatus.INTACT if self.manifests else ChainStatus.EMPTY


class ChainStatus(StrEnum):
    INTACT = "intact"
    DAMAGED = "damaged"
    EMPTY = "empty"


def kiosk_overview(session: Session, store: BlobStore) -> list[KioskOverview]:
    """Every registered kiosk (and any kiosk that sealed without being registered), by name, its chain checked."""
    from kiosk.archive.verify import kiosk_chain_problems

    keys: dict[str, list[KioskKey]] = {}
    for row in registered_kiosks(session):
        keys.setdefault(row.kiosk_name, []).append(row)
    counts = {name: (cases, manifests) for name, cases, manifests in session.execute(
        select(Seal.kiosk_name, func.count(distinct(Seal.case_id)), func.count(Seal.id))
        .where(Seal.chain_sequence.is_not(None)).group_by(Seal.kiosk_name))}
    overview = []
    for name in sorted(set(keys) | set(counts)):
        rows = keys.get(name, [])
        cases, manifests = counts.get(name, (0, 0))
        overview.append(KioskOverview(
            name=name, fingerprints=[r.fingerprint for r in rows],
            registered_at=min((r.registered_at for r in rows), default=_NEVER),
            last_seen_at=max((r.last_seen_at for r in rows), default=_NEVER),
            cases_sealed=cases, manifests=manifests, problems=kiosk_chain_problems(session, store, name)))
    return overview


def sealing_kiosk(session: Session, case_id: int) -> KioskKey | None:
    """The registered key that signed the case's newest sealing (None before its sealing or for an unregistered
    key); the kiosk's name is its `kiosk_name`."""
    seal = session.scalars(select(Seal).where(Seal.case_id == case_id).order_by(Seal.sequence.desc()).limit(1)).first()
    if seal is None:
        return None
    return session.scalar(select(KioskKey).where(KioskKey.kiosk_name == seal.kiosk_name)
                          .order_by(KioskKey.last_seen_at.desc()).limit(1))


_NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
