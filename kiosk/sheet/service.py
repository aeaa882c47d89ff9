"""Printing a case's sheet (recorded, with its page hashes) and matching a scanned signed page back to its case."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.models import AuditEvent, Case, PrintedSheet, User
from kiosk.sheet.content import build_content
from kiosk.sheet.qr import HASH_CHARS, read_page_code
from kiosk.sheet.render import render_sheet
from kiosk.text import KioskError, Text


@dataclass(frozen=True, slots=True)
class PrintedSheetFile:
    sheet_id: str
    pdf: bytes
    pages: int
    filename: str


def print_sheet(session: Session, case: Case, actor: User, *, provider_name: str, now: dt.datetime) -> PrintedSheetFile:
    """Render the case's sheet and record the printing (who, when, per-page hashes). Raises
    KioskError(sheet_incomplete) when the case lacks what the sheet prints (e.g. a Beijing registrar)."""
    content = build_content(case, provider_name)
    sheet_id = secrets.token_hex(8)
    rendered = render_sheet(content, sheet_id, now)
    session.add(PrintedSheet(sheet_id=sheet_id, case_id=case.id, printed_at=now, printed_by_id=actor.id,
                             pages=len(rendered.page_hashes), content_sha256=rendered.content_sha256,
                             page_hashes=list(rendered.page_hashes), pdf_sha256=hashlib.sha256(rendered.pdf).hexdigest()))
    session.add(AuditEvent(actor_id=actor.id, action="sheet_printed", target=f"case:{case.id}",
                           detail={"sheet_id": sheet_id, "pages": len(rendered.page_hashes)}))
    return PrintedSheetFile(sheet_id, rendered.pdf, len(rendered.page_hashes), f"核验单-{case.number}-{sheet_id}.pdf")


@dataclass(frozen=True, slots=True)
class SheetMatch:
    """A scanned page matched to its printing. `current` when it is the case's latest printing and the case has
    not changed since; otherwise `problems` say why staff should print and sign again."""

    case_id: int
    case_number: str
    sheet_id: str
    page: int
    pages: int
    printed_at: dt.datetime
    current: bool
    problems: tuple[Text, ...] = field(default=())


def _refuse(code: str, zh: str, en: str) -> KioskError:
    return KioskError(code, Text(zh, en), status=409)


def match_scan(
    session: Session, image: np.ndarray, *, provider_name: str, expected_case_id: int | None = None
) -> SheetMatch:
    """Read the QR code of a scanned sheet page and check it against what was printed.

    Raises KioskError when the code is unreadable or foreign, names no printing, names another case than the one
    printed (or than `expected_case_id`), or its page hash differs from the printed page's."""
    code = read_page_code(image)
    printed = session.scalars(select(PrintedSheet).where(PrintedSheet.sheet_id == code.sheet_id)).one_or_none()
    if printed is None:
        raise _refuse("sheet_unknown", "找不到这张核验单的打印记录", "No printing of this sheet is on record")
    case = session.get(Case, printed.case_id)
    assert case is not None
    if code.case_number != case.number:
        raise _refuse("sheet_case_mismatch", f"二维码中的案件编号与打印记录不符（应为 {case.number}）",
                      f"The QR code's case number differs from the printing's ({case.number})")
    if expected_case_id is not None and case.id != expected_case_id:
        raise _refuse("sheet_other_case", f"这是案件 {case.number} 的核验单", f"This is the sheet of case {case.number}")
    if code.pages != printed.pages or printed.page_hashes[code.page - 1][:HASH_CHARS] != code.page_hash:
        raise _refuse("sheet_page_mismatch", "此页与打印时的内容不符", "This page differs from the page printed")
    problems = []
    latest = session.scalars(select(PrintedSheet).where(PrintedSheet.case_id == case.id)
                             .order_by(PrintedSheet.printed_at.desc(), PrintedSheet.id.desc()).limit(1)).one()
    if latest.id != printed.id:
        problems.append(Text("此后又打印过新的核验单，请使用最新打印的一份", "A newer sheet was printed since: use the newest"))
    try:
        changed = build_content(case, provider_name).sha256() != printed.content_sha256
    except KioskError:
        changed = True
    if changed:
        problems.append(Text("打印后案件信息已修改，请重新打印并签字", "The case changed after printing: print and sign again"))
    return SheetMatch(case.id, case.number, printed.sheet_id, code.page, code.pages, printed.printed_at, not problems,
                      tuple(problems))
