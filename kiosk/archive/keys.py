"""Archive keys: the AES-256-GCM key for scans at rest, created on first run with a loud warning to back it up."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from kiosk.files import atomic_write

log = logging.getLogger(__name__)

BACKUP_WARNING = (
    "\n" + "!" * 78 + "\n"
    "  A NEW ARCHIVE ENCRYPTION KEY was created at {path}\n"
    "  BACK IT UP NOW. Without it the encrypted ID and licence scans can never be read again.\n"
    "  新建了档案加密密钥 {path}，请立即备份；丢失后加密的证件扫描件将永远无法读取。\n" + "!" * 78
)


def load_or_create_archive_key(path: Path, hex_key: str | None = None) -> bytes:
    """The 32-byte archive key: `hex_key` (64 hex characters, settings.archive_key) if given, else the key file,
    created once (0600, with a loud warning to back it up)."""
    if hex_key:
        key = bytes.fromhex(hex_key.strip())
        if len(key) != 32:
            raise ValueError("KIOSK_ARCHIVE_KEY must be 64 hex characters (32 bytes)")
        return key
    if not path.exists():
        try:
            atomic_write(path, secrets.token_bytes(32).hex().encode() + b"\n", secret=True)
            log.warning(BACKUP_WARNING.format(path=path))
        except FileExistsError:  # another process created it first: use theirs
            pass
    key = bytes.fromhex(path.read_text().strip())
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte key in hex")
    return key
