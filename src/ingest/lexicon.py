"""Is an OCR reading plausible Vietnamese? Catches the misreads Tesseract is sure of.

Tesseract's confidence misses most misread marks: "quản lý" read as "quần lý", "sản" as "sẳn",
"thị" as "th]" each come back at 90+. What gives them away is the language, so a cell is also
flagged for review when it holds:

- a character OCR makes of specks and rules, stuck to a word ("th]", "Nghị]", "|Sở");
- a syllable outside the Vietnamese syllable list (data/syllables.txt: "sẳn", "nầng", "chỉỉ");
- a pair of syllables that is not a word but has the letters of one with other marks
  (data/words.txt: "quần lý" for "quản lý", "cần cứ" for "căn cứ", "dầu mối" for "đầu mối");
- a capital inside a word ("thị Xã", "đáp Ứng"): Tesseract confuses the sizes of x/X, ư/Ư;
- a short cell that is neither a number, a list label nor a word ("4A", "A" for "4").

Acronyms (UBND, QĐ, TTg), numbers and codes (152/2017/NĐ-CP) are left alone. Both lists are
plain text a reader can extend; tools/make_lexicon.py says where they come from.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.ingest.legacy import unify_tone_marks
from vnplan.textutil import fold, squash

__all__ = ["misread", "syllables", "words"]

_NOISE = re.compile(r"[\[\]|{}~^\\_]")
_EDGE = "\"'()[]{}<>.,;:!?…“”‘’«»*"
_PARTS = re.compile(r"[-–/]")
_LETTERS = re.compile(r"^\p{L}+$")
# a short cell that is a list label or a mark: 1, 1., 1.2, II, I.3. (000:312), a), -, +, x
_LABEL = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLivxl]+\.?(?:\d+\.?)?|\p{Ll}\)|[-+x*•])$")


def _lines(name: str) -> list[str]:
    text = resources.files("vnplan.ingest").joinpath(f"data/{name}").read_text("utf-8")
    # one tone placement ("hóa", "thủy") as in the text being checked
    lines = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    return [unify_tone_marks(line) for line in lines]


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    return frozenset(_lines("syllables.txt"))


@lru_cache(maxsize=1)
def words() -> frozenset[str]:
    return frozenset(_lines("words.txt"))


@lru_cache(maxsize=1)
def _shapes() -> dict[str, str]:
    """A two-syllable word's letters without marks → the word (the first in the list)."""
    shapes: dict[str, str] = {}
    for word in sorted(words()):
        if word.count(" ") == 1:
            shapes.setdefault(fold(word), word)
    return shapes


def _marked(part: str) -> bool:
    """Whether a letter carries a vowel or tone mark (Đ is a letter of its own, not a mark)."""
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", part))


def _checked(part: str) -> bool:
    """Whether a word is judged as a syllable: not an acronym (UBND, QĐ, TTg) or a letter."""
    if len(part) < 2 or not _LETTERS.match(part):
        return False
    capitals = sum(c.isupper() for c in part)
    if capitals > 1:  # acronyms; an all-capital heading word with marks is still a syllable
        return capitals == len(part) and _marked(part)
    return True


def _syllable(token: str) -> str | None:
    """The token as one syllable to pair with its neighbour, or None (numbers, acronyms…)."""
    bare = token.strip(_EDGE)
    return bare.lower() if _checked(bare) else None


def misread(text: str) -> str | None:
    """Why `text` (one cell or line as OCR read it) looks misread, or None when it reads well."""
    squashed = squash(text)
    if 0 < len(squashed) <= 4 and not _LABEL.match(squashed):
        has_digit = any(c.isdigit() for c in squashed)
        has_letter = any(c.isalpha() for c in squashed)
        if (has_digit and has_letter) or (has_letter and len(squashed.strip(_EDGE)) == 1):
            return f"{squashed!r} is not a number, a label or a word"
    tokens = squashed.split()
    for token in tokens:
        noise = _NOISE.search(token)
        if noise is not None and any(c.isalpha() for c in token):
            return f"{token!r} holds {noise.group()!r}"
        for part in _PARTS.split(unify_tone_marks(token).strip(_EDGE)):
            if _checked(part) and part.lower() not in syllables():
                return f"{part!r} is not a Vietnamese syllable"
    return _unlikely_pair(tokens)


def _unlikely_pair(tokens: list[str]) -> str | None:
    """The first pair of syllables that reads like a word with other marks, and is not
    explained otherwise: a word with its other neighbour ("Sở Tài chính": "tài chính"), or
    a name (both capitalized: "Hà Minh" is not "hạ mình")."""
    syllable = [_syllable(unify_tone_marks(t)) for t in tokens]

    def word(i: int, j: int) -> bool:
        if i < 0 or j >= len(tokens) or syllable[i] is None or syllable[j] is None:
            return False
        if tokens[i][-1] in _EDGE or tokens[j][0] in _EDGE:  # "…, báo": punctuation between
            return False
        return f"{syllable[i]} {syllable[j]}" in words()

    for i in range(len(tokens) - 1):
        a, b = syllable[i], syllable[i + 1]
        if a is None or b is None or tokens[i][-1] in _EDGE or tokens[i + 1][0] in _EDGE:
            continue
        starts_a_name = i + 2 < len(tokens) and (tokens[i + 2][0].isupper() or word(i + 1, i + 2))
        if tokens[i][0].islower() and tokens[i + 1][0].isupper() and word(i, i + 1):
            # a word's second syllable is never capitalized when its first is not; unless the
            # capital starts a name or a word of its own ("ban hành Quyết định", "trực Ban Chỉ")
            if not starts_a_name:
                return f"{tokens[i]} {tokens[i + 1]}: a capital inside the word {a + ' ' + b!r}"
            continue
        if tokens[i][0].isupper() and tokens[i + 1][0].isupper():
            continue
        if word(i, i + 1) or word(i - 1, i) or word(i + 1, i + 2):
            continue
        known = _shapes().get(fold(f"{a} {b}"))
        if known is not None:
            return f"{tokens[i]} {tokens[i + 1]!s} reads like {known!r}"
    return None
