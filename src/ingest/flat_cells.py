"""A flattened table whose empty cells were lost, rebuilt from what each paragraph holds.

Copying a portal's page from a browser gives one paragraph per cell (blank lines between, a
cell's own lines kept together), and an empty cell gives nothing: "1 / Ban hành Kế hoạch / Sở
Nội vụ / Tháng 2/2024" may be a row of seven columns with three empty. Counting paragraphs
cannot rebuild such rows; what the paragraphs hold can. A row starts with its number cell ("1",
"I", "1.1.", "-"), and the cells after it fill the header's columns left to right, each
paragraph in a later column than the one before: a time phrase belongs in the time column,
bodies' names in an agency column, people in the leader column, a short document name in the
product column, a sentence in the task column.

The best reading of the whole run is found at once (Viterbi over paragraph → column): each
paragraph scores how well it fits a column, each column skipped scores how often the column is
empty, and a row without a number cell (a milestone printed under its task) costs a little.
How often each column is empty is learnt from the table itself in a second pass, so a table
whose support column is mostly empty reads a lone body as the lead, and one whose monitoring
column is always filled reads a second body there.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.textutil import fold, fold_key

# How well a paragraph of each kind fits a column of each role (log-odds, by hand: a time
# phrase is almost never a task, a sentence rarely a body's name).
KINDS = ("time", "timed", "agency", "person", "product", "sentence", "other")
FIT: dict[str, tuple[float, ...]] = {
    #           time  timed agency person product sentence other
    "content": (-6.0, -1.0, -3.0, -6.0, 0.0, 2.0, 0.0),
    "product": (-4.0, -1.0, -3.0, -5.0, 2.0, 0.0, 0.5),
    "leader": (-8.0, -6.0, -3.0, 4.0, -6.0, -6.0, -4.0),
    "lead": (-8.0, -4.0, 3.0, -2.0, -4.0, -3.0, -2.0),
    "support": (-8.0, -4.0, 3.0, -2.0, -4.0, -3.0, -2.0),
    "monitor": (-8.0, -4.0, 3.0, -2.0, -4.0, -3.0, -2.0),
    "deadline": (4.0, 1.0, -6.0, -8.0, -3.0, -3.0, -1.0),
    "note": (-1.0, 0.0, -1.0, -3.0, -1.0, 0.0, 0.0),
}
# How often a column of each role is filled, before the table itself says.
FILLED = {
    "content": 0.95,
    "product": 0.7,
    "leader": 0.8,
    "lead": 0.95,
    "support": 0.6,
    "monitor": 0.8,
    "deadline": 0.9,
    "note": 0.2,
}
OTHER_ROLE = "note"  # a column the vocabulary does not name fits like a note
UNNUMBERED_ROW = -8.0  # a row without a number cell: a milestone under its task, seldom
SENTENCE_CHARS = 60  # a paragraph this long is a sentence, whatever it starts with
PRODUCT_CHARS = 80  # a product is named briefly
PASSES = 2  # the second pass learns how often each column is filled
CONTINUED = -2.5  # a bullet line read as the rest of the cell above, not a cell of its own


def is_bullet(text: str) -> bool:
    """A "- …" or "+ …" line: a cell's item, which a copy may set apart from its cell."""
    return len(text) > 2 and text[0] in "-–+•" and text[1] == " "


@dataclass(frozen=True)
class _Vocabulary:
    agency: re.Pattern[str]
    not_agency: re.Pattern[str]
    person: re.Pattern[str]
    product: re.Pattern[str]
    time: re.Pattern[str]
    ends: re.Pattern[str]


