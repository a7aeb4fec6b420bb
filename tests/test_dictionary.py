"""docs/DATA_DICTIONARY.md is generated from the models and schemas; this fails when it drifts."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from vnplan import dictionary
from vnplan.cli import main
from vnplan.dataset import TABLES

from conftest import ROOT, SAMPLES

COMMITTED = ROOT / "docs" / "DATA_DICTIONARY.md"


@pytest.fixture(scope="module")
def sample_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dictionary") / "out"
    dictionary.build_sample_dataset(SAMPLES, out)
    return out


def test_committed_dictionary_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # as the README runs it: source paths in examples are relative
    fresh = tmp_path / "DATA_DICTIONARY.md"
    assert main(["dictionary", "--out", str(fresh)]) == 0
    assert COMMITTED.exists(), "run `vnplan dictionary --out docs/DATA_DICTIONARY.md`"
    assert COMMITTED.read_text("utf-8") == fresh.read_text("utf-8"), (
        f"{COMMITTED} is stale: run `vnplan dictionary --out docs/DATA_DICTIONARY.md`"
    )


def test_every_column_of_every_table_is_described(sample_dataset: Path) -> None:
    text = dictionary.render(sample_dataset)
    for table, schema in dictionary.SCHEMAS.items():
        assert f"\n## {table}\n" in text
        for name in schema.names:
            row = next(line for line in text.splitlines() if line.startswith(f"| {name} |"))
            meaning = row.split(" | ")[2]
            assert meaning.strip(), f"{table}.{name} has no meaning"
    assert set(dictionary.SCHEMAS) == set(TABLES)


def test_meanings_come_from_the_models() -> None:
    config = dictionary.load_config()
    assert dictionary.meaning("tasks", "due_date", config, "Task") == (
        "the latest of deadlines, null if none"
    )
    assert dictionary.meaning("tasks", "page_start", config, "Task") == (
        "1-based page, null where the format has no pages"  # Provenance.page
    )
    assert dictionary.meaning("tasks", "milestones.deadline_raw", config, "Milestone") == (
        "its time cell as printed"
    )


def test_a_column_nobody_described_stops_the_generator(sample_dataset: Path) -> None:
    config = copy.deepcopy(dictionary.load_config())
    del config["tables"]["documents"]["columns"]["warning_count"]
    with pytest.raises(dictionary.DictionaryError, match=r"documents\.warning_count: no meaning"):
        dictionary.render(sample_dataset, config)


def test_examples_come_from_the_seeds() -> None:
    text = COMMITTED.read_text("utf-8")
    assert "| lead_agencies | list<string> |" in text
    assert '`["Sở Nội vụ"]`' in text  # the commonest lead agency of the seeds
    assert "`6745/QĐ-UBND`" in text or "`7028/QĐ-UBND`" in text or "`223/KH-UBND`" in text
