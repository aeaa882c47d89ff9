"""A process-wide budget of megapixels being decoded at once: concurrent large uploads wait for their turn
instead of exhausting memory (a 40 MP image takes about 120 MB as RGB, several copies during a decode).

`DECODES.hold(pixels)` blocks until the pixels fit in the budget (an image larger than the whole budget waits
for the budget to be empty and then runs alone). `configure(megapixels)` sets the budget (KIOSK_DECODE_MEGAPIXELS).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_MEGAPIXELS = 40


class PixelBudget:
    """At most `limit` pixels held at once; `in_flight` and `peak` count what is held (for tests and benches)."""

    def __init__(self, megapixels: int = DEFAULT_MEGAPIXELS) -> None:
        self.limit = megapixels * 1_000_000
        self.in_flight = 0
        self.peak = 0
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, pixels: int) -> Iterator[None]:
        """Hold `pixels` of the budget (capped at the whole budget) while the block runs."""
        need = max(1, min(pixels, self.limit))
        with self._cond:
            self._cond.wait_for(lambda: self.in_flight + need <= self.limit)
            self.in_flight += need
            self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            with self._cond:
                self.in_flight -= need
                self._cond.notify_all()


DECODES = PixelBudget()


def configure(megapixels: int) -> None:
    """Set the process-wide decode budget (called once at start from Settings)."""
    global DECODES
    DECODES = PixelBudget(megapixels)
