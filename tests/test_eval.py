"""`vnplan eval`: scores against hand-checked files, and scores that can fall."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vnplan import evaluate
from vnplan.cli import main
from vnplan.pipeline import process_file

from conftest import SAMPLES, SEEDS


def test_seeds_score_perfectly(capsys: pytest.CaptureFixture[str]) -> None:
    seeds = [str(SAMPLES / f"{s}.txt") for s in SEEDS]
    assert main(["eval", *seeds, "--expected", str(SAMPLES / "expected")]) == 0
    table = capsys.readouterr().out.splitlines()
    total = table[-1].split()
    assert total[0] == "ALL" and total[1:4] == ["1.000", "1.000", "1.000"]  # P, R, F1
    header = table[0].split()
    scored = dict(zip(header[1:], total[1:], strict=True))
    # every field the seeds' files give (leaders included); they give no assignees nor header
    assert (scored["assignee"], scored["header"]) == ("-", "-")
    assert all(v == "1.000" for k, v in scored.items() if k not in ("assignee", "header"))


def test_a_wrong_expected_value_lowers_that_field_only(tmp_path: Path) -> None:
    stem = "003_3a026ceb35acf91e"
    data = json.loads((SAMPLES / "expected" / f"{stem}.json").read_text("utf-8"))
    data["tasks"][0]["deadlines"] = ["2019-02-28"]
    data["tasks"] = data["tasks"][:-1]  # one row fewer expected: precision falls
    (tmp_path / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    shutil.copy(SAMPLES / f"{stem}.txt", tmp_path / f"{stem}.txt")
    expected = evaluate.load_expected(tmp_path, str(tmp_path / f"{stem}.txt"))
    assert expected is not None
    score = evaluate.score(process_file(str(tmp_path / f"{stem}.txt")), expected)
    assert score.recall == 1.0 and score.precision == pytest.approx(25 / 26)
    assert score.field_accuracy("deadlines") == pytest.approx(24 / 25)
    assert score.field_accuracy("content") == 1.0
    assert any("deadlines" in m for m in score.mismatches)


def test_nothing_to_evaluate_is_an_error(tmp_path: Path) -> None:
    assert main(["eval", str(SAMPLES / "prose"), "--expected", str(tmp_path)]) == 2
