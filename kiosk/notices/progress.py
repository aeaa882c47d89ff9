"""The public progress lookup: case number + the last 4 characters of the website leader's ID number → the
state and the next step, nothing else (no name, no domain, no date).

An unknown case number and wrong digits get the same answer, and take the same path: one query whatever the
input, and a constant-time comparison against the stored digits or, for an unknown case, against a dummy value.
The web layer rate-limits the page; this function does not remember who asked.
"""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from kiosk.models import Case, Person
from kiosk.notices.messages import next_step, state_name
from kiosk.text import Text

NOT_FOUND = Text("未找到匹配的案件，请核对案件编号和网站负责人证件号码后4位",
                 "No matching case: check the case number and the last 4 characters of the website leader's ID number")
_DUMMY = "\x00\x00\x00\x00"
MAX_INPUT = 64


@dataclass(frozen=True, slots=True)
class ProgressAnswer:
    found: bool
    state: Text | None = None
    next_step: Text | None = None
    message: Text | None = None


def _normalise(value: str, length: int) -> str:
    """Full-width to half-width, trimmed, upper case (the check character X), cut to a sane length."""
    return unicodedata.normalize("NFKC", value or "")[:length].strip().upper()


def progress_lookup(session: Session, case_number: str, id_last4: str) -> ProgressAnswer:
    """The state and next step of the case, when `id_last4` ends the website leader's ID number."""
    number = _normalise(case_number, MAX_INPUT)
    digits = _normalise(id_last4, MAX_INPUT)
    leader = aliased(Person)
    # Plain columns, not a Case entity: a found and an unknown case cost the same to read.
    row = session.execute(
        select(Case.state, Case.province, Case.filing_type, leader.id_number)
        .outerjoin(leader, (leader.case_id == Case.id) & (leader.role == "website_leader"))
        .where(Case.number == number).limit(1)
    ).first()
    stored = (row.id_number or "")[-4:].upper() if row is not None else ""
    expected = stored if len(stored) == 4 else _DUMMY
    given = digits if len(digits) == 4 else "\x01" * 4
    matched = hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")) and expected != _DUMMY
    if not matched or row is None:
        return ProgressAnswer(False, message=NOT_FOUND)
    case = Case(state=row.state, province=row.province, filing_type=row.filing_type)  # transient, never added
    return ProgressAnswer(True, state=state_name(case), next_step=next_step(case))
