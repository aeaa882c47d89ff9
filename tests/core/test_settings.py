"""Settings: every setting is a field documented in README's table, read from the environment in one place."""

from __future__ import annotations

import ast
import re
import stat
from pathlib import Path

import pytest

from kiosk.files import atomic_write
from kiosk.settings import DEFAULT_TIMEZONE, load_settings, setting_names

ROOT = Path(__file__).resolve().parent.parent.parent
# kiosk/documents/ocr.py hands its own environment on to the tesseract child process (with OpenMP held to two
# threads); it reads no setting from it.
FORWARDS_ENVIRONMENT = {"kiosk/settings.py", "kiosk/documents/ocr.py"}


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `KIOSK_"))
    for env in setting_names():
        assert f"`{env}`" in table, f"{env} is missing from README's settings table"
    documented = set(re.findall(r"`(KIOSK_[A-Z_<>]+)`", table))
    assert documented <= set(setting_names()), documented - set(setting_names())


def test_nothing_else_reads_the_environment() -> None:
    readers = []
    for path in sorted(p for top in ("kiosk", "web", "capture", "calibration") for p in (ROOT / top).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                if rel not in FORWARDS_ENVIRONMENT:
                    readers.append(f"{rel}:{node.lineno}")
    assert readers == []


def test_defaults_and_loading_writes_nothing(tmp_path) -> None:
    settings = load_settings({"KIOSK_VAR_DIR": str(tmp_path / "var")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'kiosk.db'}"
    assert settings.timezone == DEFAULT_TIMEZONE and settings.zone.key == "Asia/Shanghai"
    assert (settings.camera, settings.document_camera, settings.preview_quality) == ("auto", "", 80)
    assert (settings.ocr_engine, settings.ocr_threads, settings.tesseract_psm) == ("rapidocr", 0, 6)
    assert settings.archive_key is None and settings.secret_key is None and settings.flask == {}
    assert not (tmp_path / "var").exists()  # loading settings creates nothing
    secret = settings.session_secret()
    assert secret == settings.session_secret() == (tmp_path / "var" / "secret_key").read_text().strip()
    assert stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode) == 0o600


def test_secrets_stay_out_of_repr(tmp_path) -> None:
    settings = load_settings({"KIOSK_VAR_DIR": str(tmp_path), "KIOSK_SECRET_KEY": "s3cret-value",
                              "KIOSK_ARCHIVE_KEY": "ab" * 32, "KIOSK_DATABASE_URL": "postgresql+psycopg://u:pw@h/db"})
    text = repr(settings)
    assert "s3cret-value" not in text and "ab" * 32 not in text and "pw@h" not in text


def test_flask_settings_come_from_kiosk_flask_variables(tmp_path) -> None:
    settings = load_settings({"KIOSK_VAR_DIR": str(tmp_path), "KIOSK_FLASK_SESSION_COOKIE_SECURE": "true",
                              "KIOSK_FLASK_TRUSTED_HOSTS": '["kiosk1.example.cn"]', "KIOSK_FLASK_APPLICATION_ROOT": "/k",
                              "KIOSK_FLASK_A__B": "3"})
    assert settings.flask == {"SESSION_COOKIE_SECURE": True, "TRUSTED_HOSTS": ["kiosk1.example.cn"],
                              "APPLICATION_ROOT": "/k", "A": {"B": 3}}


@pytest.mark.parametrize(("name", "value"), [("TIMEZONE", "Mars/Olympus"), ("PORT", "eighty"), ("PORT", "70000"),
                                             ("RETENTION_DAYS", "0"), ("OCR_ENGINE", "magic"), ("PREVIEW_QUALITY", "5")])
def test_a_wrong_setting_names_its_variable(tmp_path, name: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"KIOSK_{name}"):
        load_settings({"KIOSK_VAR_DIR": str(tmp_path), f"KIOSK_{name}": value})


def test_atomic_write_of_a_secret_never_replaces_it(tmp_path) -> None:
    path = tmp_path / "keys" / "key"
    atomic_write(path, b"first", secret=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        atomic_write(path, b"second", secret=True)
    assert path.read_bytes() == b"first" and [p.name for p in path.parent.iterdir()] == ["key"]
    atomic_write(tmp_path / "plain", b"one")
    atomic_write(tmp_path / "plain", b"two")  # an ordinary file is replaced whole
    assert (tmp_path / "plain").read_bytes() == b"two"
