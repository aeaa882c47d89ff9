"""Concurrent large decodes share a process-wide megapixel budget: 8 parallel decodes never hold more than it
(counted in flight, independently of the budget's own count), and an image larger than the budget runs alone."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

from kiosk.documents import budget, intake


def _jpeg(w: int, h: int) -> bytes:
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _count_in_flight(monkeypatch) -> dict[str, int]:
    seen = {"now": 0, "max": 0}
    lock = threading.Lock()
    real = intake._to_bgr

    def counting(img):
        with lock:
            seen["now"] += 1
            seen["max"] = max(seen["max"], seen["now"])
        try:
            return real(img)
        finally:
            with lock:
                seen["now"] -= 1

    monkeypatch.setattr(intake, "_to_bgr", counting)
    return seen


def test_eight_parallel_decodes_stay_within_the_budget(monkeypatch):
    data, pixels = _jpeg(2000, 1500), 2000 * 1500
    monkeypatch.setattr(budget, "DECODES", budget.PixelBudget(7))  # room for two 3 MP images
    seen = _count_in_flight(monkeypatch)
    with ThreadPoolExecutor(8) as pool:
        shapes = list(pool.map(lambda _: intake._decode_image(data).shape, range(8)))
    assert shapes == [(1500, 2000, 3)] * 8
    assert 1 <= seen["max"] <= 2 and seen["max"] * pixels <= budget.DECODES.limit
    assert budget.DECODES.peak <= budget.DECODES.limit and budget.DECODES.in_flight == 0


def test_image_larger_than_the_budget_runs_alone(monkeypatch):
    monkeypatch.setattr(budget, "DECODES", budget.PixelBudget(1))
    seen = _count_in_flight(monkeypatch)
    data = _jpeg(1600, 1200)
    with ThreadPoolExecutor(3) as pool:
        assert all(s == (1200, 1600, 3) for s in pool.map(lambda _: intake._decode_image(data).shape, range(3)))
    assert seen["max"] == 1 and budget.DECODES.in_flight == 0


def test_configure_sets_the_budget(monkeypatch):
    monkeypatch.setattr(budget, "DECODES", budget.DECODES)
    budget.configure(40)
    assert budget.DECODES.limit == 40_000_000
