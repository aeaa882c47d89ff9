"""The CJK font for generated PDFs: WenQuanYi Zen Hei from Debian's fonts-wqy-zenhei, registered once.

The same registered name as kiosk.archive.pdf_report uses, so whichever registers it first serves both.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT = "WQYZenHei"


def cjk_font() -> str:
    """The registered font name; raises RuntimeError naming the Debian package when the font is missing."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        if not FONT_FILE.exists():
            raise RuntimeError(f"{FONT_FILE} is missing: install the Debian package fonts-wqy-zenhei")
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT
