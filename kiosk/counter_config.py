"""Settings of the counter's day (appointments, sheets, deadlines, applicant notices), from KIOSK_ variables.

| variable | default | meaning |
| --- | --- | --- |
| KIOSK_PROVIDER_NAME | 接入服务商 | the provider's name printed on the verification sheet and in notices |
| KIOSK_SMTP_HOST | (none) | SMTP server for applicant e-mails; without it e-mails go to the log |
| KIOSK_SMTP_PORT | 25 (465 with ssl, 587 with starttls) | its port |
| KIOSK_SMTP_SECURITY | none | none, starttls or ssl |
| KIOSK_SMTP_USER / KIOSK_SMTP_PASSWORD | (none) | login, when the server wants one |
| KIOSK_SMTP_FROM | noreply@localhost | sender address |
| KIOSK_SMS_GATEWAY | log | SMS gateway name (kiosk.notices.gateways.SMS_GATEWAYS); `log` writes SMS to the log |
| KIOSK_HOLIDAYS_FILE | (none) | JSON of public holidays for years chinesecalendar does not know yet (kiosk.deadlines) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SMTP_SECURITY = ("none", "starttls", "ssl")
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


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


def load_counter_config(env: dict[str, str] | None = None) -> CounterConfig:
    """The counter settings from `env` (default: os.environ). Raises ValueError for a bad value."""
    env = dict(os.environ if env is None else env)

    def get(name: str, default: str = "") -> str:
        return env.get(f"KIOSK_{name}", default).strip() or default

    smtp = None
    host = get("SMTP_HOST")
    if host:
        security = get("SMTP_SECURITY", "none").lower()
        if security not in SMTP_SECURITY:
            raise ValueError(f"KIOSK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security!r}")
        port_text = get("SMTP_PORT", str(_DEFAULT_PORTS[security]))
        if not port_text.isdigit():
            raise ValueError(f"KIOSK_SMTP_PORT must be a number, not {port_text!r}")
        smtp = SmtpConfig(host, int(port_text), security, get("SMTP_USER"), get("SMTP_PASSWORD"),
                          get("SMTP_FROM", "noreply@localhost"))
    holidays = get("HOLIDAYS_FILE")
    return CounterConfig(
        provider_name=get("PROVIDER_NAME", "接入服务商"),
        smtp=smtp,
        sms_gateway=get("SMS_GATEWAY", "log"),
        holidays_file=Path(holidays) if holidays else None,
    )
