"""Benchmark: document normalise + checks + OCR per ID card side (median ms), on generated specimens.

Inputs: the portrait and emblem sides of two specimen people, each as a flatbed scan (card about 1200 px wide)
and a 2000 × 1500 table photo (card about 1400 px wide): 8 images, 3 rounds each after one warm-up. Prints
`name: value` lines. Target: document_ms_median <= 1000 on 2 cores.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from kiosk.documents import specimens as S
from kiosk.documents.inspect import inspect_document
from kiosk.documents.ocr import get_engine

ROUNDS = 3


def main() -> None:
    images = []
    for i, p in enumerate(S.SPECIMEN_PEOPLE[:2]):
        for kind, card in (("principal_id_front", S.id_card_front(p)), ("principal_id_back", S.id_card_back(p))):
            images.append((kind, S.jpeg_bytes(S.flatbed(card, seed=i))))
            images.append((kind, S.jpeg_bytes(S.photograph(card, seed=i))))
    engine = get_engine("rapidocr")
    today = dt.date(2026, 11, 23)
    inspect_document(*images[0], "warmup.jpg", {}, today=today, engine=engine)
    total, parts = [], {"decode": [], "normalise": [], "ocr": [], "checks": [], "encode": []}
    cpu = []
    for _ in range(ROUNDS):
        for kind, data in images:
            c0, t0 = time.process_time(), time.perf_counter()
            report = inspect_document(kind, data, "bench.jpg", {}, today=today, engine=engine)
            total.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            for k in parts:
                parts[k].append(report.timings_ms.get(k, 0.0))
    print(f"document_ms_median: {statistics.median(total):.0f}")
    print(f"document_ms_p90: {sorted(total)[int(len(total) * 0.9)]:.0f}")
    for k, v in parts.items():
        print(f"document_{k}_ms_median: {statistics.median(v):.0f}")
    print(f"document_cpu_ms_median: {statistics.median(cpu):.0f}")
    print(f"document_runs: {len(total)}")
    print(f"load_average_1min: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
