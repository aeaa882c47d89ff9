"""Measure OCR accuracy and speed of both engines on the generated document set.

`python -m tests.documents.evaluate_ocr [rapidocr|tesseract ...]` prints, per engine, the share of fields read
exactly (ID number, name, ID validity end, credit code, subject name, licence end date) and the median time per document of
the whole inspection (decode, normalise, OCR, checks). The set: the 6 specimen people plus 2 cards with a
broken check digit, each side as a flatbed scan, a table photo and a mildly blurred photo (radius 1.5), and 4
licences as flatbed scans and table photos at 3000 × 4000. Results are written in kiosk/documents/README.md.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

from kiosk.documents import specimens as S
from kiosk.documents.inspect import inspect_document
from kiosk.documents.ocr import get_engine

TODAY = dt.date(2026, 11, 23)


def document_set() -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(label, kind, JPEG bytes, truth) for every generated document."""
    people = list(S.SPECIMEN_PEOPLE) + [
        S.Person("周错码", S.broken_id_number("37020219870101123")),
        S.Person("吴校验", S.broken_id_number("42010619950817556"), sex="女"),
    ]
    out = []
    for i, p in enumerate(people):
        front, back = S.id_card_front(p), S.id_card_back(p)
        end = "permanent" if p.valid_to is None else p.valid_to.isoformat()
        captures = {
            "scan": lambda img, i=i: S.flatbed(img, angle=0.5 + 0.3 * i, seed=i),
            "photo": lambda img, i=i: S.photograph(img, seed=i, rotate=-5 + 2 * i),
            "photo_blur": lambda img, i=i: S.blur(S.photograph(img, seed=i + 10, tilt=0.1), 1.5),
        }
        for cname, capture in captures.items():
            out.append((f"{p.name}/front/{cname}", "principal_id_front", S.jpeg_bytes(capture(front)),
                        {"id_number": p.number, "name": p.name}))
            out.append((f"{p.name}/back/{cname}", "principal_id_back", S.jpeg_bytes(capture(back)), {"expiry": end}))
    licences = [
        ("样本科技有限公司", S.valid_credit_code("91110108MA01ABCD1"), dt.date(2038, 3, 14)),
        ("示例网络科技有限公司", S.valid_credit_code("91310115MA1K3XYW0"), None),
        ("测试信息技术有限公司", S.valid_credit_code("91440300MA5F12345"), dt.date(2030, 12, 31)),
        ("演示文化传播有限公司", S.broken_credit_code("92510107MA6C98765"), dt.date(2029, 6, 1)),
    ]
    for j, (name, code, end) in enumerate(licences):
        lic = S.business_licence(name, code, valid_to=end)
        truth = {"credit_code": code, "subject_name": name, "expiry": "permanent" if end is None else end.isoformat()}
        out.append((f"licence{j}/scan", "subject_certificate", S.jpeg_bytes(S.flatbed(lic, margin=0.02, seed=j)), truth))
        out.append((f"licence{j}/photo", "subject_certificate",
                    S.jpeg_bytes(S.photograph(lic, size=(3000, 4000), seed=j, fill=0.85)), truth))
    return out


def _got(report, field: str) -> str | None:
    if field == "expiry":
        e = report.readings.get("expiry")
        if not e:
            return None
        return "permanent" if e["permanent"] else e["date"]
    return report.readings.get(field)


def evaluate(engine_name: str, docs) -> dict[str, float]:
    engine = get_engine(engine_name)
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    card_ms, sheet_ms = [], []
    misses = []
    for label, kind, data, truth in docs:
        t = time.perf_counter()
        report = inspect_document(kind, data, "scan.jpg", {}, today=TODAY, engine=engine)
        ms = (time.perf_counter() - t) * 1000
        (card_ms if "id" in kind else sheet_ms).append(ms)
        for field, want in truth.items():
            key = f"{kind.split('_')[-1] if 'id' in kind else 'licence'}.{field}"
            total[key] = total.get(key, 0) + 1
            got = _got(report, field)
            if got == want:
                right[key] = right.get(key, 0) + 1
            else:
                misses.append(f"{label} {field}: want {want!r} got {got!r}")
    fields = sum(total.values())
    correct = sum(right.values())
    print(f"engine: {engine_name}")
    print(f"  documents: {len(docs)}  fields: {fields}  exact: {correct}  accuracy: {correct / fields:.3f}")
    for key in sorted(total):
        print(f"  {key}: {right.get(key, 0)}/{total[key]}")
    print(f"  card_ms_median: {statistics.median(card_ms):.0f}  licence_ms_median: {statistics.median(sheet_ms):.0f}")
    for m in misses:
        print(f"  miss: {m}")
    return {"accuracy": correct / fields}


def main() -> None:
    engines = sys.argv[1:] or ["rapidocr", "tesseract"]
    docs = document_set()
    for name in engines:
        evaluate(name, docs)


if __name__ == "__main__":
    main()
