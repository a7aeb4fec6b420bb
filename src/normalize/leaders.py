"""Leader cells ("Lãnh đạo UBND Thành phố phụ trách") → the people named in them."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.textutil import fold

# A personal name: two to five capitalised words ("Trần Sỹ Thanh", "Hà Minh Hải").
NAME = re.compile(r"(?<![\p{L}/])\p{Lu}\p{Ll}*(?:[ \t]+\p{Lu}\p{Ll}*){1,4}(?![\p{L}])")


@lru_cache(maxsize=1)
def _titles() -> tuple[str, ...]:
    text = resources.files("vnplan.normalize").joinpath("data/leaders.toml").read_text("utf-8")
    return tuple(fold(t) for t in tomllib.loads(text)["titles"])


def _strip_title_words(candidate: str) -> str:
    """Drop leading words that belong to a title: 'Phó Chủ' of 'Phó Chủ tịch'."""
    words = candidate.split()
    titles = _titles()
    while words and any(
        fold(" ".join(words[:n])) in titles for n in range(1, min(3, len(words)) + 1)
    ):
        n = max(n for n in range(1, min(3, len(words)) + 1) if fold(" ".join(words[:n])) in titles)
        words = words[n:]
    return " ".join(words)


def leader_names(text: str | None) -> list[str]:
    """People named in a leader cell, in order, without repeats."""
    if not text:
        return []
    found: dict[str, None] = {}
    for match in NAME.finditer(text):
        candidate = _strip_title_words(match.group(0))
        if len(candidate.split()) >= 2 and not candidate.isupper():
            found.setdefault(candidate, None)
    return list(found)
