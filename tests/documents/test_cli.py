"""`python -m kiosk check-document`: exit codes and output, on generated specimens written to tmp_path."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main
from kiosk.documents import specimens as S
from tests.documents.conftest import PERSON


@pytest.mark.slow  # reads the scan with the real OCR engine
def test_check_document_json(tmp_path, capsys, front):
    """The flatbed scan of the specimen front, checked with the typed name and number."""
    path = tmp_path / "front.jpg"
    path.write_bytes(S.jpeg_bytes(S.flatbed(front)))
    rc = main(["check-document", "--kind", "principal_id_front", str(path), "--json",
               "--name", PERSON.name, "--id-number", PERSON.number])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["passed"] and out["readings"]["id_number"] == PERSON.number


@pytest.mark.slow  # reads the scan with the real OCR engine
def test_check_document_text_failure(tmp_path, capsys, front):
    """The greyscale scan: exit 1 and the colour failure in both languages."""
    path = tmp_path / "grey.jpg"
    path.write_bytes(S.jpeg_bytes(S.greyscale(S.flatbed(front))))
    rc = main(["check-document", "--kind", "principal_id_front", str(path)])
    out = capsys.readouterr().out
    assert rc == 1 and "colour" in out and "黑白" in out


def test_check_document_bad_file(tmp_path, capsys, front):
    path = tmp_path / "card.jpg"
    path.write_bytes(S.png_bytes(front))
    rc = main(["check-document", "--kind", "principal_id_front", str(path)])
    assert rc == 2 and "upload_type_mismatch" in capsys.readouterr().err
