"""Write tests/photo/golden.json: per labelled dev photo, the verdict and every check where the judge
agrees with the hand label. Run by hand (`python -m tests.photo.make_golden`) and review the diff."""

from __future__ import annotations

import json

from calibration.evaluate import evaluate
from tests.photo.conftest import LABELS
from tests.photo.test_golden import GOLDEN


def main() -> None:
    ev = evaluate(LABELS)
    table = {}
    for row in ev.rows:
        agree = {code: v["judged_fail"] for code, v in row["checks"].items() if v["label_fail"] == v["judged_fail"]}
        entry: dict = {"checks": agree}
        if row["judged"] == row["expected"]:
            entry["verdict"] = row["judged"]
        table[row["file"]] = entry
    GOLDEN.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(table)} photos, {sum(len(v['checks']) for v in table.values())} checks)")


if __name__ == "__main__":
    main()
