"""Face match on real photos and on specimen ID cards carrying a real person's portrait."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request

import cv2
import numpy as np
import pytest

from kiosk.checkresult import UnknownThresholdError
from kiosk.documents import specimen_cards as C
from kiosk.documents import specimens as S
from kiosk.identity import FaceMatcher, FaceSide, MatchThresholds, MatchVerdict, matcher_from_settings
from kiosk.identity.faces import distance
from kiosk.identity.models import RECOGNITION_MODEL, FaceModels
from kiosk.identity.portrait import WHOLE_IMAGE, ZONE, ZONE_TURNED
from kiosk.photo.vision import FaceBox
from kiosk.settings import load_settings
from kiosk.text import KioskError
from tests.identity.dataset import photo

pytestmark = pytest.mark.slow

OBAMA_A, OBAMA_B = "obama__obama.jpg", "obama__obama2.jpg"
BIDEN = "biden__biden.jpg"


@pytest.fixture(scope="module")
def matcher() -> FaceMatcher:
    m = FaceMatcher()
    yield m
    m.close()


def load(name: str) -> np.ndarray:
    return photo(name).load()


def card_of(name: str, capture=S.flatbed, person: S.Person = S.SPECIMEN_PEOPLE[0]) -> np.ndarray:
    return C.to_bgr(capture(C.card_front(person, C.portrait_from_photo(load(name)))))


def test_same_person_on_two_photos(matcher: FaceMatcher) -> None:
    a, b = matcher.live_face(load(OBAMA_A)), matcher.live_face(load(OBAMA_B))
    c = matcher.live_face(load(BIDEN))
    assert a is not None and b is not None and c is not None
    assert distance(a.descriptor, b.descriptor) < 0.45
    assert distance(a.descriptor, c.descriptor) > 0.7
    assert a.descriptor.shape == (128,) and len(a.landmarks) == 5


@pytest.mark.parametrize("capture", [S.flatbed, S.photograph], ids=["scan", "table_photo"])
def test_live_photo_matches_the_portrait_on_the_card(matcher: FaceMatcher, capture) -> None:
    card = card_of(OBAMA_A, capture)
    same = matcher.match(load(OBAMA_B), card)
    assert same.verdict == MatchVerdict.SAME and same.same
    assert same.distance <= same.threshold == 0.5
    assert same.similarity == pytest.approx(1 - same.distance) and same.min_similarity == pytest.approx(0.5)
    assert same.card["where"] == ZONE and same.card["card_found"]
    assert "一致" in same.message.zh and "%" in same.message.en
    other = matcher.match(load(BIDEN), card)
    assert other.verdict == MatchVerdict.DIFFERENT and not other.same
    assert other.distance > other.threshold and other.reason == "different_person"
    assert "第二名工作人员" in other.message.zh


def test_result_is_sealable_and_carries_the_model(matcher: FaceMatcher) -> None:
    result = matcher.match(load(OBAMA_B), card_of(OBAMA_A))
    data = result.as_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["model"]["name"] == RECOGNITION_MODEL and len(data["model"]["sha256"]) == 64
    assert "dlib" in data["model"]["version"] and "face_recognition_models 0.3.0" in data["model"]["version"]
    assert set(data["timings_ms"]) == {"live", "card", "total"}
    assert "descriptor" not in text and "jpeg" not in text
    for jpeg in (result.live_face_jpeg, result.card_face_jpeg):  # the two faces staff compare
        face = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert face.shape == (240, 240, 3)


def test_upside_down_card_is_turned(matcher: FaceMatcher) -> None:
    card = cv2.rotate(card_of(OBAMA_A), cv2.ROTATE_180)
    result = matcher.match(load(OBAMA_B), card)
    assert result.verdict == MatchVerdict.SAME and result.card["where"] == ZONE_TURNED


def test_a_portrait_crop_without_a_card_outline_is_searched_whole(matcher: FaceMatcher) -> None:
    portrait = C.portrait_from_photo(load(OBAMA_A))
    result = matcher.match(load(OBAMA_B), portrait)  # a portrait crop, not a card
    assert result.verdict == MatchVerdict.SAME and result.card["where"] == WHOLE_IMAGE and not result.card["card_found"]


def test_card_without_a_portrait_is_no_face(matcher: FaceMatcher) -> None:
    card = C.to_bgr(S.flatbed(S.id_card_front(S.SPECIMEN_PEOPLE[1])))  # the drawn silhouette only
    result = matcher.match(load(OBAMA_B), card)
    assert result.verdict == MatchVerdict.NO_FACE and result.missing == FaceSide.ID_CARD
    assert result.distance is None and result.similarity is None and "身份证" in result.message.zh


def test_live_photo_without_a_face_is_no_face(matcher: FaceMatcher) -> None:
    backdrop = np.full((720, 1280, 3), (206, 200, 196), np.uint8)
    result = matcher.match(backdrop, card_of(OBAMA_A))
    assert result.verdict == MatchVerdict.NO_FACE and result.missing == FaceSide.LIVE
    assert "现场照片" in result.message.zh


def test_a_tiny_face_is_too_small(matcher: FaceMatcher) -> None:
    small = cv2.resize(load(OBAMA_B), None, fx=0.12, fy=0.12, interpolation=cv2.INTER_AREA)
    small = cv2.copyMakeBorder(small, 200, 200, 300, 300, cv2.BORDER_REPLICATE)
    result = matcher.match(small, card_of(OBAMA_A))
    assert result.verdict == MatchVerdict.NO_FACE
    assert result.reason in ("face_too_small", "no_face") and result.missing == FaceSide.LIVE


def test_bad_input_is_a_clear_error(matcher: FaceMatcher) -> None:
    with pytest.raises(KioskError) as err:
        matcher.match(np.zeros((10, 10), np.uint8), card_of(OBAMA_A))
    assert err.value.code == "image_invalid"


def test_the_judges_face_box_can_be_given(matcher: FaceMatcher) -> None:
    live = load(OBAMA_B)
    found = matcher.live_face(live)
    box = FaceBox(found.box.x0, found.box.y0, found.box.x1, found.box.y1, 0.9, found.box.keypoints)
    given = matcher.match(live, card_of(OBAMA_A), live_box=box)
    assert given.verdict == MatchVerdict.SAME and given.live["detector"] == "given"


def test_matches_from_two_threads_agree(matcher: FaceMatcher) -> None:
    live, card = load(OBAMA_B), card_of(OBAMA_A)
    results: list[float] = []

    def run() -> None:
        results.append(matcher.match(live, card).distance)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and max(results) - min(results) < 1e-6


def test_thresholds_from_the_kiosk_profile(tmp_path) -> None:
    profile = tmp_path / "kiosk.json"
    profile.write_text(json.dumps({"identity": {"max_distance": 0.45}}))
    settings = load_settings({"KIOSK_VAR_DIR": str(tmp_path), "KIOSK_SECRET_KEY": "x", "KIOSK_PROFILE": str(profile)})
    assert matcher_from_settings(settings).thresholds.max_distance == 0.45
    assert MatchThresholds().max_distance == 0.5
    with pytest.raises(UnknownThresholdError):
        MatchThresholds.from_dict({"tolerance": 0.6})


def test_models_load_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    fresh = FaceMatcher(models=FaceModels())
    try:
        assert fresh.match(load(OBAMA_B), card_of(OBAMA_A)).verdict == MatchVerdict.SAME
    finally:
        fresh.close()
