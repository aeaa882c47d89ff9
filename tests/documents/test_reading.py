"""What the real OCR engine reads on the specimen set, and the checks that judge the readings (side, ID number,
credit code, validity, the match with what was typed), on generated specimens (kiosk/documents/specimens.py).
Every test says how its image was made."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.documents import specimens as S
from kiosk.documents.ocr import get_engine
from tests.conftest import OCR_THREADS
from tests.documents.conftest import CREDIT_CODE, DOMAIN, PERSON, SUBJECT, Inspect, make_inspect

pytestmark = pytest.mark.slow  # loads the OCR models and reads every image

FRONT = "principal_id_front"
BACK = "leader_id_back"


@pytest.fixture(scope="module")
def inspect() -> Inspect:
    """Check and read a scan with the real OCR engine (RapidOCR, one thread: see tests/conftest.py)."""
    return make_inspect(lambda kind: get_engine(threads=int(OCR_THREADS)))


def test_flatbed_scan_of_front_passes_and_reads(inspect, front):
    """Portrait side drawn at 14 px/mm, placed on a light-grey flatbed bed rotated 1.2°, JPEG q90."""
    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(front)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert r.readings["id_number"] == PERSON.number
    assert r.readings["name"] == PERSON.name
    assert r.readings["birth_date"] == PERSON.birth.isoformat()
    assert r.mismatches == ()
    assert r.normalised_jpeg[:3] == b"\xff\xd8\xff" and len(r.normalised_jpeg) <= 4 * 2**20
    assert abs(r.width / r.height - 85.6 / 54) < 0.02
    for res in r.results:
        assert res.message.zh and res.message.en and res.reason


def test_document_camera_photo_of_back_passes(inspect, back):
    """Emblem side photographed on a wooden table: perspective (far edge 8 % shorter), 4° turn, light falloff,
    sensor noise, JPEG q90."""
    r = inspect(BACK, S.jpeg_bytes(S.photograph(back)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert r.readings["expiry"]["date"] == "2036-05-01"


def test_back_uploaded_as_front_fails_side(inspect, back):
    """The emblem side scanned into the portrait-side slot."""
    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(back)))
    assert r.result("side").reason == "wrong_side"
    assert r.result("id_number").reason == "id_number_unread"


def test_front_uploaded_as_back_fails_side(inspect, front):
    r = inspect(BACK, S.jpeg_bytes(S.flatbed(front)))
    assert r.result("side").reason == "wrong_side"


def test_checksum_error_on_card(inspect):
    """A card printed with a number whose GB 11643 check digit is one off."""
    bad = S.Person("孙错号", S.broken_id_number("11010119900307453"))
    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(S.id_card_front(bad))), expected={"name": bad.name, "id_number": bad.number})
    assert r.result("id_number").reason == "id_number_checksum"
    assert r.readings["id_number"] == bad.number


def test_mistyped_number_is_a_mismatch(inspect, front):
    """The good card, but staff typed the number with two digits swapped."""
    typed = PERSON.number[:10] + PERSON.number[11] + PERSON.number[10] + PERSON.number[12:]
    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(front)), expected={"name": PERSON.name, "id_number": typed})
    assert r.result("case_match").reason == "mismatch"
    assert r.mismatches == ({"field": "id_number", "typed": typed, "read": PERSON.number},)
    assert r.result("id_number").status == "pass"


def test_mistyped_name_is_a_mismatch(inspect, front):
    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(front)), expected={"name": "张样木", "id_number": PERSON.number})
    assert [m["field"] for m in r.mismatches] == ["name"]


def test_expired_and_expiring_id(inspect):
    """Emblem sides valid until 2026-10-01 (expired on the test day 2026-11-23), 2027-02-01 (2 months left),
    2027-03-01 (3 months and a few days: passes), and 长期."""
    days = {
        dt.date(2026, 10, 1): "expired",
        dt.date(2027, 2, 1): "expiring_soon",
        dt.date(2027, 2, 23): "expiring_soon",
        dt.date(2027, 3, 1): "ok",
    }
    for end, reason in days.items():
        p = S.Person(PERSON.name, PERSON.number, valid_from=dt.date(2007, 2, 1), valid_to=end)
        r = inspect(BACK, S.jpeg_bytes(S.flatbed(S.id_card_back(p))))
        assert r.result("validity").reason == reason, (end, r.readings)
    forever = S.Person(PERSON.name, PERSON.number, valid_to=None)
    r = inspect(BACK, S.jpeg_bytes(S.flatbed(S.id_card_back(forever))))
    assert r.result("validity").status == "pass" and r.readings["expiry"]["permanent"]


def test_two_sides_on_one_a4_sheet_are_split(inspect, front, back):
    """Both sides pasted on one A4 page at 320 dpi (front above, back below), scanned on the flatbed."""
    data = S.jpeg_bytes(S.two_sides_on_a4(front, back, dpi=320))
    r = inspect(BACK, data)
    assert r.kind == BACK and r.result("side").status == "pass"
    assert r.readings["expiry"]["date"] == "2036-05-01"
    assert r.other_side is not None and r.other_side.kind == "leader_id_front"
    assert r.other_side.readings["id_number"] == PERSON.number
    assert r.other_side.result("side").status == "pass"


# ---- certificates and sheets -----------------------------------------------------------------------------------


def test_licence_scan_passes_and_reads(inspect, licence):
    """Business licence drawn on A4 at 300 dpi, on the flatbed with a 2 % bed margin."""
    r = inspect("subject_certificate", S.jpeg_bytes(S.flatbed(licence, margin=0.02)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert r.readings["credit_code"] == CREDIT_CODE
    assert r.readings["subject_name"] == SUBJECT
    assert r.readings["expiry"]["date"] == "2038-03-14"


def test_licence_with_bad_check_character(inspect):
    """A licence printed with a credit code whose GB 32100 check character is one off."""
    bad = S.broken_credit_code("91110108MA01ABCD1")
    lic = S.business_licence(SUBJECT, bad)
    r = inspect("subject_certificate", S.jpeg_bytes(S.flatbed(lic, margin=0.02)), expected={"credit_code": bad})
    assert r.result("credit_code").reason == "credit_code_checksum"


def test_licence_expiring_in_two_months(inspect):
    lic = S.business_licence(SUBJECT, CREDIT_CODE, valid_to=dt.date(2027, 1, 20))
    r = inspect("subject_certificate", S.jpeg_bytes(S.flatbed(lic, margin=0.02)))
    assert r.result("validity").reason == "expiring_soon"


def test_sealed_signed_sheet_passes(inspect):
    """Verification sheet on A4 at 300 dpi with a red round seal (ring, arc text, star, uneven ink) and a blue
    pen scribble in the signature area; flatbed scan."""
    r = inspect("verification_sheet", S.jpeg_bytes(S.flatbed(S.verification_sheet(), margin=0.02)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert DOMAIN in r.readings["domains"]


def test_domain_certificate_reads_domain_and_expiry(inspect):
    r = inspect("domain_certificate", S.jpeg_bytes(S.flatbed(S.domain_certificate(), margin=0.02)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert r.readings["expiry"]["date"] == "2028-06-30"
    other = inspect("domain_certificate", S.jpeg_bytes(S.flatbed(S.domain_certificate(), margin=0.02)),
                    expected={"domain": "other-domain.cn"})
    assert other.result("case_match").reason == "mismatch"


def test_small_print_on_a4_is_still_read(inspect):
    """The OCR reads a sheet at 1200 px wide: rows printed 2.5 mm high (about 7 pt, 14 px there) are still read,
    the domain and the expiry both."""
    doc = S.domain_certificate(text_mm=2.5)
    r = inspect("domain_certificate", S.jpeg_bytes(S.flatbed(doc, margin=0.02)))
    assert DOMAIN in r.readings["domains"]
    assert r.readings["expiry"]["date"] == "2028-06-30"
    assert r.result("case_match").passed


def test_phone_photo_of_a4_is_read(inspect, licence):
    """A 4032 × 3024 phone photo of the licence: the credit code and the name are read (its resolution is the
    resolution check's to judge)."""
    r = inspect("subject_certificate", S.jpeg_bytes(S.photograph(licence, size=(4032, 3024))))
    assert r.readings["credit_code"] == CREDIT_CODE
    assert r.readings["subject_name"] == SUBJECT


@pytest.mark.parametrize("angle", [181.2, 91.0, 271.0])
def test_turned_card_is_turned_upright(inspect, front, angle):
    """The front put on the flatbed upside down (181.2°) or on its side (91°, 271°): the normalised image is
    the card upright (landscape, name label in the upper half) and everything is read."""
    import cv2
    import numpy as np

    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(front, angle=angle)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert r.readings["birth_date"] == PERSON.birth.isoformat()
    img = cv2.imdecode(np.frombuffer(r.normalised_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[1] > img.shape[0]
    name_line = next(line for line in r.lines if "姓" in line.text)
    assert name_line.box[3] < img.shape[0] / 2
