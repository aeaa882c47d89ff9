"""Settings from environment variables (prefix KIOSK_) with safe defaults.

| variable | default | meaning |
| --- | --- | --- |
| KIOSK_VAR_DIR | ./var | where local state lives |
| KIOSK_DATABASE_URL | sqlite:///<var>/kiosk.db | SQLAlchemy URL; postgresql+psycopg://... to share one database between kiosks |
| KIOSK_ARCHIVE_DIR | <var>/archive | evidence archive folder (shared folder when several kiosks share a database) |
| KIOSK_CAMERA | auto | webcam index, stream URL, video file or image folder; "auto" = webcam 0, else the demo video |
| KIOSK_SECRET_KEY | generated once into <var>/secret_key | Flask session signing key |
| KIOSK_HOST / KIOSK_PORT | 127.0.0.1 / 8000 | where the web server listens |
| KIOSK_NAME | hostname | kiosk name printed on photos and recorded in manifests |
| KIOSK_ARCHIVE_KEY_FILE | <var>/archive.key | AES-256-GCM key for scans at rest |
| KIOSK_SIGNING_KEY_FILE | <var>/signing_key.pem | Ed25519 key that signs archive manifests |
| KIOSK_PROFILE | (none) | per-kiosk threshold profile (JSON) for the photo judge |
| KIOSK_RETENTION_DAYS | 1095 | how long sealed evidence is kept |
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_VIDEO = PROJECT_ROOT / "capture" / "demo" / "demo_person.mp4"


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    archive_dir: Path
    camera: str
    secret_key: str
    host: str
    port: int
    kiosk_name: str
    archive_key_file: Path
    signing_key_file: Path
    profile: Path | None
    retention_days: int
    extra: dict[str, str] = field(default_factory=dict)


def _read_or_create_secret(path: Path) -> str:
    """The secret stored at `path`, created (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    log.info("generated a new secret key in %s", path)
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Settings from `env` (default: os.environ)."""
    env = dict(os.environ if env is None else env)

    def get(name: str, default: str = "") -> str:
        return env.get(f"KIOSK_{name}", default).strip() or default

    var_dir = Path(get("VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
    database_url = get("DATABASE_URL", f"sqlite:///{var_dir / 'kiosk.db'}")
    secret_key = get("SECRET_KEY") or _read_or_create_secret(var_dir / "secret_key")
    port_text = get("PORT", "8000")
    try:
        port = int(port_text)
    except ValueError as exc:
        raise ValueError(f"KIOSK_PORT must be a number, not {port_text!r}") from exc
    profile = get("PROFILE")
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        archive_dir=Path(get("ARCHIVE_DIR", str(var_dir / "archive"))).resolve(),
        camera=get("CAMERA", "auto"),
        secret_key=secret_key,
        host=get("HOST", "127.0.0.1"),
        port=port,
        kiosk_name=get("NAME", socket.gethostname()),
        archive_key_file=Path(get("ARCHIVE_KEY_FILE", str(var_dir / "archive.key"))),
        signing_key_file=Path(get("SIGNING_KEY_FILE", str(var_dir / "signing_key.pem"))),
        profile=Path(profile) if profile else None,
        retention_days=int(get("RETENTION_DAYS", "1095")),
    )
