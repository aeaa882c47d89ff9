"""Write tests/photo/golden.json: per labelled photo of every set in tests/data (photos, photos-round3), the
verdict and every check where the judge agrees with the hand label, and the checks it leaves uncertain. Run
by hand (`python -m tests.photo.make_golden`) and review the diff."""

from __future__ import annotations

import json

from calibration.evaluate import evaluate
from kiosk.photo import PhotoJudge
from tests.photo.conftest import LABEL_SETS
from tests.photo.test_golden import GOLDEN, golden_entry


def main() -> None:
    table: dict[str, dict] = {}
    with PhotoJudge() as judge:
        for name, labels in LABEL_SETS.items():
            ev = evaluate(labels, judge=judge)
            table[name] = {row["file"]: golden_entry(row) for row in ev.rows}
    GOLDEN.write_text(json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, rows in table.items():
        print(f"{name}: {len(rows)} photos, {sum(len(v['checks']) for v in rows.values())} checks agreeing, "
              f"{sum(len(v['uncertain']) for v in rows.values())} uncertain")


if __name__ == "__main__":
    main()
