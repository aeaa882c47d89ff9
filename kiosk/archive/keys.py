"""Archive keys: the AES-256-GCM key for scans at rest, created on first run with a loud warning to back it up."""

from __future__ import annotations

import errno
import logging
import os
import secrets
from pathlib import Path

from kiosk.text import KioskError, Text

log = logging.getLogger(__name__)

BACKUP_WARNING = (
    "\n" + "!" * 78 + "\n"
    "  A NEW ARCHIVE ENCRYPTION KEY was created at {path}\n"
    "  BACK IT UP NOW. Without it the encrypted ID and licence scans can never be read again.\n"
    "  新建了档案加密密钥 {path}，请立即备份；丢失后加密的证件扫描件将永远无法读取。\n" + "!" * 78
)


def write_secret_file(path: Path, data: bytes) -> None:
    """Write `data` to a new file readable only by its owner; never overwrites an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:  # never leave a half-written key behind: the next start would trust it
        path.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise KioskError(
                "disk_full",
                Text("存储空间已满，无法创建密钥，请联系管理员", "The storage is full: the key could not be created. Please call an administrator"),
                status=507,
            ) from exc
        raise


def load_or_create_archive_key(path: Path, env_value: str | None = None) -> bytes:
    """The 32-byte archive key: from `env_value` (64 hex characters) if given, else the key file (created once)."""
    if env_value:
        key = bytes.fromhex(env_value.strip())
        if len(key) != 32:
            raise ValueError("KIOSK_ARCHIVE_KEY must be 64 hex characters (32 bytes)")
        return key
    if path.exists():
        key = bytes.fromhex(path.read_text().strip())
        if len(key) != 32:
            raise ValueError(f"{path} does not hold a 32-byte key in hex")
        return key
    key = secrets.token_bytes(32)
    write_secret_file(path, key.hex().encode() + b"\n")
    log.warning(BACKUP_WARNING.format(path=path))
    return key
