"""Settings: every knob of the kiosk, read once from the environment (prefix KIOSK_) by `load_settings`.

Nothing else in the project reads the environment: the app, the CLI commands and the tests all get a `Settings`
and build their services from it (`kiosk.archive.open_archive`, `kiosk.booth.station`, `kiosk.documents.desk`).
Each field names its variable in its metadata; README's settings table lists them all (a test checks it).
Flask's own settings come as `KIOSK_FLASK_<NAME>` (values parsed as JSON, `__` for nested keys, as Flask's
`from_prefixed_env` does) and land in `Settings.flask`.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.files import atomic_write

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "KIOSK_"
ROLES = ("kiosk", "portal")  # what `python -m kiosk serve` runs: see web/serve.py
FLASK_PREFIX = "KIOSK_FLASK_"
DEFAULT_TIMEZONE = "Asia/Shanghai"  # Beijing time
SMTP_SECURITY = ("none", "starttls", "ssl")
DEFAULT_DECODE_MEGAPIXELS = 40  # kiosk.documents.budget.DEFAULT_MEGAPIXELS: one 40 MP upload at a time, about 0.5 GB
SMTP_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def _switch(name: str, value: str) -> bool:
    """An on/off setting (on, off, 1, 0, true, false, yes, no)."""
    text = value.strip().lower()
    if text in ("on", "1", "true", "yes"):
        return True
    if text in ("off", "0", "false", "no"):
        return False
    raise ValueError(f"{PREFIX}{name} must be on or off, not {value!r}")


def _env(name: str, secret: bool = False) -> Any:
    """A Settings field read from KIOSK_<name> (secrets stay out of repr and logs)."""
    return field(metadata={"env": PREFIX + name}, repr=not secret)


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults of `load_settings`. See README's settings table."""

    var_dir: Path = _env("VAR_DIR")
    database_url: str = _env("DATABASE_URL", secret=True)  # may hold a password
    archive_dir: Path = _env("ARCHIVE_DIR")
    camera: str = _env("CAMERA")
    document_camera: str = _env("DOCUMENT_CAMERA")  # "" = none: staff upload scans
    secret_key: str | None = _env("SECRET_KEY", secret=True)  # None: session_secret() makes one under var_dir
    host: str = _env("HOST")
    trusted_hosts: tuple[str, ...] = _env("TRUSTED_HOSTS")  # Host headers answered; () = any (all interfaces)
    port: int = _env("PORT")
    role: str = _env("ROLE")  # kiosk (booth, camera, one process) | portal (auditors and staff, no camera)
    workers: int = _env("WORKERS")  # portal role: worker processes on the same database
    threads: int = _env("THREADS")  # WSGI threads per process
    kiosk_name: str = _env("NAME")
    timezone: str = _env("TIMEZONE")
    archive_key: str | None = _env("ARCHIVE_KEY", secret=True)  # 64 hex characters; else the key file
    archive_key_file: Path = _env("ARCHIVE_KEY_FILE")
    signing_key_file: Path = _env("SIGNING_KEY_FILE")
    profile: Path | None = _env("PROFILE")
    liveness: bool = _env("LIVENESS")  # the booth's liveness test before the photo (on in production)
    face_match: bool = _env("FACE_MATCH")  # live face against the ID card portrait when finishing (on in production)
    retention_days: int = _env("RETENTION_DAYS")
    orphan_grace_seconds: int = _env("ORPHAN_GRACE")  # unreferenced blobs younger than this are kept at start-up
    checkpoint_every_entries: int = _env("CHECKPOINT_ENTRIES")  # sign the access log's head after this many reads
    checkpoint_max_age_seconds: int = _env("CHECKPOINT_AGE")  # ... or after a read once the last one is this old
    preview_quality: int = _env("PREVIEW_QUALITY")
    decode_megapixels: int = _env("DECODE_MEGAPIXELS")  # image pixels decoded at once, all uploads together
    ocr_engine: str = _env("OCR_ENGINE")
    ocr_threads: int = _env("OCR_THREADS")
    tesseract_psm: int = _env("TESSERACT_PSM")
    provider_name: str = _env("PROVIDER_NAME")  # on the verification sheet and in applicant notices
    smtp_host: str = _env("SMTP_HOST")  # "" = applicant e-mails go to the log
    smtp_port: int = _env("SMTP_PORT")
    smtp_security: str = _env("SMTP_SECURITY")  # none | starttls | ssl
    smtp_user: str = _env("SMTP_USER")
    smtp_password: str = _env("SMTP_PASSWORD", secret=True)
    smtp_from: str = _env("SMTP_FROM")
    sms_gateway: str = _env("SMS_GATEWAY")  # kiosk.notices.gateways.SMS_GATEWAYS
    holidays_file: Path | None = _env("HOLIDAYS_FILE")  # holidays of years chinesecalendar does not know
    flask: dict[str, Any] = field(default_factory=dict, metadata={"env": FLASK_PREFIX + "<NAME>"})

    @property
    def zone(self) -> ZoneInfo:
        """The kiosk's time zone: times on pages, photos and search dates."""
        return ZoneInfo(self.timezone)

    def session_secret(self) -> str:
        """The key that signs session cookies: KIOSK_SECRET_KEY, else one generated once into <var>/secret_key."""
        return self.secret_key or _read_or_create_secret(self.var_dir / "secret_key")


