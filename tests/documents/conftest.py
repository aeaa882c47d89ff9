"""Fixtures for the document tests: specimen documents (see specimens.py) and their reports, made once.

`inspect` checks a scan with the canned OCR engine (canned_ocr.py: the specimen's printed lines, no models), for
the image checks; test_reading.py replaces it with the real OCR engine to test what is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kiosk.documents import specimens as S
from kiosk.documents.inspect import DocumentReport, inspect_document
from kiosk.documents.kinds import CERTIFICATE, ID_BACK, ID_FRONT, SHEET, kind_spec
from kiosk.documents.kinds import DOMAIN as DOMAIN_FAMILY
from kiosk.documents.ocr import OcrEngine
from tests.documents.canned_ocr import CannedOcr

TODAY = dt.date(2026, 11, 23)
PERSON = S.SPECIMEN_PEOPLE[0]
CREDIT_CODE = S.valid_credit_code("91110108MA01ABCD1")
SUBJECT = "样本科技有限公司"
DOMAIN = "example-specimen.cn"
EXPECTED = {"name": PERSON.name, "id_number": PERSON.number, "credit_code": CREDIT_CODE, "subject_name": SUBJECT,
            "domain": DOMAIN}


@pytest.fixture(scope="session")
def front() -> S.Image.Image:
    return S.id_card_front(PERSON)


@pytest.fixture(scope="session")
def back() -> S.Image.Image:
    return S.id_card_back(PERSON)


@pytest.fixture(autouse=True)
def binary_pdf_images():
    """PDFs made in these tests hold their images as binary streams, as a scanner's PDFs do (reportlab's default
    ASCII85 text encoding is pure Python here: about 15 s to write and again to read one A4 page)."""
    from reportlab import rl_config

    before = rl_config.useA85
    rl_config.useA85 = 0
    yield
    rl_config.useA85 = before


@pytest.fixture(scope="session")
def licence() -> S.Image.Image:
    """The business licence of SUBJECT with CREDIT_CODE, valid until 2038-03-14, on A4 at 300 dpi."""
    return S.business_licence(SUBJECT, CREDIT_CODE, valid_to=dt.date(2038, 3, 14))


Inspect = Callable[..., DocumentReport]


def make_inspect(engine_for: Callable[[str], OcrEngine]) -> Inspect:
    """inspect_document with the test day fixed, the engine `engine_for(kind)`, and results cached per
    (kind, bytes, expected)."""
    cache: dict[tuple, DocumentReport] = {}

    def run(kind: str, data: bytes, filename: str = "scan.jpg", expected: dict | None = None) -> DocumentReport:
        exp = EXPECTED if expected is None else expected
        key = (kind, hash(data), filename, tuple(sorted((k, str(v)) for k, v in exp.items())))
        if key not in cache:
            cache[key] = inspect_document(kind, data, filename, exp, today=TODAY, engine=engine_for(kind))
        return cache[key]

    return run


@pytest.fixture(scope="session")
def canned_ocr(front, back, licence) -> dict[str, CannedOcr]:
    """A canned engine per document family: the lines of the standard specimen of that family."""
    docs = {
        ID_FRONT: front,
        ID_BACK: back,
        CERTIFICATE: licence,
        SHEET: S.verification_sheet(domain=DOMAIN),
        DOMAIN_FAMILY: S.domain_certificate(domain=DOMAIN),
    }
    return {family: CannedOcr(S.printed_lines(doc)) for family, doc in docs.items()}


@pytest.fixture(scope="session")
def inspect(canned_ocr) -> Inspect:
    """Check a scan with the canned OCR engine of its kind's family (see the module docstring)."""
    return make_inspect(lambda kind: canned_ocr[kind_spec(kind).family])
