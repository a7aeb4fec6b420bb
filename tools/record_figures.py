"""Record vnplan's per-document figures on every document with a hand-checked expected file
(samples/expected/) into tests/data/figures.json: tests/test_figures.py fails when a document
drops below them. Run after a change that raises a figure:
`.venv/bin/python tools/record_figures.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

from vnplan import evaluate
from vnplan.pipeline import process_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = ROOT / "tests" / "data" / "figures.json"


def main() -> None:
    table = {}
    for path in evaluate.documents(SAMPLES):
        expected = evaluate.load_expected(SAMPLES / "expected", str(path))
        assert expected is not None, path
        score = evaluate.score(process_file(str(path)), expected)
        table[path.relative_to(SAMPLES).as_posix()] = evaluate.figures(score)
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    for name, row in table.items():
        print(f"{name[:60]:60s} " + " ".join(f"{k}={v:.3f}" for k, v in row.items()))


if __name__ == "__main__":
    main()