def _alternation(phrases: list[str]) -> str:
    keys = sorted({" ".join(p.lower().split()) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(k) for k in keys)


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    raw = tomllib.loads(
        resources.files("vnplan.ingest").joinpath("data/flattened.toml").read_text("utf-8")
    )
    return _Vocabulary(
        agency=re.compile(rf"^(?:{_alternation(raw['agency_heads'])})(?!\w)"),
        not_agency=re.compile(rf"^(?:{_alternation(raw['not_agency'])})(?!\w)"),
        person=re.compile(rf"^(?:{_alternation(raw['person_marks'])})(?!\w)"),
        product=re.compile(rf"^(?:{_alternation(raw['product_heads'])})(?!\w)"),
        time=re.compile("|".join(f"(?:{p})" for p in raw["time_phrases"])),
        ends=re.compile("|".join(f"(?:{p})" for p in raw["table_ends"])),
    )


def _lines(text: str) -> list[str]:
    """The cell's lines folded, bullets dropped."""
    return [k for k in (fold_key(line.lstrip("-–+•* ")) for line in text.split("\n")) if k]


def _words(text: str) -> list[str]:
    """The cell's lines in lower case, bullets dropped: head words are matched with their
    marks, since folded away "Cổng" is "Công tác" and "Báo" is "Bảo đảm"."""
    lines = (" ".join(line.lstrip("-–+•* ").split()).lower() for line in text.split("\n"))
    return [line for line in lines if line]


def kind_of(text: str) -> str:
    """What a paragraph holds: one of KINDS."""
    vocab = _vocabulary()
    lines = _words(text)
    if not lines:
        return "other"
    flat = " ".join(lines)
    timed = bool(vocab.time.search(fold(flat)))
    if timed and all(vocab.time.search(fold(line)) for line in lines):
        return "time" if len(flat) <= SENTENCE_CHARS else "timed"
    if timed:
        return "timed"  # "Các sở … báo cáo … trong tháng 9/2023": a time, said in a sentence

    def agency(line: str) -> bool:
        return bool(vocab.agency.match(line)) and not vocab.not_agency.match(line)

    if agency(lines[0]):
        return "agency"
    if vocab.person.match(lines[0]) or "d/c" in flat or "đ/c" in flat:
        return "person"
    if vocab.product.match(lines[0]) and len(flat) <= PRODUCT_CHARS:
        return "product"
    return "sentence" if len(flat) > SENTENCE_CHARS else "other"


def ends_table(text: str) -> bool:
    """Whether a paragraph opens the text after a table ("Nơi nhận:", "PHỤ LỤC II")."""
    return bool(_vocabulary().ends.search(fold(text.strip())))


def _log(p: float) -> float:
    return math.log(min(max(p, 0.02), 0.98))


# Rows of three kinds fill their columns differently: a task row most; a section row ("I",
# "1.1.", "a)") only its title; a milestone row ("-") its own part, seldom the task text.
ROW_TYPES = ("task", "section", "milestone")
_SECTION_LABEL = re.compile(
    r"^(?:[IVXLC]{1,6}\.?|\d{1,2}(?:\.\d{1,2})+\.?|[IVX]{1,4}\.\d{1,2}\.?|[a-zđ]\))(?:\s|$)"
)


def row_type(number: str) -> str:
    """The kind of row a number cell opens."""
    text = number.strip()
    if text and text[0] in "-–+•*":
        return "milestone"
    return "section" if _SECTION_LABEL.match(text) else "task"


def _prior(row: str, role: str) -> float:
    if row == "section":
        return 0.95 if role == "content" else 0.05
    if row == "milestone" and role == "content":
        return 0.5
    return FILLED.get(role, FILLED[OTHER_ROLE])


Rates = dict[str, list[float]]  # row type → how often each column is filled


class _Costs:
    """Scores of filling and of leaving columns empty, per row type."""

    def __init__(self, rates: Rates, width: int) -> None:
        self.fill = {t: [_log(f) for f in rates[t]] for t in ROW_TYPES}
        skip = {t: [_log(1 - f) for f in rates[t]] for t in ROW_TYPES}
        # run[t][a][b]: leaving columns a..b-1 empty in a row of type t
        self.run = {
            t: [[sum(skip[t][a:b]) for b in range(width + 1)] for a in range(width + 1)]
            for t in ROW_TYPES
        }


def _assign(
    kinds: Sequence[str | None],
    types: Sequence[str],
    bullets: Sequence[bool],
    roles: Sequence[str],
    rates: Rates,
) -> list[tuple[int, bool]]:
    """(column, opens a row) of each paragraph (column 0: a number cell; None kinds are number
    cells), `types`
    giving the type of the row each paragraph's number cell opened.

    A state is (column, whether the row has no number cell): a row without one is a
    milestone printed under its task, and fills its columns as milestones do.
    """
    width = len(roles)
    costs = _Costs(rates, width)
    neg = -1e18
    states = [(c, u) for u in (False, True) for c in range(width)]
    back: list[dict[tuple[int, bool], tuple[tuple[int, bool], bool]]] = []
    previous: dict[tuple[int, bool], float] = {state: neg for state in states}
    previous[(width - 1, False)] = 0.0  # the header row ends in the last column
    before = types[0] if types else "task"

    def row_of(numbered_type: str, unnumbered: bool) -> str:
        return "milestone" if unnumbered else numbered_type

    for kind, kind_row, bullet in zip(kinds, types, bullets, strict=True):
        best = {state: neg for state in states}
        here: dict[tuple[int, bool], tuple[tuple[int, bool], bool]] = {}
        for column, unnumbered in states:
            if (kind is None) != (column == 0) or (kind is None and unnumbered):
                continue  # a number cell is column 0, and column 0 is a number cell
            row = row_of(kind_row, unnumbered)
            emit = fit = 0.0
            if kind is not None:
                fit = FIT.get(roles[column], FIT[OTHER_ROLE])[KINDS.index(kind)]
                emit = costs.fill[row][column] + fit
            for (last, last_unnumbered), score_before in previous.items():
                if score_before == neg:
                    continue
                tail = costs.run[row_of(before, last_unnumbered)][last + 1][width]
                new_row = True
                if kind is None:  # a numbered row starts; the row before ends empty
                    score = score_before + tail
                elif column > last and unnumbered == last_unnumbered:  # the row goes on
                    score = score_before + costs.run[row][last + 1][column] + emit
                    new_row = False
                elif bullet and column == last and unnumbered == last_unnumbered:
                    # a "- …" line the copy set apart from the cell it belongs to
                    score = score_before + CONTINUED + fit
                    new_row = False
                elif unnumbered:  # a row without its number cell starts here
                    score = score_before + tail + UNNUMBERED_ROW + costs.run[row][1][column] + emit
                else:
                    continue
                if score > best[(column, unnumbered)]:
                    best[(column, unnumbered)] = score
                    here[(column, unnumbered)] = ((last, last_unnumbered), new_row)
        back.append(here)
        previous = best
        before = kind_row

    def closing(state: tuple[int, bool]) -> float:
        return previous[state] + costs.run[row_of(before, state[1])][state[0] + 1][width]

    state = max(states, key=closing)
    placed: list[tuple[int, bool]] = []
    for here in reversed(back):
        before_state, new_row = here.get(state, (state, True))
        placed.append((state[0], new_row))
        state = before_state
    return placed[::-1]


def _rows(
    texts: Sequence[str], placed: Sequence[tuple[int, bool]], width: int
) -> tuple[list[list[str]], list[int]]:
    """The rows the placed paragraphs make, and the index of each row's first paragraph."""
    rows: list[list[str]] = []
    starts: list[int] = []
    for index, (text, (column, new_row)) in enumerate(zip(texts, placed, strict=True)):
        if new_row or not rows:
            rows.append([""] * width)
            starts.append(index)
        cell = rows[-1][column]
        rows[-1][column] = f"{cell}\n{text}" if cell else text
    return rows, starts


def _fill_rates(rows: list[list[str]], roles: Sequence[str]) -> Rates:
    """How often each column is filled, per row type, the prior counting as two rows."""
    rates: Rates = {}
    for kind in ROW_TYPES:
        of_type = [r for r in rows if row_type(r[0]) == kind]
        rates[kind] = [
            (sum(1 for r in of_type if r[column]) + 2 * _prior(kind, role)) / (len(of_type) + 2)
            for column, role in enumerate(roles)
        ]
    return rates


def rebuild(
    texts: Sequence[str], numbered: Sequence[bool], roles: Sequence[str]
) -> tuple[list[list[str]], list[int]]:
    """Rows of len(roles) cells from paragraphs in reading order (`numbered`: the paragraph is
    a row's number cell), and the index of each row's first paragraph."""
    kinds = [None if n else kind_of(t) for t, n in zip(texts, numbered, strict=True)]
    types: list[str] = []
    current = "task"
    for text, number in zip(texts, numbered, strict=True):
        current = row_type(text) if number else current
        types.append(current)
    bullets = [is_bullet(t) for t in texts]
    rates = {kind: [_prior(kind, role) for role in roles] for kind in ROW_TYPES}
    rows: list[list[str]] = []
    starts: list[int] = []
    for _ in range(PASSES):
        placed = _assign(kinds, types, bullets, roles, rates)
        rows, starts = _rows(texts, placed, len(roles))
        rates = _fill_rates(rows, roles)
    return rows, starts
