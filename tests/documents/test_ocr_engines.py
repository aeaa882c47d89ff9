"""Both OCR engines behind the one interface. Tesseract is optional (not in APT_RUN: it lost the measurement,
see kiosk/documents/README.md), so its test skips when the Debian package is absent."""

from __future__ import annotations

import shutil

import pytest

from kiosk.documents import specimens as S
from kiosk.documents.inspect import inspect_document
from kiosk.documents.ocr import get_engine
from tests.documents.conftest import PERSON, TODAY


def test_unknown_engine():
    with pytest.raises(ValueError):
        get_engine("nope")


@pytest.mark.slow  # loads the OCR models
def test_engine_is_shared():
    assert get_engine("rapidocr") is get_engine("rapidocr")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Debian tesseract-ocr not installed")
def test_tesseract_reads_the_number(front):
    """The flatbed scan of the specimen front, read by tesseract (chi_sim)."""
    r = inspect_document("principal_id_front", S.jpeg_bytes(S.flatbed(front)), "f.jpg", {}, today=TODAY,
                         engine=get_engine("tesseract"))
    assert r.readings["id_number"] == PERSON.number
