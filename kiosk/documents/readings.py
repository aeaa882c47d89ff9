"""What the OCR lines say: ID number, name, side keywords, credit code, validity dates, domain.

Parsers work on `TextLine`s (text and box) and return plain values; they never raise on odd OCR output.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kiosk.documents.ocr import TextLine

FRONT_KEYWORDS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
BACK_KEYWORDS = ("中华人民共和国", "居民身份证", "签发机关", "有效期限")

# Characters OCR confuses with digits, and with credit-code characters (GB 32100 has no I, O, S, V, Z).
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
                            "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "x": "X", "×": "X"})
_CODE_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "i": "1", "l": "1", "|": "1", "S": "5", "s": "5",
                           "Z": "2", "z": "2", "V": "U"})
_ID_RE = re.compile(r"(?<![0-9A-Z])(\d{17}[\dX])(?![0-9A-Z])")
_CODE_RE = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NP-RTUWXY]{18})(?![0-9A-Z])")
_DOMAIN_RE = re.compile(r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})", re.I)
_DATE_RE = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True, slots=True)
class Expiry:
    """A validity end: a date, or `permanent` (长期)."""

    date: dt.date | None
    permanent: bool = False
    text: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"date": self.date.isoformat() if self.date else None, "permanent": self.permanent, "text": self.text}


def _compact(text: str) -> str:
    return "".join(text.split()).replace(":", "").replace("：", "")


def keyword_hits(lines: list[TextLine], keywords: tuple[str, ...]) -> list[str]:
    joined = "".join(_compact(line.text) for line in lines)
    return [k for k in keywords if k in joined]


def _same_row_right(lines: list[TextLine], label: TextLine) -> list[TextLine]:
    """Lines to the right of `label` whose vertical centre lies within its height, nearest first."""
    x0, y0, x1, y1 = label.box
    cy, hh = (y0 + y1) / 2, max(4.0, (y1 - y0))
    out = [
        line for line in lines
        if line is not label and line.box[0] >= x1 - hh and abs((line.box[1] + line.box[3]) / 2 - cy) < hh * 0.7
    ]
    return sorted(out, key=lambda line: line.box[0])


def value_after_label(lines: list[TextLine], label: str, min_len: int = 2) -> str | None:
    """The text after `label`: on the same line, or the nearest line to its right."""
    for line in lines:
        text = _compact(line.text)
        pos = text.find(label)
        if pos < 0:
            continue
        rest = text[pos + len(label) :]
        if len(rest) >= min_len:
            return rest
        right = _same_row_right(lines, line)
        if right:
            return _compact(right[0].text)
        if rest:
            return rest
    return None


def read_id_number(lines: list[TextLine]) -> str | None:
    """The 18-character ID number, preferring the line next to 公民身份号码."""
    candidates: list[tuple[int, str]] = []
    for line in lines:
        text = _compact(line.text)
        raw = text.replace("公民身份号码", "")
        for fixed in (raw.upper(), raw.translate(_DIGIT_FIX).upper()):
            m = _ID_RE.search(fixed)
            if m:
                near = 0 if "号码" in text else 1
                candidates.append((near, m.group(1)))
                break
    if not candidates:
        return None
    return sorted(candidates)[0][1]


def read_name(lines: list[TextLine]) -> str | None:
    name = value_after_label(lines, "姓名")
    if name:
        name = re.sub(r"[^\u3400-\u9fff·]", "", name)
    return name or None


def read_credit_code(lines: list[TextLine]) -> str | None:
    """The 18-character unified social credit code (next to 统一社会信用代码 if labelled)."""
    candidates: list[tuple[int, str]] = []
    for line in lines:
        text = _compact(line.text)
        labelled = "信用代码" in text
        raw = re.sub(r"^.*?信用代码", "", text) if labelled else text
        raw = raw.upper().translate(_CODE_FIX)
        m = _CODE_RE.search(raw)
        if m and sum(c.isdigit() for c in m.group(1)) >= 6:
            candidates.append((0 if labelled else 1, m.group(1)))
    if not candidates:
        return None
    return sorted(candidates)[0][1]


def read_subject_name(lines: list[TextLine]) -> str | None:
    return value_after_label(lines, "名称")


# The sheet's subject label: the provider's sheet (kiosk.sheet) prints 主办者名称, other templates the others.
SHEET_SUBJECT_LABELS = ("主办者名称", "主体单位名称", "主办单位名称", "主体名称")
_SHEET_SUBJECT_EN = re.compile(r"subject\s*name", re.I)  # the English gloss kiosk.sheet prints beside the label


def read_sheet_subject_name(lines: list[TextLine]) -> str | None:
    """The subject name after the sheet's subject label (the label's English gloss left out)."""
    plain = [TextLine(_SHEET_SUBJECT_EN.sub("", line.text), line.box, line.score) for line in lines]
    for label in SHEET_SUBJECT_LABELS:
        value = value_after_label(plain, label)
        if value:
            return value
    return None


def parse_date(text: str) -> dt.date | None:
    m = _DATE_RE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_id_validity(lines: list[TextLine]) -> Expiry | None:
    """有效期限 2016.05.01-2036.05.01 (or -长期): the end."""
    text = value_after_label(lines, "有效期限", min_len=8)
    if text is None:
        for line in lines:
            if len(_DATE_RE.findall(_compact(line.text))) == 2 or "长期" in line.text:
                text = _compact(line.text)
                break
    if text is None:
        return None
    if "长期" in text:
        return Expiry(None, True, text)
    dates = [m for m in _DATE_RE.finditer(text.replace(" ", ""))]
    if len(dates) >= 2:
        return Expiry(parse_date(dates[-1].group(0)), False, text)
    # OCR may drop the separators: 20160501-20360501
    digits = re.findall(r"(\d{4})\.?(\d{2})\.?(\d{2})", text)
    if len(digits) >= 2:
        y, mth, d = (int(v) for v in digits[-1])
        try:
            return Expiry(dt.date(y, mth, d), False, text)
        except ValueError:
            return None
    return None


def read_labelled_expiry(lines: list[TextLine], labels: tuple[str, ...]) -> Expiry | None:
    """An end date after one of `labels` (营业期限 …至 2038年…, 到期日期 …); 长期 means no end."""
    for label in labels:
        text = value_after_label(lines, label, min_len=2)
        if text is None:
            continue
        if "长期" in text or "永久" in text:
            return Expiry(None, True, text)
        dates = list(_DATE_RE.finditer(text))
        if dates:
            return Expiry(parse_date(dates[-1].group(0)), False, text)
    return None


def read_domains(lines: list[TextLine]) -> list[str]:
    out = []
    for line in lines:
        for m in _DOMAIN_RE.finditer(line.text.replace(" ", "")):
            d = m.group(1).lower()
            if d not in out:
                out.append(d)
    return out
