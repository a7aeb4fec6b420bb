"""The pipeline against the hand-checked expected files, field by field (samples/expected/)."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pytest

from vnplan.models import Document, DocumentStatus

from conftest import SEEDS
from expected import FIELDS, appendix, compare, load_expected


@pytest.mark.parametrize("stem", list(SEEDS))
def test_every_numbered_task_row_is_found(stem: str, seed_docs: dict[str, Document]) -> None:
    doc = seed_docs[stem]
    expected = load_expected(stem)
    assert len(expected["tasks"]) == SEEDS[stem]
    rows = appendix(doc)
    assert len(rows) == SEEDS[stem]
    assert [t.provenance.line for t in rows] == [e["line"] for e in expected["tasks"]]


@pytest.mark.parametrize("stem", list(SEEDS))
def test_every_field_equals_the_hand_checked_value(
    stem: str, seed_docs: dict[str, Document]
) -> None:
    agreement = compare(seed_docs[stem], load_expected(stem))
    assert agreement.mismatches == []
    assert agreement.matched == dict.fromkeys(FIELDS, SEEDS[stem])


@pytest.mark.parametrize("stem", list(SEEDS))
def test_document_header(stem: str, seed_docs: dict[str, Document]) -> None:
    doc = seed_docs[stem]
    want = load_expected(stem)["document"]
    assert doc.status is DocumentStatus.OK
    assert doc.doc_number == want["doc_number"]
    assert doc.doc_type == want["doc_type"]
    assert doc.issuer == want["issuer"]
    assert doc.issued_date == dt.date.fromisoformat(want["issued_date"])
    assert doc.signer == want["signer"]


def test_samples_are_the_seeds_unedited() -> None:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    root = Path(__file__).resolve().parent.parent / "samples"
    for stem in SEEDS:
        assert filecmp.cmp(seeds / f"{stem}.txt", root / f"{stem}.txt", shallow=False), stem
