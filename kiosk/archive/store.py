"""Content-addressed blob store on a local or shared folder.

A blob is named by the SHA-256 of its plaintext: `blobs/ab/cd/<sha256>` in the clear, or `<sha256>.enc` encrypted
with AES-256-GCM (12-byte random nonce, the hash as associated data). Writes are atomic: temporary file in the
same file system, fsync, rename, fsync of the folder. A blob is never changed once written.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from kiosk.files import atomic_write, fsync_dir
from kiosk.models import BlobRecord

log = logging.getLogger(__name__)

MAGIC = b"BKENC1"
NONCE_SIZE = 12
TAG_SIZE = 16
# Writes go through kiosk.files.atomic_write (temporary file under root/tmp, fsync, rename, fsync of the folder).


@dataclass(frozen=True, slots=True)
class BlobRef:
    sha256: str
    size: int  # plaintext size in bytes
    encrypted: bool
    media_type: str = ""


class BlobIntegrityError(Exception):
    """A stored blob does not match its name (altered, truncated, or decrypted with the wrong key)."""


class BlobMissingError(KeyError):
    """No blob with that hash is stored."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    """Blobs under `root/blobs`, temporary files under `root/tmp`. `key` (32 bytes) enables encryption."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = Path(root)
        self.blob_dir = self.root / "blobs"
        self.tmp_dir = self.root / "tmp"
        self._aead = AESGCM(key) if key else None

    def path_for(self, sha256: str, encrypted: bool) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        name = sha256 + (".enc" if encrypted else "")
        return self.blob_dir / sha256[:2] / sha256[2:4] / name

    def find(self, sha256: str) -> Path | None:
        for encrypted in (True, False):
            path = self.path_for(sha256, encrypted)
            if path.exists():
                return path
        return None

    def exists(self, sha256: str) -> bool:
        return self.find(sha256) is not None

    def put(self, data: bytes, *, encrypt: bool, media_type: str = "") -> BlobRef:
        """Store `data` (encrypted if asked) and return its reference; storing the same bytes again is free."""
        digest = sha256_hex(data)
        path = self.path_for(digest, encrypt)
        if not path.exists():
            if encrypt:
                if self._aead is None:
                    raise RuntimeError("this blob store has no encryption key")
                nonce = secrets.token_bytes(NONCE_SIZE)
                payload = MAGIC + nonce + self._aead.encrypt(nonce, data, digest.encode())
            else:
                payload = data
            atomic_write(path, payload, self.tmp_dir)
            log.debug("stored blob %s (%d bytes, encrypted=%s)", digest, len(data), encrypt)
        return BlobRef(sha256=digest, size=len(data), encrypted=encrypt, media_type=media_type)

    @property
    def can_encrypt(self) -> bool:
        return self._aead is not None

    def stored_size(self, sha256: str) -> int | None:
        """The plaintext size of blob `sha256` from its file size (None when missing); does not read it."""
        path = self.find(sha256)
        if path is None:
            return None
        size = path.stat().st_size
        return size - (len(MAGIC) + NONCE_SIZE + TAG_SIZE) if path.name.endswith(".enc") else size

    def delete(self, sha256: str) -> bool:
        """Remove blob `sha256` (both forms); True when a file was removed. Only retention expiry calls this."""
        removed = False
        for encrypted in (True, False):
            path = self.path_for(sha256, encrypted)
            if path.exists():
                path.unlink()
                removed = True
                try:
                    fsync_dir(path.parent)
                except OSError:  # the file is gone; only the folder's durability is in doubt
                    log.warning("could not fsync %s after removing %s", path.parent, path.name)
        return removed

    def iter_blob_files(self) -> Iterator[Path]:
        """Every file under blobs/ (sorted), including ones whose name is not a blob name."""
        if not self.blob_dir.is_dir():
            return iter(())
        return iter(sorted(p for p in self.blob_dir.rglob("*") if p.is_file()))

    def get(self, sha256: str) -> bytes:
        """The plaintext of blob `sha256`; raises BlobMissingError or BlobIntegrityError."""
        path = self.find(sha256)
        if path is None:
            raise BlobMissingError(sha256)
        raw = path.read_bytes()
        if path.name.endswith(".enc"):
            if self._aead is None:
                raise RuntimeError("this blob store has no encryption key")
            if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + NONCE_SIZE + 16:
                raise BlobIntegrityError(f"{sha256}: not an encrypted blob")
            nonce = raw[len(MAGIC) : len(MAGIC) + NONCE_SIZE]
            try:
                data = self._aead.decrypt(nonce, raw[len(MAGIC) + NONCE_SIZE :], sha256.encode())
            except InvalidTag:
                raise BlobIntegrityError(f"{sha256}: altered, or encrypted with another key") from None
        else:
            data = raw
        if sha256_hex(data) != sha256:
            raise BlobIntegrityError(f"{sha256}: content does not match its hash")
        return data


def record_blob(session: Session, ref: BlobRef) -> None:
    """Add a BlobRecord row for `ref` to `session` unless one exists (no commit)."""
    if session.get(BlobRecord, ref.sha256) is None:
        session.add(BlobRecord(sha256=ref.sha256, size=ref.size, media_type=ref.media_type, encrypted=ref.encrypted))
