"""Lines of a PDF page → text: soft wraps joined, paragraphs rebuilt, running lines removed.

A PDF keeps no paragraphs, only positioned lines. Whether a line ends a paragraph (or a hard
line break) or was merely wrapped is read the way the writer's layout engine decided it: a
line was wrapped when the next line's first word would not have fitted after it. The same test
joins the lines of a table cell. Running headers, footers and page numbers are lines that come
back at the same place on most pages, so they are found over the whole document at the end.

Coordinates are PDF points with the origin at the top-left of the page (pdfplumber's `top`).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex as re

# A space is about a quarter of an em in the fonts plans use (Times New Roman 0.25, DejaVu
# Serif 0.32): the smaller value makes "it would have fitted" err towards a hard break, which
# costs a line break in the text, never a lost word.
SPACE_EM = 0.25
FIT_TOLERANCE = 1.5  # points: a layout engine's line width is exact up to rounding
# A paragraph starts with a section label or bullet: "I.", "1.", "1.1.", "a)", "-", "+", "Điều 2."
LABEL_START = re.compile(r"^(?:[IVX]+\.|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-–+•*]\s|Điều\s+\d)")
DIGITS = re.compile(r"\d+")
# A page number alone on its line: "3", "- 3 -", "Trang 3", "3/28", "Trang 3/28".
PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–(]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–)]?$", re.I)
EDGE_LINES = 3  # lines at the top and at the bottom of a page that may be running lines
POSITION_TOLERANCE = 4.0  # points: the same running line sits at the same height on every page


@dataclass(slots=True)
class Line:
    """One printed line (or a column piece of one): text, box, font, its first word's width
    (for the fit test of the line above)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    first_word: float
    bold: bool = False
    italic: bool = False
    font: str = ""  # font name without its subset tag: a heading's font differs from the body's
    colour: int = 0  # fill colour 0xRRGGBB
    segmented: bool = False  # one of several column pieces of a printed line
    gutters: int = 0  # gaps in its printed line wide enough to separate table columns

    @property
    def style(self) -> tuple[str, bool, bool, int, int]:
        """What makes two lines look different: a change of style starts a new paragraph."""
        return self.font, self.bold, self.italic, round(self.size), self.colour


@dataclass(slots=True)
class Column:
    """The horizontal extent text can take (a page's text area, or a cell's inner box)."""

    left: float
    right: float


def soft_wrapped(a: Line, b: Line, column: Column) -> bool:
    """Was `a` wrapped because `b`'s first word did not fit after it on the same line?

    Both a left-aligned test (does `a` run to the right edge?) and a width test (centred or
    indented lines) are tried: either one says the word had no room.
    """
    needed = a.size * SPACE_EM + b.first_word
    return (
        a.x1 + needed > column.right - FIT_TOLERANCE
        or (a.x1 - a.x0) + needed > (column.right - column.left) - FIT_TOLERANCE
    )


def glue(before: str, soft: bool) -> str:
    """What goes between two lines: a space, '\\n' for a hard break, nothing after "2021-".

    A line ending in a hyphen or slash glued to its word ("2021-", "QĐ-", "Sở/") was cut
    there by the layout engine, whatever the fit test says: nobody types a break after it.
    """
    if len(before) > 1 and before[-1] in "-/" and not before[-2].isspace():
        return ""
    return " " if soft else "\n"


def join_lines(lines: Sequence[Line], column: Column) -> str:
    """A cell's lines as its text: wraps joined by spaces, hard line breaks kept as '\\n'."""
    if not lines:
        return ""
    parts = [lines[0].text]
    for a, b in itertools.pairwise(lines):
        soft = soft_wrapped(a, b, column) and not LABEL_START.match(b.text)
        parts.append(glue(a.text, soft))
        parts.append(b.text)
    return "".join(parts)


# --------------------------------------------------------------------------- paragraphs


@dataclass
class TextBlock:
    """A paragraph being built from lines; kept as lines until the document is read."""

    lines: list[Line]
    page: int
    text: str = ""


def line_pitch(lines: Iterable[Line]) -> dict[int, float]:
    """The usual distance from one line's top to the next one's, per font size (rounded)."""
    gaps: dict[int, list[float]] = defaultdict(list)
    previous: Line | None = None
    for line in lines:
        if previous is not None and round(previous.size) == round(line.size):
            step = line.top - previous.top
            if 0 < step < 3 * line.size:
                gaps[round(line.size)].append(step)
        previous = line
    return {size: statistics.median(values) for size, values in gaps.items()}


