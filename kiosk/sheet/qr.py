"""The QR code on each page of a printed sheet: the case number, the printing's id, the page and a hash of what
the page printed, so a scanned signed page is matched to its case and checked against what was printed.

Payload: BKS1|<case number>|<sheet id>|<page>/<pages>|<first 16 hex digits of the page hash>
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.text import KioskError, Text

PREFIX = "BKS1"
_PAYLOAD = re.compile(r"^BKS1\|(?P<case>[A-Z0-9-]{1,32})\|(?P<sheet>[0-9a-f]{16,32})\|(?P<page>\d{1,3})/(?P<pages>\d{1,3})\|(?P<hash>[0-9a-f]{16})$")
HASH_CHARS = 16


@dataclass(frozen=True, slots=True)
class PageCode:
    case_number: str
    sheet_id: str
    page: int
    pages: int
    page_hash: str  # the first HASH_CHARS hex digits

    def payload(self) -> str:
        return f"{PREFIX}|{self.case_number}|{self.sheet_id}|{self.page}/{self.pages}|{self.page_hash[:HASH_CHARS]}"


def parse_payload(text: str) -> PageCode:
    match = _PAYLOAD.match(text.strip())
    if not match or not 1 <= int(match["page"]) <= int(match["pages"]):
        raise KioskError("sheet_qr_foreign", Text("二维码不是本系统打印的核验单", "The QR code is not from a sheet this kiosk printed"))
    return PageCode(match["case"], match["sheet"], int(match["page"]), int(match["pages"]), match["hash"])


def _candidates(grey: np.ndarray) -> list[np.ndarray]:
    """Each corner (the code is printed top right; a scan may be turned), as is and enlarged, then the whole page,
    enlarged and binarised: OpenCV's detectors each miss some blurred or noisy scans that another view reads."""
    h, w = grey.shape
    corners = [grey[: h // 3, w // 2:], grey[h - h // 3:, : w // 2], grey[: h // 3, : w // 2], grey[h - h // 3:, w // 2:]]
    out = []
    for corner in corners:
        out += [corner, cv2.resize(corner, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)]
    out.append(grey)
    out.append(cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    out.append(cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1])
    return out


def read_codes(image: np.ndarray) -> list[str]:
    """The QR texts found on a scanned page (BGR or grey): the first view of the page that yields any."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    detectors = (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco())
    for candidate in _candidates(grey):
        for detector in detectors:
            text, _points, _ = detector.detectAndDecode(candidate)
            if text:
                return [text]
    return []


def read_page_code(image: np.ndarray) -> PageCode:
    """The sheet's code on a scanned page; KioskError when there is none or it is not ours."""
    texts = read_codes(image)
    if not texts:
        raise KioskError("sheet_qr_unreadable", Text("未能识别核验单上的二维码，请重新扫描（平整、清晰、完整）",
                                                     "The sheet's QR code cannot be read: scan it again, flat, sharp and whole"))
    ours = [t for t in texts if t.startswith(PREFIX + "|")]
    return parse_payload(ours[0] if ours else texts[0])
