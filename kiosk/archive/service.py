"""The evidence archive as one service: the blob store, the manifest signer, the kiosk's name and the retention
period, built once from `Settings` by `open_archive` and used alike by the app, the CLI commands and the tests.

Its methods are the archive's steps: `seal_case` (kiosk.archive.sealing), `build_pack` (kiosk.archive.pack),
`expire` (kiosk.archive.retention), `recover` (kiosk.archive.recovery), `refresh_access_checkpoint`
(kiosk.archive.access_anchor).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kiosk.archive import access_anchor, pack, recovery, retention, sealing
from kiosk.archive.keys import load_or_create_archive_key
from kiosk.archive.signing import Signer, load_or_create_signer
from kiosk.archive.store import BlobStore
from kiosk.db import Database
from kiosk.models import Case, CaseEvent, Seal, User
from kiosk.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Archive:
    """One kiosk's view of the evidence archive (the folder may be shared by several kiosks)."""

    store: BlobStore
    signer: Signer | None  # None only when opened read-only without a signing key (verify-archive)
    kiosk_name: str
    retention_days: int
    orphan_grace_seconds: float = recovery.ORPHAN_GRACE_SECONDS
    checkpoint_every_entries: int = 50
    checkpoint_max_age_seconds: float = 300.0

    @property
    def root(self) -> Path:
        return self.store.root

    def _signing(self) -> Signer:
        if self.signer is None:
            raise RuntimeError("this archive was opened read-only: it cannot sign")
        return self.signer

    def seal_case(self, session: Session, case: Case, actor: User) -> Seal:
        """Seal `case`'s evidence in the caller's transaction (see kiosk.archive.sealing.seal_case)."""
        return sealing.seal_case(session, self.store, self._signing(), case, actor, self.kiosk_name,
                                 retention_days=self.retention_days)

    def seal_decision(self, session: Session, case: Case, actor: User, event: CaseEvent) -> Seal:
        """Append the signed decision manifest of `event`, a move of the sealed `case` (see
        kiosk.archive.sealing.seal_decision)."""
        return sealing.seal_decision(session, self.store, self._signing(), case, actor, self.kiosk_name, event,
                                     retention_days=self.retention_days)

    def build_pack(self, session: Session, case: Case, actor: User | None) -> pack.Pack:
        """The case's signed evidence pack (see kiosk.archive.pack.build_pack)."""
        return pack.build_pack(session, self.store, self._signing(), case, actor, self.kiosk_name)

    def expire(self, db: Database, *, retention_days: int | None = None, dry_run: bool = False,
               now: dt.datetime | None = None) -> retention.ExpiryReport:
        """Delete evidence past retention, legal holds kept (see kiosk.archive.retention.expire)."""
        days = self.retention_days if retention_days is None else retention_days
        return retention.expire(db, self.store, self._signing(), self.kiosk_name, retention_days=days,
                                now=now, dry_run=dry_run)

    def refresh_access_checkpoint(self, session: Session, *, force: bool = False) -> dict[str, Any] | None:
        """Sign the access log's committed head into the checkpoint when due (kiosk.archive.access_anchor);
        a failure to write is logged, never raised: the read it follows has been logged already."""
        if self.signer is None:
            return None
        try:
            return access_anchor.refresh_checkpoint(session, self.root, self.signer, force=force,
                                                    every_entries=self.checkpoint_every_entries,
                                                    max_age_seconds=self.checkpoint_max_age_seconds)
        except OSError:
            log.exception("could not refresh the access-log checkpoint")
            return None

    def recover(self, db: Database) -> list[recovery.RecoveryAction]:
        """Complete or remove half-written archive work left by a crash (each action is logged)."""
        return recovery.recover(db, self.store, orphan_grace_seconds=self.orphan_grace_seconds)


def open_archive(settings: Settings, *, read_only: bool = False) -> Archive:
    """The archive of `settings`. Keys are loaded, or created on first use with a loud warning to back them up.

    `read_only=True` never creates a key (a new archive key could not read the old scans): the store then has a
    key only if one exists, and the signer only if its key file exists.
    """
    if read_only:
        has_key = bool(settings.archive_key) or settings.archive_key_file.exists()
        key = load_or_create_archive_key(settings.archive_key_file, settings.archive_key) if has_key else None
        signer = (load_or_create_signer(settings.signing_key_file) if settings.signing_key_file.exists() else None)
    else:
        key = load_or_create_archive_key(settings.archive_key_file, settings.archive_key)
        signer = load_or_create_signer(settings.signing_key_file, settings.archive_dir)
    return Archive(BlobStore(settings.archive_dir, key), signer, settings.kiosk_name, settings.retention_days,
                   settings.orphan_grace_seconds, settings.checkpoint_every_entries,
                   settings.checkpoint_max_age_seconds)

