"""Cut an agency cell into phrases the way Vietnamese administrative writing builds them.

Commas, "và" and line breaks are not boundaries by themselves: "Các cơ quan, đơn vị, địa
phương liên quan" is one group and "Liên đoàn Thương\\nmại và Công nghiệp" one name. A cell is
cut where a new phrase starts (data/agency_grammar.toml): always after ";" or a bullet; after
",", "và", "với", "cùng" or a line break only before a head with a name ("Sở Tài chính"), a
quantifier ("các sở, ngành"), a registry name, or a capitalised name after a complete one.
The cut removes only the separator: every word of the cell is in a phrase or is a link word.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

import regex as re

from vnplan.textutil import fold, squash


@dataclass(frozen=True)
class Grammar:
    """The word lists of data/agency_grammar.toml, compiled for matching on folded text."""

    heads: dict[str, str]  # folded head → kind
    head: re.Pattern[str]  # a head at the start of a text (folded)
    capital_only: frozenset[str]  # folded heads that need a capital letter as printed
    quantifier: re.Pattern[str]
    generic: dict[str, str]  # folded generic noun → level ("" when any)
    generic_words: dict[str, str]  # the same nouns as printed (lower case): "quận" is not "quan"
    generic_start: re.Pattern[str]  # on lower-case text with its diacritics
    title: re.Pattern[str]
    not_agency: re.Pattern[str]
    kept_qualifier: re.Pattern[str]
    dropped_qualifier: re.Pattern[str]
    separator: re.Pattern[str]  # every place a cell may part: ";", ",", a link word, …
    link_edge: re.Pattern[str]  # a link word left at a phrase's start or end ("và …")
    predicate: re.Pattern[str]  # a verb opening the predicate, in lower case as printed


def _words(items: list[str]) -> str:
    """Alternation of folded phrases, longest first, whole words, any spacing."""
    folded = sorted({fold(i) for i in items}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in i.split()) for i in folded)


def printed(text: str) -> str:
    """Lower case with diacritics (NFC), old tone placement made modern ("uỷ" → "ủy",
    "hoà" → "hòa"), same length: "Bảo" stays apart from "Báo", "Quỹ" from "Quy"."""
    text = unicodedata.normalize("NFC", text).lower()
    for old, new in OLD_TONE_PAIRS:
        text = text.replace(old, new)
    return text


# old-style tone placement on the first vowel of "oa", "oe", "uy" (same length when NFC)
OLD_TONE_PAIRS = (
    ("uỷ", "ủy"),
    ("uý", "úy"),
    ("uỳ", "ùy"),
    ("uỹ", "ũy"),
    ("uỵ", "ụy"),
    ("oà", "òa"),
    ("oá", "óa"),
    ("oả", "ỏa"),
    ("oã", "õa"),
    ("oạ", "ọa"),
    ("oè", "òe"),
    ("oé", "óe"),
    ("oẻ", "ỏe"),
    ("oẽ", "õe"),
    ("oẹ", "ọe"),
)


def _printed(items: list[str]) -> str:
    """Alternation of lower-case phrases as printed (diacritics kept), longest first."""
    ordered = sorted({printed(i) for i in items}, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(w) for w in i.split()) for i in ordered)


def _opening(items: list[str]) -> re.Pattern[str]:
    return re.compile(rf"^(?:{_words(items)})(?![\p{{L}}\d])")


# ";" and bullets always part; ",", link words and line breaks part only before a new phrase.
HARD = re.compile(r"\s*;\s*|\s*\n\s*[-+•–]\s*|\s+[+•]\s+")


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    path = resources.files("vnplan.normalize").joinpath("data/agency_grammar.toml")
    data = tomllib.loads(path.read_text("utf-8"))
    heads = {printed(k): v for k, v in data["heads"].items()}
    qualifiers = data["qualifiers"]
    return Grammar(
        heads=heads,
        head=re.compile(rf"^(?:{_printed(list(heads))})(?![\p{{L}}\d])"),
        capital_only=frozenset(printed(h) for h in data["capital_only"]["heads"]),
        quantifier=_opening(data["quantifiers"]),
        generic={fold(k): v for k, v in data["generic"].items()},
        generic_words={k.lower(): v for k, v in data["generic"].items()},
        generic_start=re.compile(rf"^(?:{_printed(list(data['generic']))})(?![\p{{L}}\d])"),
        title=_opening(data["not_agency"]["titles"]),
        not_agency=_opening(data["not_agency"]["openings"]),
        kept_qualifier=re.compile(rf"(?<![\p{{L}}\d])(?:{_words(qualifiers['kept'])})$"),
        dropped_qualifier=re.compile(
            rf"[\s,]*(?:{_words(qualifiers['dropped'])})(?:[\s,.;]|$).*$", re.DOTALL
        ),
        separator=re.compile(
            rf"{HARD.pattern}|\s*,\s*|\s+(?:{_printed(data['links'])})\s+|\s+[-–]\s+"
            r"|(?<!\d)\s*/\s*(?!\d)|\s*\n\s*",
            re.IGNORECASE,
        ),
        link_edge=re.compile(
            rf"^(?:{_printed(data['links'])})\s+|\s+(?:{_printed(data['links'])})$", re.IGNORECASE
        ),
        predicate=re.compile(
            rf"(?<=\p{{L}}[\s,]+)(?:{_printed(data['predicates']['verbs'])})(?![\p{{L}}\d])"
        ),
    )


@dataclass(frozen=True)
class Head:
    """The head word of a phrase as printed, and the kind of agency it starts."""

    text: str
    kind: str


def head_of(text: str) -> Head | None:
    """The head that starts `text` ("Sở", "Ủy ban nhân dân", …), respecting capitals."""
    g = grammar()
    match = g.head.match(printed(text))
    if match is None:
        return None
    key = " ".join(match.group(0).split())
    if key in g.capital_only and not text[:1].isupper():
        return None
    return Head(" ".join(text[: match.end()].split()), g.heads[key])


def _next_is_word(text: str, at: int) -> bool:
    """A word follows position `at` on the same phrase (not a comma, ";" or the end)."""
    rest = text[at:].lstrip()
    return bool(rest) and (rest[0].isalnum() or rest[0] == "(")


def starts_phrase(text: str, at: int) -> bool:
    """Whether a new agency phrase begins at `at` by its own words: a quantifier, a title
    before a head, or a head followed by a name ("Sở Tài chính", not "sở" in "sở, ban")."""
    g = grammar()
    rest = text[at:]
    folded = fold(rest)
    if g.quantifier.match(folded):
        return True
    title = g.title.match(folded)
    if title:
        rest = rest[title.end() :].lstrip()
    head = head_of(rest)
    if head is None:
        return False
    return _next_is_word(rest, len(head.text))


def without_predicate(text: str) -> str:
    """'chính quyền địa phương quản lý chặt chẽ việc …' → 'chính quyền địa phương'."""
    # as printed: a verb of the predicate is in lower case, a name's words are capitalised
    match = grammar().predicate.search(unicodedata.normalize("NFC", text))
    return text[: match.start()].rstrip(" ,") if match else text


def is_generic(text: str) -> bool:
    """`text` opens with a generic noun ("đơn vị", "huyện") and not with a named head."""
    g = grammar()
    match = g.generic_start.match(printed(text))  # "quận" ≠ "quản"
    if match is None:
        return False
    return not (text[:1].isupper() and starts_phrase(text, 0) and head_of(text) is not None)


BULLET = re.compile(r"^\s*[-+•–]\s*")
# "Các Sở: Tư pháp, Tài chính": a head shared by the list after the colon.
HEAD_LIST = re.compile(r"(?<![\p{L}])(?:các\s+)?(?:sở|ban|bộ)\s*:", re.IGNORECASE)


# A name that ends with its place is complete: "Điện lực Lào Cai, Viettel Lào Cai".
PLACE_END = re.compile(
    r"(?:tỉnh|thành\s+phố|huyện|xã|phường)\s+\p{Lu}[\p{L}\p{M}]*(?:\s+\p{Lu}[\p{L}\p{M}]*)*$|\p{Lu}[\p{L}\p{M}]*\s+\p{Lu}[\p{L}\p{M}]*$"
)


def _complete(phrase: str, protected: list[tuple[int, int]], start: int, end: int) -> bool:
    """The phrase so far is a whole registry name, a named head ending in capitalised words
    (its place), or ends with a closing qualifier."""
    if (start, end) in protected:
        return True
    text = squash(phrase)
    if (head_of(text) is not None or text[:1].isupper()) and PLACE_END.search(text):
        return True  # "Điện lực Lào Cai, Viettel Lào Cai": a name that ends with its place
    return bool(grammar().kept_qualifier.search(fold(text)))


def split_phrases(text: str, protected: list[tuple[int, int]] | None = None) -> list[str]:
    """The phrases of a cell, in order. `protected` spans (registry names found in the cell,
    as offsets into `text`) are never cut inside, and two of them side by side are two
    phrases ("Sở Nội vụ Sở Tài chính")."""
    spans = sorted(protected or [])
    cuts: list[tuple[int, int]] = []  # (separator start, separator end) of every cut
    lead = BULLET.match(text)
    start = lead.end() if lead else 0
    # registry names side by side with only spaces between: a cut of zero width
    for (_, end_a), (start_b, _) in pairwise(spans):
        if end_a <= start_b and not text[end_a:start_b].strip(" \n-–"):
            cuts.append((end_a, start_b))
    for match in grammar().separator.finditer(text, start):
        if any(a < match.start() < b or a < match.end() - 1 < b for a, b in spans):
            continue  # inside a registry name: "Trung tâm Xúc tiến đầu tư, thương mại"
        cuts.append((match.start(), match.end()))
    phrases: list[str] = []
    start_at = start
    listing = False  # after "Các Sở:" each comma starts a name that shares the head
    for sep_start, sep_end in sorted(set(cuts)):
        if sep_start < start_at:
            continue
        sep = text[sep_start:sep_end]
        phrase = text[start_at:sep_start]
        listing = listing or bool(HEAD_LIST.search(phrase))
        hard = sep_start == sep_end or bool(HARD.fullmatch(sep))
        if hard:
            listing = False
        elif listing and "," in sep:
            pass
        elif not _cuts_here(text, phrase, start_at, sep_start, sep_end, spans):
            continue
        elif "," in sep and _shares_head(text, sep_end):
            listing = True  # "Sở Nội vụ, Tài chính, Tư pháp": the names after share "Sở"
        if phrase.strip():
            phrases.append(phrase)
        start_at = sep_end
    if text[start_at:].strip():
        phrases.append(text[start_at:])
    return phrases


def _shares_head(text: str, at: int) -> bool:
    """What follows a cut is a capitalised name with no head of its own: it shares the head
    of the name before it, and so do the names after it."""
    rest = text[at:]
    return rest[:1].isupper() and head_of(rest) is None and not is_generic(rest)


def _cuts_here(
    text: str,
    phrase: str,
    start: int,
    sep_start: int,
    sep_end: int,
    spans: list[tuple[int, int]],
) -> bool:
    if any(a == sep_end for a, _ in spans) or starts_phrase(text, sep_end):
        return True
    rest = text[sep_end:]
    proper = head_of(phrase.strip()) is not None and not grammar().quantifier.match(fold(phrase))
    if (start, sep_start) in spans and proper and is_generic(rest) and rest[:1].islower():
        return True  # "Sở Công Thương, chính quyền địa phương": a group after a proper name
    capital = rest[:1].isupper() and not is_generic(rest)
    return capital and _complete(phrase, spans, start, sep_start)
