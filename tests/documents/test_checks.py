"""Each document check on generated specimens (tests/documents/specimens.py): a good scan passes every check;
each fault fails its own check with its reason code. Every test says how its image was made."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.documents import specimens as S
from tests.documents.conftest import CREDIT_CODE, DOMAIN, PERSON, SUBJECT

FRONT = "principal_id_front"
BACK = "leader_id_back"


def statuses(report) -> dict[str, str]:
    return {r.code: r.status for r in report.results}


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


def test_greyscale_scan_fails_colour(inspect, front):
    """The flatbed scan converted to grey (L) and back to RGB, like a black-and-white scan."""
    r = inspect(FRONT, S.jpeg_bytes(S.greyscale(S.flatbed(front))))
    assert statuses(r)["colour"] == "fail" and r.result("colour").reason == "greyscale"


def test_photocopy_fails_colour(inspect, front):
    """The scan as a photocopy scanned in colour: grey, contrast up, toner noise, a warm paper cast."""
    r = inspect(FRONT, S.jpeg_bytes(S.photocopy(S.flatbed(front))))
    assert statuses(r)["colour"] == "fail"


def test_cut_edge_fails(inspect, front):
    """The table photo with its right 25 % cropped away: the card runs into the image's right edge."""
    r = inspect(FRONT, S.jpeg_bytes(S.cut(S.photograph(front), right=0.25)))
    assert statuses(r)["edges"] == "fail"
    assert "right" in r.result("edges").details["sides"]


def test_cut_flatbed_scan_fails(inspect, back):
    """The flatbed scan of the back with its top 20 % cropped away."""
    r = inspect(BACK, S.jpeg_bytes(S.cut(S.flatbed(back), top=0.2)))
    assert statuses(r)["edges"] == "fail"


@pytest.mark.parametrize("radius,status", [(1.0, "pass"), (3.0, "fail"), (5.0, "fail")])
def test_blur(inspect, front, radius, status):
    """The flatbed scan with a Gaussian blur of the given radius (px at 14 px/mm)."""
    r = inspect(FRONT, S.jpeg_bytes(S.blur(S.flatbed(front), radius)))
    assert statuses(r)["sharpness"] == status


def test_glare_over_text_fails(inspect, front):
    """The table photo with a specular spot (radius 6 % of the image, clipped to white) over the address."""
    r = inspect(FRONT, S.jpeg_bytes(S.glare(S.photograph(front), (0.4, 0.5), 0.06)))
    assert statuses(r)["glare"] == "fail"


def test_small_glare_outside_text_passes(inspect, front):
    """A tiny highlight (radius 1 %) in the card's bottom-right corner, away from text."""
    r = inspect(FRONT, S.jpeg_bytes(S.glare(S.photograph(front), (0.76, 0.72), 0.01)))
    assert statuses(r)["glare"] == "pass"


def test_low_resolution_fails(inspect, front):
    """The flatbed scan scaled to 60 % (card about 720 px wide, below 1000)."""
    r = inspect(FRONT, S.jpeg_bytes(S.low_resolution(S.flatbed(front), 0.6)))
    assert statuses(r)["resolution"] == "fail"
    assert r.result("resolution").value < 1000


@pytest.mark.parametrize("seed", [0, 1])
def test_photo_of_a_screen_fails(inspect, front, seed):
    """The card shown on a simulated monitor (RGB subpixel stripes of 3 px, row gaps, a diagonal moiré wave,
    bluish and brighter), then photographed on the table."""
    r = inspect(FRONT, S.jpeg_bytes(S.screen_photo(front, seed=seed)))
    assert statuses(r)["screen"] == "fail"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_paper_photos_are_not_screens(inspect, front, back, seed):
    r1 = inspect(FRONT, S.jpeg_bytes(S.photograph(front, seed=seed, rotate=-3)))
    r2 = inspect(BACK, S.jpeg_bytes(S.photograph(back, seed=seed + 5)))
    assert statuses(r1)["screen"] == statuses(r2)["screen"] == "pass"


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


@pytest.fixture(scope="module")
def licence():
    return S.business_licence(SUBJECT, CREDIT_CODE, valid_to=dt.date(2038, 3, 14))


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


def test_licence_photo_below_300_dpi_fails_resolution(inspect, licence):
    """The licence photographed in a 2000 × 1500 frame (the page about 1000 px across)."""
    r = inspect("subject_certificate", S.jpeg_bytes(S.photograph(licence)))
    assert r.result("resolution").reason == "resolution_low"


