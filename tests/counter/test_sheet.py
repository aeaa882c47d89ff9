"""The verification sheet: contents per subject type and province, pages, the QR code read back with OpenCV
from the PDF rendered by pdftoppm, and a scanned signed page matched to its case and checked."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import cv2
import numpy as np
import pytest
from pypdf import PdfReader

from kiosk import cases, filing
from kiosk.sheet import qr
from kiosk.sheet.service import match_scan, print_sheet
from kiosk.text import KioskError

from .conftest import new_case, staff

PROVIDER = "示例云计算有限公司"
NOW = dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC)
INDIVIDUAL = dict(subject_type="individual", subject_name="张三", subject_cert_number="11010519491231002X")


def render_pages(pdf: bytes, tmp_path, dpi: int = 150) -> list[np.ndarray]:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: `make test` installs Debian's poppler-utils")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True, timeout=60)
    files = sorted(tmp_path.glob("page-*.png"))
    return [cv2.imread(str(f)) for f in files]


def text_of(pdf: bytes) -> str:
    import io

    # paragraphs wrap anywhere in Chinese: compare without the line breaks
    return "".join(page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(pdf)).pages)


def scanned(page: np.ndarray, seed: int = 1) -> np.ndarray:
    """A page as a phone or scanner returns it after signing: a little rotated, blurred, noisy, JPEG-compressed."""
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 2.5, 0.9)
    out = cv2.warpAffine(page, matrix, (w, h), borderValue=(235, 235, 235))
    out = cv2.GaussianBlur(out, (3, 3), 0.8)
    noise = np.random.default_rng(seed).normal(0, 6, out.shape)
    out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 70])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def test_organisation_sheet_in_beijing_names_registrars_and_has_seal_box(db, tmp_path):
    with db.session() as s:
        case = new_case(s, province="beijing")
        with pytest.raises(KioskError) as err:
            print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW)
        assert err.value.code == "sheet_incomplete" and "example.cn" in err.value.text.zh and "注册商" in err.value.text.zh
        filing.set_registrars(s, case, {"example.cn": "阿里云计算有限公司"}, staff(s))
        sheet = print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW)
        text = text_of(sheet.pdf)
        assert sheet.pages == 1 and sheet.pdf.startswith(b"%PDF")
        for expected in ("网站备案信息真实性核验单", "南京示例科技有限公司", "example.cn（注册商：阿里云计算有限公司）", "李四",
                         "主体负责人签字", "网站负责人签字", "单位公章", "核验人员签字", PROVIDER, case.number):
            assert expected in text, expected
        assert "手印" not in text and "承诺书" not in text
        pages = render_pages(sheet.pdf, tmp_path)
        code = qr.read_page_code(pages[0])
        assert (code.case_number, code.sheet_id, code.page, code.pages) == (case.number, sheet.sheet_id, 1, 1)
        match = match_scan(s, scanned(pages[0]), provider_name=PROVIDER, expected_case_id=case.id)
        assert match.case_id == case.id and match.current and match.problems == ()


@pytest.mark.parametrize("province, fingerprint, pledge", [("jiangxi", True, False), ("xinjiang", True, False),
                                                           ("guangdong", False, True), ("jiangsu", False, False)])
def test_individual_sheets(db, province, fingerprint, pledge):
    with db.session() as s:
        case = new_case(s, province=province, **INDIVIDUAL)
        text = text_of(print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW).pdf)
        assert "本人签字" in text and "单位公章" not in text and "主体负责人签字" not in text
        assert ("手印" in text) == fingerprint
        assert ("个人备案承诺书" in text and "不将备案号转借他人使用" in text) == pledge
        assert "注册商" not in text  # only Beijing sheets name registrars


def test_filing_details_printed(db):
    with db.session() as s:
        case = new_case(s, filing_type="new_access", record="苏ICP备2025012345号-1", provider="原接入云有限公司")
        text = text_of(print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW).pdf)
        assert "新增接入" in text and "苏ICP备2025012345号-1" in text and "原接入云有限公司" in text and "网站备案号" in text


def test_many_websites_span_pages_each_with_its_code(db, tmp_path):
    with db.session() as s:
        case = new_case(s, website_domain=[f"site{i}.example.cn" for i in range(20)],
                        website_name=[f"第{i}个网站" for i in range(20)], province="jiangxi", **INDIVIDUAL)
        sheet = print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW)
        assert sheet.pages == 2
        text = text_of(sheet.pdf)
        assert all(f"site{i}.example.cn" in text for i in range(20)) and "网站信息（续）" in text
        pages = render_pages(sheet.pdf, tmp_path)
        codes = [qr.read_page_code(p) for p in pages]
        assert [(c.page, c.pages) for c in codes] == [(1, 2), (2, 2)]
        assert codes[0].page_hash != codes[1].page_hash
        assert [match_scan(s, scanned(p, i), provider_name=PROVIDER).page for i, p in enumerate(pages)] == [1, 2]


def test_edited_case_or_newer_printing_is_not_current(db, tmp_path):
    with db.session() as s:
        case = new_case(s)
        first = print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW)
        page = render_pages(first.pdf, tmp_path)[0]
        values = cases.case_form_values(case)
        values["website_leader_mobile"] = "13700137000"
        cases.update_case(s, case, cases.validate_case_input(values), staff(s))
        stale = match_scan(s, page, provider_name=PROVIDER)
        assert not stale.current and any("已修改" in p.zh for p in stale.problems)
        print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW + dt.timedelta(minutes=5))
        older = match_scan(s, page, provider_name=PROVIDER)
        assert any("最新" in p.zh for p in older.problems)


def test_wrong_case_forged_and_unreadable_codes_refused(db, tmp_path):
    with db.session() as s:
        case = new_case(s)
        other = new_case(s, domain="other.cn")
        sheet = print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW)
        page = render_pages(sheet.pdf, tmp_path)[0]
        with pytest.raises(KioskError) as err:
            match_scan(s, page, provider_name=PROVIDER, expected_case_id=other.id)
        assert err.value.code == "sheet_other_case" and case.number in err.value.text.zh
        blank = np.full((800, 600, 3), 255, np.uint8)
        with pytest.raises(KioskError) as err:
            match_scan(s, blank, provider_name=PROVIDER)
        assert err.value.code == "sheet_qr_unreadable"
        code = qr.read_page_code(page)
        forged = [
            (qr.PageCode(other.number, code.sheet_id, 1, 1, code.page_hash), "sheet_case_mismatch"),
            (qr.PageCode(case.number, code.sheet_id, 1, 1, "0" * 16), "sheet_page_mismatch"),
            (qr.PageCode(case.number, "f" * 16, 1, 1, code.page_hash), "sheet_unknown"),
        ]
        for fake, expected in forged:
            with pytest.raises(KioskError) as err:
                match_scan(s, qr_image(fake.payload()), provider_name=PROVIDER)
            assert err.value.code == expected
        with pytest.raises(KioskError) as err:
            match_scan(s, qr_image("https://example.com/not-ours"), provider_name=PROVIDER)
        assert err.value.code == "sheet_qr_foreign"


def qr_image(payload: str) -> np.ndarray:
    encoder = cv2.QRCodeEncoder.create()
    img = encoder.encode(payload)
    img = cv2.resize(img, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    img = cv2.copyMakeBorder(img, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def test_code_read_from_many_degraded_scans(db, tmp_path):
    with db.session() as s:
        case = new_case(s)
        sheet = print_sheet(s, case, staff(s), provider_name=PROVIDER, now=NOW)
        page = render_pages(sheet.pdf, tmp_path)[0]
        for seed in range(8):
            img = scanned(page, seed)
            if seed % 2:
                img = cv2.rotate(img, cv2.ROTATE_180)  # fed into the scanner upside down
            assert match_scan(s, img, provider_name=PROVIDER).case_id == case.id, seed