def starts_paragraph(a: Line, b: Line, column: Column, pitch: dict[int, float]) -> bool:
    """Does `b` open a new paragraph rather than continue the one `a` is in?"""
    if a.segmented or b.segmented:  # side-by-side blocks ("Số: …" | "Hà Nội, ngày …")
        return True
    usual = pitch.get(round(a.size), a.size * 1.2)
    if b.top - a.top > usual + max(2.0, 0.3 * a.size):  # paragraph spacing
        return True
    if b.top < a.top - 1 or a.style != b.style:  # a new column or a change of font
        return True
    if soft_wrapped(a, b, column):
        return False
    # A hard break: a line break inside one paragraph (a title's second line, "của thành phố
    # Hà Nội") goes on in lower case; a capital, a label or a bracket opens the next one
    # ("KẾ HOẠCH" then its title, "CHỦ TỊCH" under "TM. ỦY BAN NHÂN DÂN").
    if LABEL_START.match(b.text):  # "a) …" is lower case, yet an item of its own
        return True
    first = b.text[:1]
    return not (first.islower() and b.x0 <= a.x0 + max(6.0, a.size))


def paragraphs(
    lines: Sequence[Line], page: int, column: Column, pitch: dict[int, float]
) -> list[TextBlock]:
    """Lines of one page region (between tables) grouped into paragraphs, text joined."""
    blocks: list[TextBlock] = []
    for line in lines:
        if blocks and not starts_paragraph(blocks[-1].lines[-1], line, column, pitch):
            last = blocks[-1]
            soft = soft_wrapped(last.lines[-1], line, column)
            last.text += glue(last.text, soft) + line.text
            last.lines.append(line)
        else:
            blocks.append(TextBlock([line], page, line.text))
    return blocks


def continues_across_pages(a: TextBlock, b: TextBlock, columns: tuple[Column, Column]) -> bool:
    """Does the first paragraph of a page finish the last one of the page before?

    Only a wrapped last line (the sentence ran on) whose next line shares its font and opens no
    label says so; a page that ends a paragraph neatly starts a new one.
    """
    last, first = a.lines[-1], b.lines[0]
    return (
        last.style == first.style
        and soft_wrapped(last, first, columns[0])
        and not LABEL_START.match(first.text)
        and abs(first.x0 - columns[1].left) < max(6.0, first.size)
    )


# --------------------------------------------------------------------------- running lines


@dataclass
class PageLines:
    """A page's lines outside tables, with its size, for finding running headers and footers."""

    number: int
    height: float
    width: float
    lines: list[Line] = field(default_factory=list)


def running_key(text: str) -> str:
    """Running-line key: page numbers inside it ("Trang 3/28") do not make lines differ."""
    return str(DIGITS.sub("#", " ".join(text.split()).casefold()))


def _edges(page: PageLines) -> list[tuple[str, str, float]]:
    """(band, key, distance from its edge) for the lines near the top and bottom of a page."""
    ordered = sorted(page.lines, key=lambda line: line.top)
    top = [("top", running_key(line.text), line.top) for line in ordered[:EDGE_LINES]]
    bottom = [
        ("bottom", running_key(line.text), page.height - line.bottom)
        for line in ordered[-EDGE_LINES:]
    ]
    return top + bottom


def running_lines(pages: Sequence[PageLines]) -> set[tuple[str, str]]:
    """(band, key) of lines repeated at the same place on at least half the pages (and ≥ 2)."""
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    for page in pages:
        for band, key, distance in set(_edges(page)):
            seen[(band, key)].append(distance)
    need = max(2, (len(pages) + 1) // 2)
    found = set()
    for where, distances in seen.items():
        if len(distances) < need:
            continue
        # The same text at the same height: the most common height, within a tolerance.
        anchor = Counter(round(d) for d in distances).most_common(1)[0][0]
        if sum(abs(d - anchor) <= POSITION_TOLERANCE for d in distances) >= need:
            found.add(where)
    return found


def _apart(upper: Line, lower: Line) -> bool:
    return lower.top - upper.bottom > max(upper.size, lower.size)


def strip_running_lines(page: PageLines, running: set[tuple[str, str]]) -> list[Line]:
    """The page's lines without running headers/footers, then a lone page number at its top or
    bottom (the first or last line left: a number elsewhere is text)."""
    ordered = sorted(page.lines, key=lambda line: line.top)
    edge_ids = {id(line) for line in ordered[:EDGE_LINES] + ordered[-EDGE_LINES:]}
    dropped = set()
    for line in ordered:
        band = "top" if line.top < page.height / 2 else "bottom"
        if id(line) in edge_ids and (band, running_key(line.text)) in running:
            dropped.add(id(line))
    left = [line for line in ordered if id(line) not in dropped]
    if len(left) > 1:
        # A page number sits in the margin, apart from the body: a number in the text does not.
        if PAGE_NUMBER.match(left[0].text.strip()) and _apart(left[0], left[1]):
            dropped.add(id(left[0]))
        if PAGE_NUMBER.match(left[-1].text.strip()) and _apart(left[-2], left[-1]):
            dropped.add(id(left[-1]))
    elif left and PAGE_NUMBER.match(left[0].text.strip()):
        dropped.add(id(left[0]))
    return [line for line in page.lines if id(line) not in dropped]
