"""`inspect_document(kind, data, filename, expected)`: intake, normalise, OCR, read, check, compare.

Returns a `DocumentReport` with the normalised JPEG, every check's result, what was read and the mismatches
against the case's typed values. Raises `KioskError` only for unusable uploads (intake) or an unknown kind.
An ID upload holding both sides (one A4 sheet) is split: the report is for the requested side and
`other_side` carries the report of the card's other side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from kiosk.checkresult import ResultsView
from kiosk.documents import readings as rd
from kiosk.documents.checks import CASE_DATA_CHECKS, SHEET_COPY_WIDTHS, run_document_checks
from kiosk.documents.checks.case_match import MATCH_FIELDS, compare
from kiosk.documents.intake import read_upload, sniff_media_type
from kiosk.documents.kinds import CERTIFICATE, DOMAIN, ID_BACK, ID_FRONT, KINDS, SHEET, KindSpec, kind_spec
from kiosk.documents.normalise import (
    CARD_ASPECT,
    CARD_ASPECT_TOLERANCE,
    Normalised,
    encode_jpeg,
    find_regions,
    normalise,
    warp,
)
from kiosk.documents.observation import Observation, scaled_copies
from kiosk.documents.ocr import OcrEngine, TextLine, get_engine, prepare
from kiosk.documents.result import CheckResult, jsonable
from kiosk.documents.thresholds import DocumentThresholds, merged
from kiosk.documents.trailing import image_end

log = logging.getLogger(__name__)

OCR_WIDTH = {True: 800, False: 1200}  # card / sheet: width the OCR reads at (measured: no accuracy lost)


@dataclass(frozen=True, slots=True)
class DocumentReport(ResultsView):
    kind: str
    media_type: str
    normalised_jpeg: bytes
    width: int
    height: int
    results: tuple[CheckResult, ...]
    readings: dict[str, Any]
    mismatches: tuple[dict[str, Any], ...]
    lines: tuple[TextLine, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    other_side: DocumentReport | None = None
    original_px: tuple[int, int] = (0, 0)  # the upload's own width and height, before normalising
    appended_bytes: int = 0  # bytes after the image's end (kept in the original, not in the normalised copy)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "passed": self.passed,
            "media_type": self.media_type,
            "size": [self.width, self.height],
            "results": [r.as_dict() for r in self.results],
            "readings": jsonable(self.readings),
            "mismatches": jsonable(list(self.mismatches)),
            "lines": [line.as_dict() for line in self.lines],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "other_side": self.other_side.as_dict() if self.other_side else None,
            "original_px": list(self.original_px),
            "appended_bytes": self.appended_bytes,
        }


def read_fields(spec: KindSpec, lines: list[TextLine]) -> dict[str, Any]:
    """Parse what the kind carries out of the OCR lines."""
    out: dict[str, Any] = {}
    if spec.card:
        out["front_keywords"] = rd.keyword_hits(lines, rd.FRONT_KEYWORDS)
        out["back_keywords"] = rd.keyword_hits(lines, rd.BACK_KEYWORDS)
    if spec.family == ID_FRONT:
        out["id_number"] = rd.read_id_number(lines)
        out["name"] = rd.read_name(lines)
        birth = rd.value_after_label(lines, "出生", min_len=6)
        date = rd.parse_date(birth) if birth else None
        out["birth_date"] = date.isoformat() if date else None
    elif spec.family == ID_BACK:
        exp = rd.read_id_validity(lines)
        out["expiry"] = exp.as_dict() if exp else None
        out["authority"] = rd.value_after_label(lines, "签发机关")
    elif spec.family == CERTIFICATE:
        out["credit_code"] = rd.read_credit_code(lines)
        out["subject_name"] = rd.read_subject_name(lines)
        exp = rd.read_labelled_expiry(lines, ("营业期限", "有效期", "有效期限"))
        out["expiry"] = exp.as_dict() if exp else None
    elif spec.family == DOMAIN:
        out["domains"] = rd.read_domains(lines)
        exp = rd.read_labelled_expiry(lines, ("到期日期", "到期时间", "有效期"))
        out["expiry"] = exp.as_dict() if exp else None
    elif spec.family == SHEET:
        out["domains"] = rd.read_domains(lines)
        out["subject_name"] = rd.read_sheet_subject_name(lines)
    return out


@dataclass(frozen=True, slots=True)
class SheetWork:
    """What a sheet's checks and report need of its image besides the OCR: the scaled copies the image checks read
    and the JPEG, made on the other core while the OCR runs (the sheet is never turned after the OCR)."""

    lines: list[TextLine]
    copies: dict[str, Any]
    jpeg: bytes


def _ocr_sheet(engine: OcrEngine, norm: Normalised) -> SheetWork:
    """A sheet's OCR, and meanwhile its scaled copies and JPEG (the same pixels the checks would make later)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet-copies") as pool:
        copies = pool.submit(scaled_copies, norm.image, SHEET_COPY_WIDTHS)
        jpeg = pool.submit(encode_jpeg, norm.image)
        lines = _ocr(engine, norm, False)
        return SheetWork(lines, copies.result(), jpeg.result())