def setting_names() -> dict[str, str]:
    """Environment variable -> Settings field, for every setting."""
    return {f.metadata["env"]: f.name for f in fields(Settings)}


def _read_or_create_secret(path: Path) -> str:
    """The secret stored at `path`, created (mode 0600) on first use."""
    if not path.exists():
        try:
            atomic_write(path, secrets.token_hex(32).encode() + b"\n", secret=True)
            log.info("generated a new secret key in %s", path)
        except FileExistsError:  # another process created it first
            pass
    return path.read_text().strip()


def _flask_settings(env: dict[str, str]) -> dict[str, Any]:
    """KIOSK_FLASK_<NAME>=value as {NAME: value}: JSON when it parses, else the text; A__B sets key B of A."""
    out: dict[str, Any] = {}
    for key in sorted(env):
        if not key.startswith(FLASK_PREFIX):
            continue
        try:
            value: Any = json.loads(env[key])
        except ValueError:
            value = env[key]
        *parents, leaf = key.removeprefix(FLASK_PREFIX).split("__")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return out


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
ALL_INTERFACES = ("", "0.0.0.0", "::")


def default_trusted_hosts(host: str) -> tuple[str, ...]:
    """The Host headers answered when KIOSK_TRUSTED_HOSTS is not set: the configured host (with the loopback
    names when it is a loopback address); any when the server listens on all interfaces."""
    if host in ALL_INTERFACES:
        return ()
    return (host, *(n for n in LOOPBACK_NAMES if n != host)) if host in LOOPBACK_NAMES else (host,)


