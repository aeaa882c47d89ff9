"""Fixtures for the document tests: specimen documents (see specimens.py) and their reports, made once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kiosk.documents.inspect import DocumentReport, inspect_document
from tests.documents import specimens as S

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


@pytest.fixture(scope="session")
def inspect() -> Callable[..., DocumentReport]:
    """inspect_document with the test day fixed and results cached per (kind, bytes, expected)."""
    cache: dict[tuple, DocumentReport] = {}

    def run(kind: str, data: bytes, filename: str = "scan.jpg", expected: dict | None = None) -> DocumentReport:
        exp = EXPECTED if expected is None else expected
        key = (kind, hash(data), filename, tuple(sorted((k, str(v)) for k, v in exp.items())))
        if key not in cache:
            cache[key] = inspect_document(kind, data, filename, exp, today=TODAY)
        return cache[key]

    return run
