"""Each document image check on generated specimens (kiosk/documents/specimens.py): a good scan passes every
check; each fault fails its own check with its reason code. Every test says how its image was made.

OCR here is the canned engine (tests/documents/canned_ocr.py: the specimen's printed lines), so these tests
judge the image checks alone and load no models; what the real OCR reads is tested in test_reading.py."""

from __future__ import annotations

import pytest

from kiosk.documents import specimens as S
from tests.documents.conftest import DOMAIN, PERSON

FRONT = "principal_id_front"
BACK = "leader_id_back"


def statuses(report) -> dict[str, str]:
    return {r.code: r.status for r in report.results}


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


# ---- certificates and sheets -----------------------------------------------------------------------------------


def test_licence_photo_below_300_dpi_fails_resolution(inspect, licence):
    """The licence photographed in a 2000 × 1500 frame (the page about 1000 px across)."""
    r = inspect("subject_certificate", S.jpeg_bytes(S.photograph(licence)))
    assert r.result("resolution").reason == "resolution_low"


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


def test_sheet_copies_made_during_the_ocr_are_what_the_checks_would_make(canned_ocr, monkeypatch):
    """A sheet's scaled copies and JPEG are made while the OCR runs: every check gives the same value, and the
    stored JPEG is the same bytes, as when the checks make their own copies afterwards."""
    from kiosk.documents import inspect as inspect_module
    from kiosk.documents.checks import SHEET_COPY_WIDTHS
    from tests.documents.conftest import EXPECTED, TODAY

    data = S.jpeg_bytes(S.flatbed(S.verification_sheet(domain=DOMAIN), margin=0.02))
    engine = canned_ocr["sheet"]
    during = inspect_module.inspect_document("verification_sheet", data, "s.jpg", EXPECTED, today=TODAY, engine=engine)
    assert SHEET_COPY_WIDTHS >= {600, 1000, 1240}
    monkeypatch.setattr(inspect_module, "_ocr_sheet", lambda engine, norm: inspect_module.SheetWork(
        inspect_module._ocr(engine, norm, False), {}, inspect_module.encode_jpeg(norm.image)))
    after = inspect_module.inspect_document("verification_sheet", data, "s.jpg", EXPECTED, today=TODAY, engine=engine)
    assert [r.as_dict() for r in during.results] == [r.as_dict() for r in after.results]
    assert during.normalised_jpeg == after.normalised_jpeg and during.passed