def _ocr(engine: OcrEngine, norm: Normalised, card: bool) -> list[TextLine]:
    img, f = prepare(norm.image, OCR_WIDTH[card])
    lines = engine.read(img)
    if f != 1.0:
        lines = [TextLine(li.text, (li.box[0] / f, li.box[1] / f, li.box[2] / f, li.box[3] / f), li.score) for li in lines]
    return lines


# A line of each card side that sits in the card's upper half when the card is upright.
UPPER_HALF_LABELS = {ID_FRONT: ("姓名", "性别"), ID_BACK: ("中华人民共和国", "居民身份证")}


def _upright(spec: KindSpec, norm: Normalised, lines: list[TextLine]) -> tuple[Normalised, list[TextLine]]:
    """Turn a card scanned upside down the right way up (the OCR's line classifier read the text anyway): when
    the side's top labels were read in the lower half, rotate the image and the line boxes by 180°."""
    h, w = norm.image.shape[:2]
    votes = 0
    for family_labels in UPPER_HALF_LABELS.values():
        for line in lines:
            if any(label in line.compact for label in family_labels):
                votes += 1 if (line.box[1] + line.box[3]) / 2 > h / 2 else -1
    if votes <= 0:
        return norm, lines
    flipped = [TextLine(li.text, (w - li.box[2], h - li.box[3], w - li.box[0], h - li.box[1]), li.score) for li in lines]
    log.info("%s: card upside down, turned by 180°", spec.kind)
    return dataclasses.replace(norm, image=cv2.rotate(norm.image, cv2.ROTATE_180)), flipped


def _split_two_cards(image: np.ndarray) -> list[np.ndarray] | None:
    """Two ID card sides on one sheet (a page-size scan): the two cards, else None."""
    regions = find_regions(image)
    if not regions:
        return None
    top = regions[0]
    if abs(top.aspect / CARD_ASPECT - 1) <= CARD_ASPECT_TOLERANCE and top.area_fraction < 0.97:
        return None  # a single card
    if top.area_fraction < 0.97:
        page = warp(image, top.quad, (round(top.width), round(top.height)))
    else:
        page = image
    cards = [r for r in find_regions(page) if abs(r.aspect / CARD_ASPECT - 1) <= CARD_ASPECT_TOLERANCE and r.area_fraction < 0.5 and r.fill >= 0.85]
    if len(cards) < 2:
        return None
    crops = []
    for r in cards[:2]:
        spec = KINDS["principal_id_front"]
        crops.append(normalise(page, spec, region=r).image)
    return crops


def _inspect_image(
    spec: KindSpec,
    image: np.ndarray,
    media_type: str,
    expected: dict[str, Any],
    today: dt.date,
    thresholds: DocumentThresholds,
    engine: OcrEngine,
    norm: Normalised | None = None,
    lines: list[TextLine] | None = None,
    appended_bytes: int = 0,
) -> DocumentReport:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if norm is None:
        norm = normalise(image, spec, margin=thresholds.edge_margin)
    t1 = time.perf_counter()
    copies: dict[str, Any] = {}
    jpeg = None
    if lines is None and not spec.card:
        work = _ocr_sheet(engine, norm)
        lines, copies, jpeg = work.lines, work.copies, work.jpeg
    elif lines is None:
        lines = _ocr(engine, norm, spec.card)
    if spec.card:
        norm, lines = _upright(spec, norm, lines)
    t2 = time.perf_counter()
    readings = read_fields(spec, lines)
    obs = Observation(spec, norm, tuple(lines), readings, expected, today, appended_bytes, cache=copies)
    results = run_document_checks(obs, spec.checks, thresholds)
    mismatches = tuple(compare(readings, expected, MATCH_FIELDS.get(spec.family, ()), any_domain=spec.family == DOMAIN))
    t3 = time.perf_counter()
    if jpeg is None:
        jpeg = encode_jpeg(norm.image)
    t4 = time.perf_counter()
    timings.update(normalise=(t1 - t0) * 1000, ocr=(t2 - t1) * 1000, checks=(t3 - t2) * 1000, encode=(t4 - t3) * 1000)
    h, w = norm.image.shape[:2]
    return DocumentReport(spec.kind, media_type, jpeg, w, h, results, readings, mismatches, tuple(lines), timings)


