"""No document may read worse than its recorded figures (tests/data/figures.json, written by
tools/record_figures.py from the hand-checked expected files): task F1, lead and support F1,
each field and the header, per document — the seeds and every real document of samples/real/.
"""

from __future__ import annotations

import json

import pytest

from vnplan import evaluate
from vnplan.pipeline import process_file

from conftest import ROOT, SAMPLES

RECORDED: dict[str, dict[str, float]] = json.loads(
    (ROOT / "tests" / "data" / "figures.json").read_text("utf-8")
)


def test_every_document_with_an_expected_file_has_figures() -> None:
    names = {p.relative_to(SAMPLES).as_posix() for p in evaluate.documents(SAMPLES)}
    assert names == set(RECORDED)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RECORDED))
def test_no_document_drops_below_its_recorded_figures(name: str) -> None:
    path = SAMPLES / name
    expected = evaluate.load_expected(SAMPLES / "expected", str(path))
    assert expected is not None
    got = evaluate.figures(evaluate.score(process_file(str(path)), expected))
    dropped = {k: (v, got.get(k)) for k, v in RECORDED[name].items() if got.get(k, 0.0) < v}
    assert not dropped, f"{name}: recorded → now {dropped}"
