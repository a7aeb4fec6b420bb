"""Blocked duplicate linking gives the links of scoring every prose task against every row."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from vnplan import __version__
from vnplan.ingest import load
from vnplan.parse import link_duplicates, parse_document
from vnplan.parse.duplicates import DUPLICATE_SCORE, best_matches
from vnplan.textutil import fold

from conftest import SAMPLES


def exhaustive(prose: list[str], rows: list[str], ids: list[str]) -> list[str | None]:
    """The linking before blocking: every pair scored, the best (ties: greatest id) kept."""
    if not prose or not rows:
        return [None] * len(prose)
    scores = process.cdist(prose, rows, scorer=fuzz.token_set_ratio, dtype=np.float64)
    best = [max(zip(row.tolist(), ids, strict=True)) for row in scores]
    return [task_id if score >= DUPLICATE_SCORE else None for score, task_id in best]


def _is_ocr(path: Path) -> bool:
    return path.parent.name == "scan" or "scanned" in path.name


DOCUMENTS = sorted(
    p
    for p in SAMPLES.rglob("*")
    if p.is_file() and p.suffix in {".txt", ".pdf", ".docx", ".doc", ".html"}
)


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.slow) if _is_ocr(p) else p for p in DOCUMENTS],
    ids=[str(p.relative_to(SAMPLES)) for p in DOCUMENTS],
)
def test_links_on_every_sample_are_the_exhaustive_ones(path: Path) -> None:
    try:
        raw = load(str(path))
    except Exception as exc:  # a failed file has no tasks to link (pdf_text's IndexError today)
        pytest.skip(f"{path.name} does not load: {type(exc).__name__}")
    tasks = parse_document(raw, __version__).tasks
    prose = [t.model_copy(update={"duplicate_of": None}) for t in tasks if t.origin == "prose"]
    rows = [t for t in tasks if t.origin == "appendix"]
    linked = [t.duplicate_of for t in link_duplicates(prose, rows)]
    contents = [fold(t.content) for t in prose], [fold(t.content) for t in rows]
    assert linked == exhaustive(*contents, [t.task_id for t in rows])
    # and what the parse stage stored is that linking
    assert linked == [t.duplicate_of for t in tasks if t.origin == "prose"]


def _typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(len(word))
    return word[:at] + rng.choice("abcdehiklmnoqrtuy") + word[at + 1 :]


def _variants(text: str, rng: random.Random) -> list[str]:
    """What a prose sentence does to a row: copies it, misspells it, cuts it, adds to it."""
    words = text.split()
    typo = list(words)
    for at in rng.sample(range(len(words)), k=max(1, len(words) // 4)):
        typo[at] = _typo(words[at], rng)
    cut = words[: max(1, len(words) * 3 // 4)]
    more = [*words, *rng.sample(words, k=min(len(words), 5)), "theo", "quy", "dinh."]
    dropped = [w for k, w in enumerate(words) if k % 5 != 2]
    return [" ".join(v) for v in (words, typo, cut, more, dropped, [_typo(w, rng) for w in words])]


@pytest.fixture(scope="module")
def seed_texts() -> tuple[list[str], list[str]]:
    prose: list[str] = []
    rows: list[str] = []
    for stem in ("000_76046f262c6874d6", "001_d1ea71c28f9b4230", "003_3a026ceb35acf91e"):
        for task in parse_document(load(str(SAMPLES / f"{stem}.txt")), __version__).tasks:
            (prose if task.origin == "prose" else rows).append(fold(task.content))
    return prose, rows


def test_links_on_a_generated_large_document(seed_texts: tuple[list[str], list[str]]) -> None:
    seed_prose, seed_rows = seed_texts
    rng = random.Random(16)
    # rows: the seeds' rows, twice over with misspellings, plus short ones where a single
    # misspelt word decides (the edit-distance part of token_set_ratio)
    short = ["lap ke hoach", "bao cao so", "so tai chinh", "kiem tra", "ubnd cac huyen"]
    rows = seed_rows + [_variants(r, rng)[1] for r in seed_rows] + short
    prose = list(seed_prose)
    for row in rng.sample(rows, k=len(rows) * 3 // 4):
        prose += _variants(row, rng)
    prose += [
        " ".join(_typo(w, rng) if k == 0 else w for k, w in enumerate(s.split())) for s in short
    ]
    rng.shuffle(prose)
    ids = [f"d:{k:05d}" for k in range(len(rows))]
    linked = best_matches(prose, rows, ids)
    assert len(prose) > 1_000 and len(rows) > 250
    assert linked == exhaustive(prose, rows, ids)
    assert sum(1 for link in linked if link) > 500  # most variants stay links


WORDS = st.sampled_from(["a", "ab", "ba", "abc", "b", "ca", "cab", "bb", "c", "acb", "x"])
TEXTS = st.lists(WORDS, min_size=0, max_size=7).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=8), st.lists(TEXTS, min_size=1, max_size=8))
def test_links_on_short_lookalike_texts(prose: list[str], rows: list[str]) -> None:
    # a few letters, so that texts share words, contain each other and differ by one letter
    ids = [f"r{k}" for k in range(len(rows))]
    assert best_matches(prose, rows, ids) == exhaustive(prose, rows, ids)
