"""Text helpers shared by every stage (not a stage itself): folding for matching.

`fold` maps each character to one character, so an index into the folded text is an index into
the original: matches found on folded text can be cut out of the text as printed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch


class _FoldTable(dict[int, str]):
    """Code point → folded character, filled on first sight (for `str.translate`)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase, drop Vietnamese diacritics (đ → d), keep length: 'Sở Nội vụ' → 'so noi vu'."""
    return text.translate(_FOLD)


def squash(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return " ".join(text.split())


def fold_key(text: str) -> str:
    """A matching key: folded, whitespace collapsed, surrounding punctuation dropped."""
    return squash(fold(text)).strip(" .,;:-–")
