"""Run every benchmark in BENCHMARKS and print its figures as `name: value` lines."""

from __future__ import annotations

import importlib
import sys
import traceback

# Explicit list: module path under tests.bench, each with a `main() -> None` that prints figures.
BENCHMARKS: list[str] = [
    "tests.bench.bench_photo",
    "tests.bench.bench_booth",
    "tests.bench.bench_documents",
    "tests.bench.bench_archive",
    "tests.bench.bench_identity",
    "tests.bench.bench_counter",
    "tests.bench.bench_load",
    "tests.bench.bench_sealing_load",
    "tests.bench.bench_uploads",
]


def main() -> int:
    failed = 0
    only = sys.argv[1:]
    for name in BENCHMARKS:
        if only and not any(word in name for word in only):
            continue
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                print("  (not written yet)")
                continue
            raise
        try:
            module.main()
        except Exception:  # a broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
