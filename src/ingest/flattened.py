"""Tables flattened to one cell per paragraph, rebuilt into rows.

Legal portals (thuvienphapluat, vbpl) often publish an appendix table as a run of paragraphs:
first the N column names, then every cell in reading order, N per row. An empty cell is a
paragraph holding a lone non-breaking space, and a section row ("I | Công tác chỉ đạo") is
followed by empty cells to fill its row. Text copied from such a page has one cell per line.

The rebuild needs the header block to know N: a run of short paragraphs that starts with the
number column (STT/TT) and whose names are task-table column names. The names come from the
parser's vocabulary file (`parse/data/columns.toml`, read as data so the two never drift; no
parser code is imported, ingest comes first). Rows are then cut N cells at a time for as long as
each row starts like a row of such a table (a number, a section label, "-", or an empty cell);
the first paragraph that does not is where the table ends.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.ingest import flat_cells
from vnplan.models import Cell, Table
from vnplan.textutil import fold_key

NBSP = "\xa0"
MAX_HEADER_CHARS = 80  # a column name is short; a longer paragraph is prose
MAX_UNKNOWN_COLUMNS = 2  # column names the vocabulary lacks ("Kinh phí"), between known ones

# What the first cell of a row holds: a task number "12", a section label "I", "1.1.", "I.3.",
# "a)", a milestone mark "-", each optionally followed by the section title in the same cell.
_ROW_START = re.compile(
    r"^(?:\d{1,3}[.)]?|[IVXLC]{1,6}\.?|\d{1,2}(?:\.\d{1,2})+\.?|[IVX]{1,4}\.\d{1,2}\.?"
    r"|[a-zđ]\)|[-–+•*])(?:\s+(?P<title>\S.*))?$",
    re.DOTALL,
)


# A section row printed whole in the number cell: a Roman, multi-level or lettered label
# ("II. …", "2.2. Về tổ chức bộ máy", "a) …"); a bare "1. …" opens a list inside a cell.
_SECTION_IN_NUMBER = re.compile(
    r"^(?:[IVXLC]{1,6}\.?|\d{1,2}(?:\.\d{1,2})+\.?|[IVX]{1,4}\.\d{1,2}\.?|[a-zđ]\))\s"
)


@dataclass(frozen=True)
class Item:
    """One paragraph (or line) as the source gave it: NBSP kept, so empty cells are visible."""

    text: str
    line: int | None = None
    bold: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.text.strip(" \t\r\n\f" + NBSP)


@dataclass(frozen=True)
class _Vocabulary:
    number: tuple[str, ...]
    phrases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    any_of: tuple[str, ...]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    # Read through the top package so the parse stage's code is never imported from ingest.
    path = resources.files("vnplan").joinpath("parse/data/columns.toml")
    raw = tomllib.loads(path.read_text("utf-8"))
    phrases = {role: tuple(fold_key(p) for p in items) for role, items in raw["roles"].items()}
    return _Vocabulary(
        number=phrases.pop("number", ()),
        phrases=phrases,
        required=tuple(raw["table"]["required"]),
        any_of=tuple(raw["table"]["any_of"]),
    )


def is_number_column(text: str) -> bool:
    key = re.sub(r"[^a-z ]", "", fold_key(text)).strip()
    return bool(key) and key in _vocabulary().number


def _role(text: str) -> str | None:
    """The column role a header paragraph names, or None."""
    if len(text) > MAX_HEADER_CHARS:
        return None
    if is_number_column(text):
        return "number"
    key = fold_key(text)
    for role, phrases in _vocabulary().phrases.items():
        for phrase in phrases:
            if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", key):
                return role
    return None


def header_at(items: Sequence[Item], start: int) -> int:
    """Width N of the header block starting at `start`, or 0 when there is none."""
    if start >= len(items) or not is_number_column(items[start].text):
        return 0
    roles = {"number"}
    width = 1
    unknown = 0
    index = start + 1
    while index < len(items):
        item = items[index]
        role = None if item.is_empty else _role(item.text)
        if role is None or role == "number":
            # Tolerate a column name missing from the vocabulary if a known one follows it.
            nxt = items[index + 1] if index + 1 < len(items) else None
            if (
                item.is_empty
                or unknown >= MAX_UNKNOWN_COLUMNS
                or len(item.text) > MAX_HEADER_CHARS // 2
                or _ROW_START.match(item.text.strip())
                or nxt is None
                or nxt.is_empty
                or _role(nxt.text) in (None, "number")
            ):
                break
            unknown += 1
        else:
            roles.add(role)
        width += 1
        index += 1
    vocab = _vocabulary()
    if not all(r in roles for r in vocab.required) or not any(r in roles for r in vocab.any_of):
        return 0
    return width if len(roles) >= 3 else 0


def _starts_row(cells: Sequence[Item], header: Sequence[str]) -> bool:
    if [c.text.strip() for c in cells] == list(header):
        return True  # the header repeated (a page break on the source)
    first = cells[0]
    if first.is_empty:
        return True
    match = _ROW_START.match(first.text.strip())
    if match is None:
        return False
    # "2.2. Về tổ chức bộ máy" in the first cell is a section row: the rest of it must be empty,
    # else this is prose after the table that happens to start with a number ("1. Giao …").
    return not match.group("title") or all(c.is_empty for c in cells[1:])


def _cell(item: Item) -> Cell:
    lines = [" ".join(part.split()) for part in item.text.split("\n")]
    return Cell(text="\n".join(lines).strip("\n "), bold=item.bold)


LOOKAHEAD_ROWS = 3  # rows after the header searched for an empty-cell mark


def _marks_empty_cells(items: Sequence[Item], start: int, width: int) -> bool:
    """Whether the flattened table writes its empty cells (a lone NBSP): then N paragraphs
    make a row. A browser copy drops them, and the rows are rebuilt from what cells hold."""
    return any(i.is_empty for i in items[start + width : start + width * (1 + LOOKAHEAD_ROWS)])


def _is_number_cell(items: Sequence[Item], index: int) -> bool:
    """A row's number cell: "1", "I", "1.1.", "-"; or a section label with its title when the
    row holds nothing else (the next paragraph opens a row too)."""
    text = items[index].text.strip()
    match = _ROW_START.match(text)
    if match is None:
        return False
    if not match.group("title"):
        return True
    if not _SECTION_IN_NUMBER.match(text):
        return False  # "- Thi tuyển …", "1. Các sở …": a bullet or a list inside a cell
    after = index + 1
    if after >= len(items):
        return True
    text = items[after].text.strip()
    following = _ROW_START.match(text)
    # the next row opens with its number, or with a section label and title of its own
    return following is not None and (
        not following.group("title") or bool(_SECTION_IN_NUMBER.match(text))
    )


def _column_numbers(items: Sequence[Item], start: int, width: int) -> bool:
    """The row numbering the columns ("1 2 3 …", "(1) (2) …") under the header."""
    texts = [i.text.strip().strip("()") for i in items[start : start + width]]
    return len(texts) == width and texts == [str(n) for n in range(1, width + 1)]


def _is_heading(text: str) -> bool:
    """A heading in capitals ("III. TỔ CHỨC THỰC HIỆN"): no cell of a task table."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


