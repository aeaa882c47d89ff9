"""Benchmark: peak memory of 8 parallel decodes of a 40 MP JPEG upload under the default decode budget.

A child process writes the JPEG (7744 × 5164, smoothed noise, under the 20 MB upload limit), a second one decodes it in 8 threads through
kiosk.documents.intake.read_upload and reports its peak RSS (ru_maxrss). Prints `name: value` lines.
Target: upload_8x40mp_one_arena_peak_rss_mb <= 1024.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# glibc keeps freed memory in one arena per thread: the same decodes peak at several GB with its default arenas
# and under 1 GB with one arena. Both are measured.
MALLOC = {"default_arenas": {}, "one_arena": {"MALLOC_ARENA_MAX": "1"}}

WRITE = """
import sys
from PIL import Image
Image.effect_noise((968, 646), 64).convert("RGB").resize((7744, 5164), Image.BICUBIC).save(sys.argv[1], "JPEG", quality=85)
"""

DECODE = """
import resource, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from kiosk.documents import budget, intake
data = Path(sys.argv[1]).read_bytes()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with ThreadPoolExecutor(8) as pool:
    list(pool.map(lambda _: intake.read_upload(data, "scan.jpg").shape, range(8)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base // 1024, peak // 1024, budget.DECODES.peak // 1_000_000)
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "40mp.jpg"
        subprocess.run([sys.executable, "-c", WRITE, str(path)], check=True)
        for name, env in MALLOC.items():
            out = subprocess.run([sys.executable, "-c", DECODE, str(path)], capture_output=True, text=True,
                                 env={**os.environ, **env})
            if out.returncode:
                raise RuntimeError(out.stderr[-2000:])
            base, peak, held = out.stdout.split()
            print(f"upload_8x40mp_{name}_base_rss_mb: {base}")
            print(f"upload_8x40mp_{name}_peak_rss_mb: {peak}")
            print(f"upload_8x40mp_{name}_budget_peak_mp: {held}")
