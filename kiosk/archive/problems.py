"""A problem found by a verification (archive, access log, evidence pack): code, what, message in both languages."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.text import Text

# Codes, most serious first.
CODES = (
    "altered_blob",
    "missing_blob",
    "altered_manifest",
    "bad_signature",
    "missing_signature",
    "unknown_key",
    "wrong_kiosk_key",
    "missing_manifest",
    "broken_link",
    "duplicate_sequence",
    "db_mismatch",
    "record_mismatch",
    "access_log_altered",
    "access_log_broken",
    "access_log_anchor_mismatch",
    "access_log_truncated",
    "access_log_wiped",
    "access_log_bad_checkpoint",
    "extra_file",
    "pending_work",
)


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    subject: str  # the file, manifest or entry concerned
    message: Text

    def line(self) -> str:
        return f"{self.code.upper():<18} {self.subject}: {self.message.en} / {self.message.zh}"