def _number(name: str, text: str, low: int, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{PREFIX}{name} must be a whole number, not {text!r}") from None
    if value < low or (high is not None and value > high):
        raise ValueError(f"{PREFIX}{name} must be between {low} and {high or 'any'}, not {value}")
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Settings from `env` (default: os.environ); writes nothing. Raises ValueError naming the wrong variable."""
    env = dict(os.environ if env is None else env)

    def get(name: str, default: str = "") -> str:
        return env.get(PREFIX + name, default).strip() or default

    var_dir = Path(get("VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
    timezone = get("TIMEZONE", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{PREFIX}TIMEZONE: unknown time zone {timezone!r} (e.g. Asia/Shanghai)") from None
    ocr_engine = get("OCR_ENGINE", "rapidocr")
    if ocr_engine not in ("rapidocr", "tesseract"):
        raise ValueError(f"{PREFIX}OCR_ENGINE must be rapidocr or tesseract, not {ocr_engine!r}")
    profile = get("PROFILE")
    smtp_security = get("SMTP_SECURITY", "none").lower()
    if smtp_security not in SMTP_SECURITY:
        raise ValueError(f"{PREFIX}SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {smtp_security!r}")
    holidays = get("HOLIDAYS_FILE")
    role = get("ROLE", "kiosk").lower()
    host = get("HOST", "127.0.0.1")
    if role not in ROLES:
        raise ValueError(f"{PREFIX}ROLE must be one of {', '.join(ROLES)}, not {role!r}")
    return Settings(
        var_dir=var_dir,
        database_url=get("DATABASE_URL", f"sqlite:///{var_dir / 'kiosk.db'}"),
        archive_dir=Path(get("ARCHIVE_DIR", str(var_dir / "archive"))).resolve(),
        camera=get("CAMERA", "auto"),  # capture.AUTO (not imported: loading settings must not load OpenCV)
        document_camera=get("DOCUMENT_CAMERA"),
        secret_key=get("SECRET_KEY") or None,
        host=host,
        trusted_hosts=tuple(h.strip() for h in get("TRUSTED_HOSTS").split(",") if h.strip())
        or default_trusted_hosts(host),
        port=_number("PORT", get("PORT", "8000"), 1, 65535),
        role=role,
        workers=_number("WORKERS", get("WORKERS", "2"), 1, 64),
        threads=_number("THREADS", get("THREADS", "16"), 1, 256),
        kiosk_name=get("NAME", socket.gethostname()),
        timezone=timezone,
        archive_key=get("ARCHIVE_KEY") or None,
        archive_key_file=Path(get("ARCHIVE_KEY_FILE", str(var_dir / "archive.key"))),
        signing_key_file=Path(get("SIGNING_KEY_FILE", str(var_dir / "signing_key.pem"))),
        profile=Path(profile) if profile else None,
        liveness=_switch("LIVENESS", get("LIVENESS", "on")),
        face_match=_switch("FACE_MATCH", get("FACE_MATCH", "on")),
        retention_days=_number("RETENTION_DAYS", get("RETENTION_DAYS", "1095"), 1),
        orphan_grace_seconds=_number("ORPHAN_GRACE", get("ORPHAN_GRACE", "3600"), 60),
        checkpoint_every_entries=_number("CHECKPOINT_ENTRIES", get("CHECKPOINT_ENTRIES", "50"), 1),
        checkpoint_max_age_seconds=_number("CHECKPOINT_AGE", get("CHECKPOINT_AGE", "300"), 1),
        decode_megapixels=_number("DECODE_MEGAPIXELS", get("DECODE_MEGAPIXELS", str(DEFAULT_DECODE_MEGAPIXELS)), 1),
        preview_quality=_number("PREVIEW_QUALITY", get("PREVIEW_QUALITY", "80"), 10, 100),
        ocr_engine=ocr_engine,
        ocr_threads=_number("OCR_THREADS", get("OCR_THREADS", "0"), 0),
        tesseract_psm=_number("TESSERACT_PSM", get("TESSERACT_PSM", "6"), 0, 13),
        provider_name=get("PROVIDER_NAME", "接入服务商"),
        smtp_host=get("SMTP_HOST"),
        smtp_port=_number("SMTP_PORT", get("SMTP_PORT", str(SMTP_DEFAULT_PORTS[smtp_security])), 1, 65535),
        smtp_security=smtp_security,
        smtp_user=get("SMTP_USER"),
        smtp_password=get("SMTP_PASSWORD"),
        smtp_from=get("SMTP_FROM", "noreply@localhost"),
        sms_gateway=get("SMS_GATEWAY", "log"),
        holidays_file=Path(holidays) if holidays else None,
        flask=_flask_settings(env),
    )
