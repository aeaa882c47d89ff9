"""Playwright on headless Chromium, in Chinese: walk the counter, the audit pages, the access log and the evidence
PDF of a sealed case and fail on any of the project's own codes (states, roles, checks, moves, logged actions,
attachment kinds, phases ...) appearing as visible text. Codes belong in data attributes, logs and JSON.

Elements marked `data-raw` are skipped: the access log's detail column shows each record's JSON verbatim.
The accounts here have Chinese-style user names (the suite's default accounts are named after their roles, which
would read as the role codes) and the document scans carry applicant-style file names."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pytest
from sqlalchemy import select

from kiosk import accounts, words
from kiosk.archive import sealing
from kiosk.checkresult import failed, passed
from kiosk.models import Attachment, CheckResultRow
from kiosk.photo.result import Verdict
from kiosk.text import Text
from tests.archive.factory import finish, make_case
from web.db import get_database
from web.services import get_archive

pytestmark = pytest.mark.browser

NUMBER = "BK-20261124-0007"
PEOPLE = {"wangli": ("staff", "王丽"), "zhaomin": ("auditor", "赵敏"), "chenjing": ("admin", "陈静")}
PASSWORD = "walk-password-123"
CODE = re.compile(r"^[a-z][a-z0-9_]{2,}$")
# a value beside its threshold with neither unit nor direction, as pages used to show them ("26.9258 / 15.0")
BARE_PAIR = re.compile(r"\d+\.\d+\s*/\s*\d+(\.\d+)?")
# the readings the walk must find in Chinese: a document's sharpness, the accepted photo's head turn, and the
# discarded attempt's head turn beyond its limit
DOCUMENT_READING = "清晰度 0.62（下限 0.40）"
PHOTO_READING = "头部左右偏转 3°（上限 20°）"
FAILED_READING = "头部左右偏转 27°（上限 20°）"


def project_codes() -> set[str]:
    """Every code in the words catalogue of three or more characters (a page in Chinese shows none of them)."""
    codes = {str(code) for table in words.CATALOGUE.values() for code in table}
    return {c for c in codes if CODE.match(c)}


def unmistakable_codes(codes: set[str]) -> set[str]:
    """The codes that are no English word of the catalogue: the bilingual PDF may say "Draft" or "Seal" in
    English, but never "awaiting_internal_audit" or "auto"."""
    english = {t.lower() for table in words.CATALOGUE.values() for text in table.values()
               for t in re.findall(r"[A-Za-z]+", text.en)}
    return {c for c in codes if "_" in c or c not in english}


def raw_codes(text: str, codes: set[str]) -> set[str]:
    return {token for token in re.findall(r"[A-Za-z][A-Za-z0-9_]*", text) if token in codes}


def _around(text: str, token: str) -> str:
    """Where `token` first shows, with some text either side (for the failure message)."""
    m = re.search(r"\b" + re.escape(token) + r"\b", text)
    return text[max(0, m.start() - 50):m.end() + 30].replace("\n", " | ") if m else ""


@pytest.fixture
def walk_case(app):
    db = get_database(app)
    archive = get_archive(app)
    with db.session() as s:
        users = {name: accounts.create_user(s, name, role, PASSWORD, display_name=shown)
                 for name, (role, shown) in PEOPLE.items()}
        case = make_case(s, archive.store, users["wangli"], number=NUMBER, seed=7, attempts=2)
        for i, att in enumerate(s.scalars(select(Attachment).where(Attachment.case_id == case.id))):
            att.filename = f"扫描件{i + 1:03d}.jpg"
            att.checks = [passed("sharpness", value=0.6234, threshold=0.4, message=Text("清晰", "Sharp")).as_dict()]
            if att.override_reason:
                att.override_reason = "复印件清晰，已人工核对原件"
        for attempt in case.photo_attempts:
            _judged(attempt, turned=attempt.status != "accepted")
        finish(s, case, users["wangli"])
        sealing.seal_case(s, archive.store, archive.signer, case, users["wangli"], archive.kiosk_name)  # its own key
        case_id = case.id
    return case_id


def _judged(attempt, *, turned: bool) -> None:
    """Give `attempt` the verdict of a real judge: one person, the head turned 26.9° (discarded) or 3.4°."""
    frontal = (failed("frontal", reason="head_turned", message=Text("请正对镜头", "Please face the camera"),
                      value=26.9258, threshold=20.0, measure="yaw") if turned
               else passed("frontal", value=3.4, threshold=20.0, measure="yaw"))
    verdict = Verdict((passed("single_person", value=1.0, threshold=1.0), frontal)).as_dict()
    attempt.verdict, attempt.passed = verdict, not turned
    attempt.results = [CheckResultRow.from_result(i, r) for i, r in enumerate(verdict["results"])]


def _login(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_counter_audit_and_pdf_show_words_not_codes(live_server, browser, walk_case):
    # not codes here: the suite's accounts' user names, and its camera setting, the literal "none" (an unknown
    # source, which the camera's error message quotes as configured)
    codes = project_codes() - {"staff", "supervisor", "auditor", "admin", "none"}
    assert {"awaiting_internal_audit", "finish_verification", "single_person", "verification_photo"} <= codes
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_server.url
    found: dict[str, dict[str, str]] = {}
    texts: dict[str, str] = {}

    def visit(path: str, selector: str = "main") -> None:
        page.goto(base + path)
        page.wait_for_load_state()
        # the visible text of `selector`, without elements marked data-raw (a log record's detail, shown verbatim)
        text = page.evaluate("""sel => [...document.querySelectorAll(sel)].map(el => {
            const copy = el.cloneNode(true);
            copy.querySelectorAll("[data-raw], script, style, template").forEach(n => n.remove());
            return copy.textContent; }).join("\\n")""", selector)
        texts[path] = text
        if hits := raw_codes(text, codes):
            found[path] = {hit: _around(text, hit) for hit in hits}

    try:
        _login(page, base, "wangli")
        for path in ("/cases", f"/cases/{walk_case}", "/day", "/dashboard", "/notices",
                     f"/cases/{walk_case}/documents/principal_id_front", f"/booth/counter/{walk_case}"):
            visit(path)
        page.click("header button.link")
        page.wait_for_load_state()

        _login(page, base, "zhaomin")
        visit("/audit/")
        visit(f"/audit/?number={NUMBER}")
        visit("/audit/kiosks")
        visit(f"/audit/cases/{NUMBER}")
        with page.expect_download() as info:
            page.click("#export-button")
        with open(info.value.path(), "rb") as f:
            pack = zipfile.ZipFile(io.BytesIO(f.read()))
        pdf_name = next(n for n in pack.namelist() if n.endswith(".pdf"))
        pdf_text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pack.read(pdf_name),
                                  capture_output=True, check=True).stdout.decode()
        assert NUMBER in pdf_text
        texts[pdf_name] = " ".join(pdf_text.split())
        if hits := raw_codes(pdf_text, unmistakable_codes(codes)):
            found[pdf_name] = {hit: _around(pdf_text, hit) for hit in hits}
        page.click("header button.link")
        page.wait_for_load_state()

        _login(page, base, "chenjing")
        visit("/audit/access-log")
        # the users page lists the suite's role-named accounts: read its role, status and lock columns only
        visit("/admin/users", "#users tbody td:nth-child(3), #users tbody td:nth-child(4), #users tbody td:nth-child(5)")
    finally:
        context.close()
    assert found == {}, f"raw codes shown to people: {found}"
    counter, audit, pdf = texts[f"/booth/counter/{walk_case}"], texts[f"/audit/cases/{NUMBER}"], texts[pdf_name]
    document = texts[f"/cases/{walk_case}/documents/principal_id_front"]
    assert PHOTO_READING in counter and FAILED_READING in counter, counter
    assert PHOTO_READING in audit and FAILED_READING in audit and DOCUMENT_READING in audit, audit
    assert DOCUMENT_READING in document, document
    assert PHOTO_READING in pdf and DOCUMENT_READING in pdf, pdf
    bare = {where: BARE_PAIR.findall(text) for where, text in texts.items() if BARE_PAIR.search(text)}
    assert bare == {}, f"values shown as bare number pairs: {bare}"
