"""The applicant's calendar file (RFC 5545): one VEVENT in Beijing time with an Asia/Shanghai VTIMEZONE.

TEXT values are escaped (backslash, semicolon, comma, newline) and content lines folded at 75 octets without
splitting a UTF-8 character; lines end in CRLF. A rescheduled appointment keeps the UID with a higher SEQUENCE,
so calendar programs move the event; a cancelled one is sent with STATUS:CANCELLED.
"""

from __future__ import annotations

import datetime as dt

from kiosk.deadlines import BEIJING
from kiosk.models import Appointment

PRODID = "-//Beian Kiosk//Counter appointments//ZH"
# China has kept UTC+8 without daylight saving since 1991.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Shanghai",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value (3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets (3.1), never inside a UTF-8 character; continuation lines start with a space."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        n = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines carry the leading space
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += n
    out.append(current)
    return "\r\n ".join(out)


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y%m%dT%H%M%S")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_ics(
    appointment: Appointment, *, case_number: str, provider_name: str, bring: list[str], now: dt.datetime,
) -> bytes:
    """The .ics of one appointment. `bring` lists what to bring, one line each (in the description)."""
    slot = appointment.slot
    cancelled = appointment.status == "cancelled"
    location = slot.location or f"{provider_name} {slot.kiosk_name}"
    description = "\n".join([
        f"案件编号 Case: {case_number}",
        "请携带 Please bring:",
        *(f"- {item}" for item in bring),
    ])
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        *VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{appointment.ics_uid}",
        f"SEQUENCE:{appointment.ics_sequence + (1 if cancelled else 0)}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART;TZID=Asia/Shanghai:{_local(slot.starts_at)}",
        f"DTEND;TZID=Asia/Shanghai:{_local(slot.ends_at)}",
        f"SUMMARY:{escape_text(f'备案当面核验 ICP filing on-site verification ({provider_name})')}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-PT2H",
        f"DESCRIPTION:{escape_text('备案当面核验 / ICP filing on-site verification')}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
