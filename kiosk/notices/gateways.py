"""Where notices go: e-mail over SMTP (smtplib) and SMS through a pluggable gateway.

A gateway sends one message or raises `DeliveryError` (`permanent` when retrying cannot help, e.g. the server
refused the address). SMS gateways are an explicit registry (`SMS_GATEWAYS`): a provider's SMS contract adds one
factory there; the default `log` gateway writes each SMS to the log (mobile numbers masked).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from kiosk.counter_config import CounterConfig, SmtpConfig
from kiosk.notices.outbox import EMAIL, SMS

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Outgoing:
    notice_id: int
    recipient: str
    subject: str
    body: str
    attachment_name: str | None = None
    attachment: bytes | None = None


class Gateway(Protocol):
    name: str

    def send(self, message: Outgoing) -> None: ...


def mask(address: str) -> str:
    """138****8000 for a mobile, n***@example.cn for an e-mail: for logs."""
    if "@" in address:
        local, domain = address.split("@", 1)
        return f"{local[:1]}***@{domain}"
    return address[:3] + "****" + address[-4:] if len(address) >= 7 else "****"


class LoggingGateway:
    """Writes each message to the log instead of sending it (the default SMS gateway; e-mail without SMTP)."""

    def __init__(self, channel: str) -> None:
        self.name = "log"
        self.channel = channel

    def send(self, message: Outgoing) -> None:
        log.info("%s notice %s to %s (not sent: logging gateway): %s", self.channel, message.notice_id,
                 mask(message.recipient), message.body if self.channel == SMS else message.subject)


class SmtpGateway:
    """E-mail through an SMTP server: plain, STARTTLS or implicit TLS, with login when configured."""

    def __init__(self, config: SmtpConfig) -> None:
        self.name = "smtp"
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.security == "ssl":
            return smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ssl.create_default_context())
        client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        if c.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: Outgoing) -> None:
        msg = EmailMessage()
        msg["From"] = self.config.sender
        msg["To"] = message.recipient
        msg["Subject"] = message.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=f"notice{message.notice_id}", domain=self.config.sender.rsplit("@", 1)[-1])
        msg.set_content(message.body, charset="utf-8")
        if message.attachment is not None and message.attachment_name:
            if message.attachment_name.endswith(".ics"):
                msg.add_attachment(message.attachment, maintype="text", subtype="calendar",
                                   filename=message.attachment_name, params={"method": "PUBLISH"})
            else:
                msg.add_attachment(message.attachment, maintype="application", subtype="octet-stream",
                                   filename=message.attachment_name)
        try:
            with self._connect() as client:
                if self.config.user:
                    client.login(self.config.user, self.config.password)
                client.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"recipient refused: {codes}", permanent=all(500 <= c < 600 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=500 <= exc.smtp_code < 600) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


SMS_GATEWAYS: dict[str, Callable[[CounterConfig], Gateway]] = {
    "log": lambda _config: LoggingGateway(SMS),
}


def build_gateways(config: CounterConfig) -> dict[str, Gateway]:
    """One gateway per channel from the settings. Raises ValueError for an unknown SMS gateway name."""
    factory = SMS_GATEWAYS.get(config.sms_gateway)
    if factory is None:
        raise ValueError(f"KIOSK_SMS_GATEWAY {config.sms_gateway!r} is not one of {', '.join(sorted(SMS_GATEWAYS))}")
    email: Gateway = SmtpGateway(config.smtp) if config.smtp else LoggingGateway(EMAIL)
    return {EMAIL: email, SMS: factory(config)}
