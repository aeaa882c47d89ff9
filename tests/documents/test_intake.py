"""Bad uploads get a clear error with a reason code and a message in both languages; nothing is decoded in full
before the cheap checks pass. Every file here is made in the test (described in each test)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from kiosk.documents import specimens as S
from kiosk.documents.intake import MAX_BYTES, read_upload, sniff_media_type
from kiosk.text import KioskError


def _error(data: bytes, filename: str) -> KioskError:
    with pytest.raises(KioskError) as info:
        read_upload(data, filename)
    err = info.value
    assert err.text.zh and err.text.en and err.text.zh != err.text.en
    return err


def _pdf_with_image(img: Image.Image, pages: int = 1) -> bytes:
    """A scanner-like PDF made with reportlab: each A4 page holds the image, nothing else."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(pages):
        c.drawImage(ImageReader(img), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def sheet_small() -> Image.Image:
    return S.verification_sheet(dpi=100)


def test_jpeg_and_png_decode_to_bgr(front):
    """The generated ID card front saved as PNG and as JPEG decodes to the same size, BGR order."""
    png = read_upload(S.png_bytes(front), "card.png")
    jpg = read_upload(S.jpeg_bytes(front), "card.JPG")
    assert png.shape == jpg.shape == (front.height, front.width, 3)
    r, g, b = front.getpixel((5, front.height // 2))
    assert tuple(png[front.height // 2, 5]) == (b, g, r)


def test_empty_file():
    assert _error(b"", "scan.jpg").code == "upload_empty"


def test_file_over_20_mb():
    """20 MB + 1 byte of JPEG signature and zeros: refused before decoding."""
    err = _error(b"\xff\xd8\xff" + bytes(MAX_BYTES), "scan.jpg")
    assert err.code == "upload_too_large" and err.status == 413


def test_png_named_jpg(front):
    """The specimen card saved as PNG but named .jpg."""
    err = _error(S.png_bytes(front), "card.jpg")
    assert err.code == "upload_type_mismatch"
    assert "PNG" in err.text.en and ".jpg" in err.text.en


def test_not_an_image():
    assert _error(b"GIF89a" + bytes(100), "x.gif").code == "upload_unsupported_type"
    assert _error("身份证".encode() * 50, "x.txt").code == "upload_unsupported_type"


def test_truncated_jpeg(front):
    """The specimen card as JPEG, cut to 60 % of its bytes."""
    data = S.jpeg_bytes(front)
    assert _error(data[: len(data) * 6 // 10], "card.jpg").code == "upload_corrupt"


def test_truncated_png(front):
    data = S.png_bytes(front)
    assert _error(data[: len(data) // 2], "card.png").code == "upload_corrupt"


def test_over_40_megapixels():
    """A 7000 × 6000 white PNG (42 MP, a few hundred kB compressed): refused from its header."""
    buf = io.BytesIO()
    Image.new("L", (7000, 6000), 255).save(buf, "PNG")
    err = _error(buf.getvalue(), "big.png")
    assert err.code == "upload_too_many_pixels" and "7000" in err.text.en


def test_tiny_image():
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 0, 0)).save(buf, "PNG")
    assert _error(buf.getvalue(), "tiny.png").code == "upload_too_small"


def test_one_page_pdf_gives_its_image(sheet_small):
    """A one-page PDF holding the 100 dpi specimen sheet as its only image: the image comes back."""
    img = read_upload(_pdf_with_image(sheet_small), "sheet.pdf")
    assert img.shape[:2] == (sheet_small.height, sheet_small.width)


def test_pdf_with_many_pages(sheet_small):
    err = _error(_pdf_with_image(sheet_small, pages=3), "sheet.pdf")
    assert err.code == "upload_pdf_pages" and "3" in err.text.en


def test_encrypted_pdf(sheet_small):
    """The one-page PDF encrypted with pypdf (user password 'x')."""
    writer = PdfWriter(clone_from=io.BytesIO(_pdf_with_image(sheet_small)))
    writer.encrypt("x")
    buf = io.BytesIO()
    writer.write(buf)
    assert _error(buf.getvalue(), "sheet.pdf").code == "upload_pdf_encrypted"


def test_pdf_with_javascript(sheet_small):
    """The one-page PDF with a document-level JavaScript (catalog /Names /JavaScript) added with pypdf."""
    writer = PdfWriter(clone_from=io.BytesIO(_pdf_with_image(sheet_small)))
    js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    names = ArrayObject([TextStringObject("hello"), writer._add_object(js)])
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )
    buf = io.BytesIO()
    writer.write(buf)
    assert _error(buf.getvalue(), "sheet.pdf").code == "upload_pdf_script"


def test_pdf_with_open_action_launch(sheet_small):
    writer = PdfWriter(clone_from=io.BytesIO(_pdf_with_image(sheet_small)))
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = action
    buf = io.BytesIO()
    writer.write(buf)
    assert _error(buf.getvalue(), "sheet.pdf").code == "upload_pdf_script"


def test_pdf_without_image():
    """A reportlab PDF with text only (a 'printed to PDF' document, not a scan)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(100, 700, "no scan here")
    c.save()
    assert _error(buf.getvalue(), "doc.pdf").code == "upload_pdf_no_image"


def test_garbage_pdf():
    assert _error(b"%PDF-1.7\n" + np.random.default_rng(0).bytes(5000), "x.pdf").code == "upload_corrupt"


def test_sniff():
    assert sniff_media_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff_media_type(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_media_type(b"%PDF-1.4") == "application/pdf"
    assert sniff_media_type(b"hello") is None


def test_name_without_extension_is_trusted_by_content(front):
    """A document camera frame comes without a file name extension: the content decides."""
    assert read_upload(S.jpeg_bytes(front), "camera").shape[2] == 3
