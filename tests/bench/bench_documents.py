"""Benchmark: a document upload to its result (decode, normalise, OCR, checks, encode), median ms, on generated
specimens.

ID card sides: the portrait and emblem sides of two specimen people, each as a flatbed scan (card about 1200 px
wide) and a 2000 × 1500 table photo (card about 1400 px wide): 8 images, 3 rounds each after one warm-up.
Target: document_ms_median <= 800 on 2 cores.

A4 sheets: the business licence, the verification sheet and the domain certificate, each as a 300 dpi flatbed scan
(2480 × 3508 page on the bed) and a 4032 × 3024 phone photo: 6 images, 2 rounds each. Target:
document_a4_ms_median <= 1500 on 2 cores; `document_a4_<kind>_ms_median` per kind.

Prints `name: value` lines, with the CPU time (all threads) and the load average: on a shared machine the wall
time says as much about the neighbours as about the code.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from kiosk.documents import specimens as S
from kiosk.documents.inspect import inspect_document
from kiosk.documents.ocr import OcrEngine, get_engine

ROUNDS = 3
A4_ROUNDS = 2
PARTS = ("decode", "normalise", "ocr", "checks", "encode")
TODAY = dt.date(2026, 11, 23)


def id_sides() -> list[tuple[str, bytes]]:
    images = []
    for i, p in enumerate(S.SPECIMEN_PEOPLE[:2]):
        for kind, card in (("principal_id_front", S.id_card_front(p)), ("principal_id_back", S.id_card_back(p))):
            images.append((kind, S.jpeg_bytes(S.flatbed(card, seed=i))))
            images.append((kind, S.jpeg_bytes(S.photograph(card, seed=i))))
    return images


def a4_sheets() -> list[tuple[str, bytes]]:
    docs = {
        "subject_certificate": S.business_licence("样本科技有限公司", S.valid_credit_code("91110108MA01ABCD2")),
        "verification_sheet": S.verification_sheet(),
        "domain_certificate": S.domain_certificate(),
    }
    images = []
    for kind, doc in docs.items():
        images.append((kind, S.jpeg_bytes(S.flatbed(doc))))
        images.append((kind, S.jpeg_bytes(S.photograph(doc, size=(4032, 3024)))))
    return images


def measure(images: list[tuple[str, bytes]], rounds: int, engine: OcrEngine, prefix: str, *, per_kind: bool) -> None:
    """Print the median and p90 wall time, the median CPU time and each part's median for `images` (and the
    median per kind when `per_kind`)."""
    total, cpu, kinds = [], [], {}
    parts: dict[str, list[float]] = {k: [] for k in PARTS}
    for _ in range(rounds):
        for kind, data in images:
            c0, t0 = time.process_time(), time.perf_counter()
            report = inspect_document(kind, data, "bench.jpg", {}, today=TODAY, engine=engine)
            ms = (time.perf_counter() - t0) * 1000
            total.append(ms)
            kinds.setdefault(kind, []).append(ms)
            cpu.append((time.process_time() - c0) * 1000)
            for k in parts:
                parts[k].append(report.timings_ms.get(k, 0.0))
    print(f"{prefix}_ms_median: {statistics.median(total):.0f}")
    print(f"{prefix}_ms_p90: {sorted(total)[int(len(total) * 0.9)]:.0f}")
    for k, v in parts.items():
        print(f"{prefix}_{k}_ms_median: {statistics.median(v):.0f}")
    print(f"{prefix}_cpu_ms_median: {statistics.median(cpu):.0f}")
    if per_kind:
        for kind, v in kinds.items():
            print(f"{prefix}_{kind}_ms_median: {statistics.median(v):.0f}")
    print(f"{prefix}_runs: {len(total)}")


def main() -> None:
    engine = get_engine("rapidocr")
    cards, sheets = id_sides(), a4_sheets()
    inspect_document(*cards[0], "warmup.jpg", {}, today=TODAY, engine=engine)
    measure(cards, ROUNDS, engine, "document", per_kind=False)
    inspect_document(*sheets[0], "warmup.jpg", {}, today=TODAY, engine=engine)
    measure(sheets, A4_ROUNDS, engine, "document_a4", per_kind=True)
    print(f"load_average_1min: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