def _body_end(body: Sequence[Item], numbered: Sequence[bool], width: int) -> int:
    """How many paragraphs of `body` the table holds: it ends at a heading in capitals after
    a row's task cell, or where no number cell came for longer than two rows take (the text
    after the table), keeping at most one row's cells after the last number cell."""
    last = -1
    cells = 0  # paragraphs since the last number cell, "- …" lines not counted
    for index, item in enumerate(body):
        if numbered[index]:
            last, cells = index, 0
            continue
        cells += not flat_cells.is_bullet(item.text.strip())
        if last >= 0 and index - last >= 2 and _is_heading(item.text):
            return index
        if cells > 2 * (width - 1):
            return last + width
    return len(body)


def _rebuild_by_content(items: Sequence[Item], start: int, width: int) -> tuple[Table, int] | None:
    header = items[start : start + width]
    roles = ["number", *(_role(i.text) or "other" for i in header[1:])]
    index = start + width
    if _column_numbers(items, index, width):
        index += width
    names = [i.text.strip() for i in header]
    body: list[Item] = []
    body_at: list[int] = []  # where each body paragraph is in `items`
    while index < len(items) and not flat_cells.ends_table(items[index].text):
        if [i.text.strip() for i in items[index : index + width]] == names:
            index += width  # the header repeated (a page break on the source)
            continue
        body.append(items[index])
        body_at.append(index)
        index += 1
    if not body or not _ROW_START.match(body[0].text.strip()):
        return None
    numbered = [_is_number_cell(body, i) for i in range(len(body))]
    end = _body_end(body, numbered, width)
    if end < len(body):
        index = body_at[end]
        body, numbered = body[:end], numbered[:end]
    grid, starts = flat_cells.rebuild([i.text.strip() for i in body], numbered, roles)
    rows = [[_cell(i) for i in header], *([_cell(Item(t)) for t in row] for row in grid)]
    lines = [header[0].line, *(body[i].line for i in starts)]
    known = [line for line in lines if line is not None]
    table = Table(
        rows=rows,
        line=header[0].line,
        row_lines=known if len(known) == len(rows) else [],
    )
    return table, index


def rebuild_at(items: Sequence[Item], start: int) -> tuple[Table, int] | None:
    """The table whose header block starts at `start`, and the index just after it; or None."""
    width = header_at(items, start)
    if width == 0:
        return None
    if not _marks_empty_cells(items, start, width):
        return _rebuild_by_content(items, start, width)
    header = [items[i].text.strip() for i in range(start, start + width)]
    rows = [[_cell(items[i]) for i in range(start, start + width)]]
    row_lines = [items[start].line]
    index = start + width
    while index + width <= len(items):
        cells = items[index : index + width]
        if not _starts_row(cells, header):
            break
        rows.append([_cell(c) for c in cells])
        row_lines.append(cells[0].line)
        index += width
    if len(rows) == 1:
        return None  # a header with no row under it is not a table
    lines = [line for line in row_lines if line is not None]
    table = Table(
        rows=rows,
        line=items[start].line,
        row_lines=lines if len(lines) == len(rows) else [],
    )
    return table, index


def find_tables(items: Sequence[Item]) -> list[tuple[int, int, Table]]:
    """Every flattened table in `items`: (first index, index after it, the rebuilt table)."""
    found: list[tuple[int, int, Table]] = []
    index = 0
    while index < len(items):
        rebuilt = rebuild_at(items, index)
        if rebuilt is None:
            index += 1
            continue
        table, end = rebuilt
        found.append((index, end, table))
        index = end
    return found