def inspect_document(
    kind: str,
    data: bytes,
    filename: str,
    expected: dict[str, Any] | None = None,
    *,
    today: dt.date | None = None,
    thresholds: DocumentThresholds | dict[str, Any] | None = None,
    engine: OcrEngine | None = None,
) -> DocumentReport:
    """Check and read one uploaded document (see the module docstring).

    `expected` holds what staff typed: name, id_number (ID front); credit_code, subject_name (certificate);
    domain (str or list; domain certificate, sheet); require_seal (sheet; default True).
    """
    spec = kind_spec(kind)
    t0 = time.perf_counter()
    image = read_upload(data, filename)
    media_type = sniff_media_type(data) or ""
    decode_ms = (time.perf_counter() - t0) * 1000
    expected = dict(expected or {})
    today = today or dt.date.today()
    th = merged(thresholds)
    engine = engine or get_engine()
    appended = len(data) - image_end(data) if media_type in ("image/jpeg", "image/png") else 0
    original_px = (int(image.shape[1]), int(image.shape[0]))
    if spec.card and spec.pair:
        cards = _split_two_cards(image)
        if cards:
            pair = _inspect_pair(spec, cards, media_type, expected, today, th, engine, appended)
            other = dataclasses.replace(pair.other_side, original_px=original_px, appended_bytes=appended) if pair.other_side else None
            return dataclasses.replace(pair, other_side=other, original_px=original_px, appended_bytes=appended)
    report = _inspect_image(spec, image, media_type, expected, today, th, engine, appended_bytes=appended)
    report.timings_ms["decode"] = decode_ms
    return dataclasses.replace(report, original_px=original_px, appended_bytes=appended)


def _inspect_pair(
    spec: KindSpec,
    cards: list[np.ndarray],
    media_type: str,
    expected: dict[str, Any],
    today: dt.date,
    th: DocumentThresholds,
    engine: OcrEngine,
    appended_bytes: int = 0,
) -> DocumentReport:
    """Both sides on one sheet: read both, give each side to its kind (by the printed labels)."""
    assert spec.pair is not None
    pair = KINDS[spec.pair]
    front_spec, back_spec = (spec, pair) if spec.family == ID_FRONT else (pair, spec)
    read = []
    for card in cards:
        norm = normalise(card, front_spec)
        lines = _ocr(engine, norm, True)
        front = len(rd.keyword_hits(lines, rd.FRONT_KEYWORDS))
        back = len(rd.keyword_hits(lines, rd.BACK_KEYWORDS))
        read.append((front - back, card, norm, lines))
    read.sort(key=lambda item: -item[0])  # the most portrait-like first
    (_, fcard, fnorm, flines), (_, bcard, bnorm, blines) = read[0], read[1]
    front_report = _inspect_image(front_spec, fcard, media_type, expected, today, th, engine, fnorm, flines, appended_bytes)
    back_report = _inspect_image(back_spec, bcard, media_type, expected, today, th, engine, bnorm, blines, appended_bytes)
    mine, other = (front_report, back_report) if spec is front_spec else (back_report, front_report)
    return DocumentReport(
        mine.kind, mine.media_type, mine.normalised_jpeg, mine.width, mine.height, mine.results, mine.readings,
        mine.mismatches, mine.lines, {**mine.timings_ms, "split": 1.0}, other,
    )


@dataclass(frozen=True, slots=True)
class Recheck:
    """A re-check's outcome: every check's result (as stored, in the kind's order), the readings and mismatches."""

    checks: tuple[dict[str, Any], ...]
    readings: dict[str, Any]
    mismatches: tuple[dict[str, Any], ...]

    @property
    def passed(self) -> bool:
        return all(c.get("passed") for c in self.checks)


def recheck_document(
    kind: str,
    normalised_jpeg: bytes,
    lines: list[TextLine],
    expected: dict[str, Any],
    earlier: list[dict[str, Any]],
    *,
    today: dt.date | None = None,
    thresholds: DocumentThresholds | dict[str, Any] | None = None,
) -> Recheck:
    """Run the checks that compare with what staff typed (`CASE_DATA_CHECKS`) again, on the stored normalised
    copy and the OCR lines read from it, against `expected` now. Every other check keeps its `earlier` result: it
    judged the scan (quality, side, check digits, validity), which has not changed, and the original's framing is
    not in the normalised copy. No OCR runs, so the result depends on nothing but the stored evidence."""
    spec = kind_spec(kind)
    image = cv2.imdecode(np.frombuffer(normalised_jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"the stored normalised copy of a {kind} cannot be decoded")
    h, w = image.shape[:2]
    norm = Normalised(image, None, (), (float(w), float(h)))
    readings = read_fields(spec, lines)
    obs = Observation(spec, norm, tuple(lines), readings, expected, today or dt.date.today())
    codes = tuple(code for code in spec.checks if code in CASE_DATA_CHECKS)
    fresh = {r.code: r.as_dict() for r in run_document_checks(obs, codes, merged(thresholds))}
    before = {c["code"]: c for c in earlier}
    checks = tuple(fresh.get(code) or before[code] for code in spec.checks if code in fresh or code in before)
    mismatches = tuple(compare(readings, expected, MATCH_FIELDS.get(spec.family, ()), any_domain=spec.family == DOMAIN))
    return Recheck(checks, readings, mismatches)


def stored_lines(rows: list[dict[str, Any]]) -> list[TextLine]:
    """OCR lines back from their stored form (TextLine.as_dict)."""
    out = []
    for row in rows:
        x0, y0, x1, y1 = (float(v) for v in row["box"])
        out.append(TextLine(str(row["text"]), (x0, y0, x1, y1), float(row["score"])))
    return out
