"""Bilingual text: every message a person reads comes in Chinese first, then English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """A message in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The message in `lang` ("zh" or "en"); Chinese for anything else."""
        return self.en if lang == "en" else self.zh

    def both(self) -> str:
        """"中文 / English", for logs and command-line output."""
        return f"{self.zh} / {self.en}"

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class KioskError(Exception):
    """An error a person can act on: carries a reason code and a bilingual message."""

    def __init__(self, code: str, text: Text, status: int = 400) -> None:
        super().__init__(f"{code}: {text.en}")
        self.code = code
        self.text = text
        self.status = status

    def as_dict(self) -> dict[str, object]:
        return {"error": self.code, "message": self.text.as_dict()}


def human_bytes(size: int) -> str:
    """A byte count for people: "812 B", "3.4 KB", "2.4 MB" (1 KB = 1024 bytes)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def mask_number(number: str, keep: int = 4) -> str:
    """An ID or credit-code number as lists show it: the first and last `keep` characters, the rest starred."""
    number = number or ""
    if len(number) <= 2 * keep:
        return "*" * len(number)
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]
