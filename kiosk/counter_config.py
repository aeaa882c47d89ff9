"""Settings of the counter's day (appointments, sheets, deadlines, applicant notices), taken from `Settings`
(see README's settings table: KIOSK_PROVIDER_NAME, KIOSK_SMTP_*, KIOSK_SMS_GATEWAY, KIOSK_HOLIDAYS_FILE)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.settings import SMTP_SECURITY, Settings, load_settings

__all__ = ["SMTP_SECURITY", "CounterConfig", "SmtpConfig", "counter_config", "load_counter_config"]


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: str = "none"
    user: str = ""
    password: str = ""
    sender: str = "noreply@localhost"
    timeout: float = 15.0


@dataclass(frozen=True, slots=True)
class CounterConfig:
    provider_name: str = "接入服务商"
    smtp: SmtpConfig | None = None
    sms_gateway: str = "log"
    holidays_file: Path | None = None


def counter_config(settings: Settings) -> CounterConfig:
    """The counter's settings out of the kiosk's `Settings` (no SMTP server: e-mails go to the log)."""
    smtp = None
    if settings.smtp_host:
        smtp = SmtpConfig(settings.smtp_host, settings.smtp_port, settings.smtp_security, settings.smtp_user,
                          settings.smtp_password, settings.smtp_from)
    return CounterConfig(provider_name=settings.provider_name, smtp=smtp, sms_gateway=settings.sms_gateway,
                         holidays_file=settings.holidays_file)


def load_counter_config(env: dict[str, str] | None = None) -> CounterConfig:
    """`counter_config(load_settings(env))`: raises ValueError for a bad value."""
    return counter_config(load_settings(env))