def test_sealed_signed_sheet_passes(inspect):
    """Verification sheet on A4 at 300 dpi with a red round seal (ring, arc text, star, uneven ink) and a blue
    pen scribble in the signature area; flatbed scan."""
    r = inspect("verification_sheet", S.jpeg_bytes(S.flatbed(S.verification_sheet(), margin=0.02)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert DOMAIN in r.readings["domains"]


def test_sheet_without_seal_fails(inspect):
    r = inspect("verification_sheet", S.jpeg_bytes(S.flatbed(S.verification_sheet(sealed=False), margin=0.02)))
    assert r.result("seal").reason == "seal_missing"
    assert r.result("signature").status == "pass"


def test_sheet_without_seal_is_fine_for_individuals(inspect):
    data = S.jpeg_bytes(S.flatbed(S.verification_sheet(sealed=False), margin=0.02))
    r = inspect("verification_sheet", data, expected={"require_seal": False, "domain": DOMAIN})
    assert r.result("seal").status == "skipped"
    # black print and a signature have no colour to judge the scan by: skipped, not a failure staff must override
    assert r.result("colour").status == "skipped"
    assert r.passed, [f.as_dict() for f in r.failures]


def test_unsigned_sheet_fails(inspect):
    r = inspect("verification_sheet", S.jpeg_bytes(S.flatbed(S.verification_sheet(signed=False), margin=0.02)))
    assert r.result("signature").reason == "signature_missing"
    assert r.result("seal").status == "pass"


def test_greyscale_sheet_loses_its_seal(inspect):
    """The sealed, signed sheet scanned in greyscale: the seal is no longer red."""
    r = inspect("verification_sheet", S.jpeg_bytes(S.greyscale(S.flatbed(S.verification_sheet(), margin=0.02))))
    assert r.result("colour").status == "fail" and r.result("seal").status == "fail"


def test_domain_certificate_reads_domain_and_expiry(inspect):
    r = inspect("domain_certificate", S.jpeg_bytes(S.flatbed(S.domain_certificate(), margin=0.02)))
    assert r.passed, [f.as_dict() for f in r.failures]
    assert r.readings["expiry"]["date"] == "2028-06-30"
    other = inspect("domain_certificate", S.jpeg_bytes(S.flatbed(S.domain_certificate(), margin=0.02)),
                    expected={"domain": "other-domain.cn"})
    assert other.result("case_match").reason == "mismatch"


def test_report_is_json_ready(inspect, front):
    import json

    r = inspect(FRONT, S.jpeg_bytes(S.flatbed(front)))
    data = json.loads(json.dumps(r.as_dict(), ensure_ascii=False))
    assert data["passed"] is True and data["readings"]["id_number"] == PERSON.number


def test_real_photographs_are_not_screens():
    """The project's real photographs (tests/data/photos, provenance in its README: people, objects, paintings,
    a screenshot, defocused text) as negatives for the screen detector: none scores above the threshold."""
    from pathlib import Path

    import cv2
    import numpy as np

    from kiosk.documents.checks.screen import N, peak_score
    from kiosk.documents.thresholds import DEFAULTS

    paths = sorted(Path(__file__).resolve().parent.parent.joinpath("data", "photos").glob("*.jpg"))
    assert len(paths) >= 20
    for path in paths:
        g = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        h, w = g.shape
        if h < N or w < N:
            continue
        scores = []
        for x in (w // 4, w // 2, 3 * w // 4):
            x0, y0 = min(max(0, x - N // 2), w - N), max(0, h // 2 - N // 2)
            scores.append(peak_score(g[y0 : y0 + N, x0 : x0 + N]))
        assert float(np.median(scores)) <= DEFAULTS["screen_max_peak"], path.name


def test_one_page_pdf_scan_is_checked(inspect):
    """The sealed, signed sheet on the flatbed (300 dpi), embedded as the only image of a one-page PDF made with
    reportlab, like a scanner's PDF."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(S.flatbed(S.verification_sheet(), margin=0.02)), 0, 0, width=A4[0], height=A4[1])
    c.save()
    r = inspect("verification_sheet", buf.getvalue(), "sheet.pdf")
    assert r.media_type == "application/pdf"
    assert r.passed, [f.as_dict() for f in r.failures]


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
