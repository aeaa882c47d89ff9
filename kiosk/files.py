"""Writing a file so that it is either wholly there or not at all: the one helper every writer in the kiosk uses
(evidence blobs, manifests, journals, keys, the secret key, calibration profiles).

`atomic_write` writes a temporary file `<final name>.<host>~<pid>.<random>.tmp`, fsyncs it, moves it into place
and fsyncs the folder. The owner in the name lets start-up recovery (`kiosk.archive.recovery`) tell a dead
writer's leftovers from a live one's. A full disk raises `KioskError("disk_full")` and leaves nothing behind.
"""

from __future__ import annotations

import errno
import os
import secrets
import socket
from pathlib import Path

from kiosk.text import KioskError, Text

DISK_FULL = Text("存储空间已满，未保存任何内容，请联系管理员", "The storage is full; nothing was saved. Please call an administrator")


def is_disk_full(exc: BaseException) -> bool:
    """Whether `exc` (or an error it was raised from) says the disk or the user's quota is full."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def tmp_owner() -> str:
    """`<host>~<pid>` of this process, as written into temporary file names."""
    return f"{socket.gethostname().replace('.', '_').replace('~', '_')}~{os.getpid()}"


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new or removed file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, tmp_dir: Path | None = None, *, secret: bool = False) -> None:
    """Write `data` to `path`: wholly or not at all, durable once this returns.

    `tmp_dir` (default: the file's folder) must be on the same file system. `secret=True` makes the file readable
    by its owner only (0600) and never replaces an existing file: FileExistsError then, and the file is untouched
    (keys are created once; another process may have created it first). Raises KioskError("disk_full", 507) when
    the disk is full.
    """
    path = Path(path)
    tmp_dir = Path(tmp_dir) if tmp_dir is not None else path.parent
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{path.name}.{tmp_owner()}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if secret else 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if secret:
            os.link(tmp, path)  # fails if `path` exists: an existing key is never replaced
            tmp.unlink()
        else:
            os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise KioskError("disk_full", DISK_FULL, status=507) from exc
        raise
