"""`python -m kiosk match-face LIVE ID_FRONT [--json]`: output and exit codes on real photos and a specimen card."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main
from kiosk.documents import specimen_cards as C
from kiosk.documents import specimens as S
from tests.identity.dataset import DATA, photo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def card_path(tmp_path_factory):
    """A table photo of a specimen card printed with the portrait of obama__obama.jpg."""
    path = tmp_path_factory.mktemp("cards") / "id_front.jpg"
    card = C.card_front(S.SPECIMEN_PEOPLE[0], C.portrait_from_photo(photo("obama__obama.jpg").load()))
    path.write_bytes(S.jpeg_bytes(S.photograph(card, seed=4)))
    return path


def test_same_person_text(card_path, capsys, tmp_path):
    rc = main(["match-face", str(DATA / "obama__obama2.jpg"), str(card_path), "--save-faces", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "verdict: same" in out and "similarity:" in out and "threshold 0.500" in out and "一致" in out
    assert (tmp_path / "live_face.jpg").stat().st_size > 1000 and (tmp_path / "id_card_face.jpg").exists()


def test_different_person_json(card_path, capsys):
    rc = main(["match-face", str(DATA / "biden__biden.jpg"), str(card_path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["verdict"] == "different" and out["similarity"] < out["min_similarity"]
    assert out["model"]["name"] == "dlib_face_recognition_resnet_model_v1"


def test_no_face_on_the_card(tmp_path, capsys):
    path = tmp_path / "blank_card.jpg"
    path.write_bytes(S.jpeg_bytes(S.flatbed(S.id_card_front(S.SPECIMEN_PEOPLE[2]))))
    rc = main(["match-face", str(DATA / "obama__obama2.jpg"), str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1 and out["verdict"] == "no_face" and out["missing"] == "id_card"


def test_missing_and_unreadable_files(tmp_path, card_path, capsys):
    assert main(["match-face", str(tmp_path / "nope.jpg"), str(card_path)]) == 2
    assert "image_missing" in capsys.readouterr().err
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    assert main(["match-face", str(DATA / "obama__obama2.jpg"), str(bad), "--json"]) == 2
    assert "error" in json.loads(capsys.readouterr().out)
