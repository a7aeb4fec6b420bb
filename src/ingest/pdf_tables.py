"""Tables of a PDF page as `Table` pieces, with merged cells rebuilt; pdfplumber's table finder.

pdfplumber's table finder is the engine: edges snapped and joined, their intersections, the
cells they enclose, cells grouped into tables. What it is fed decides the cost:

- ruled tables (the usual appendix): the ruling lines come from pdfium's path objects and the
  cell text from pdfium's glyphs (`pdf_text`), and pdfplumber's finder functions run on those
  (`ruled_tables`): pdfminer never parses the page, which is where pdfplumber spends its time;
- when that finds nothing although the page has rules (strokes inside form XObjects, curves),
  a pdfplumber `Page` is opened and its own `find_tables` run (`find_tables`);
- tables ruled between rows only, or not at all (`unruled_table`): columns at the gutters no
  letter crosses, within the area where pdfium saw lines cut into columns (running text never
  leaves such gutters), rows at the rules or by lines.

Tolerances (3 pt snap/join/intersection, 8 pt minimum edge) are tuned on LibreOffice and Word
exports, whose cell borders are separate strokes that meet within a point or two.

pdfplumber gives `None` for the positions a merged cell covers. Here every cell's box is put
on the table's grid, so its row_span and col_span are known, and the covered positions are
filled the way the DOCX extractor fills them (the parser reads both the same way): a row span
repeats the cell's text in every row (a merged task cell belongs to each of those tasks), a
column span leaves the covered columns empty (a section title spanning the row stays a section
row). A header that spans two rows ("Cơ quan thực hiện" over "Chủ trì" | "Phối hợp") is folded
into one row, since the parser reads a table's header from its first row.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pdfplumber import table as finder
from pdfplumber.page import Page
from pdfplumber.utils.geometry import filter_edges
from pdfplumber.utils.text import chars_to_textmap

from vnplan.ingest.pdf_layout import Column, Line, glue, join_lines
from vnplan.ingest.pdf_text import CellText, Edge, Glyph, baseline_rows
from vnplan.models import Block, Cell, Table

BBox = tuple[float, float, float, float]
TextOf = Callable[[BBox], list[Line]]  # the printed lines inside a box

_COMMON: dict[str, Any] = {
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 8,
}
LINES: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines", **_COMMON}
GRID_TOLERANCE = 2.0  # points: cell edges this close are the same grid line


@dataclass
class FoundTable:
    bbox: BBox
    rows: list[list[Cell]]


def _boundaries(values: Sequence[float]) -> list[float]:
    """Distinct grid lines: values closer than GRID_TOLERANCE are one."""
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > GRID_TOLERANCE:
            lines.append(value)
    return lines


def _index(lines: list[float], value: float) -> int:
    """The grid line nearest to `value`."""
    at = bisect.bisect_left(lines, value)
    candidates = [i for i in (at - 1, at) if 0 <= i < len(lines)]
    return min(candidates, key=lambda i: abs(lines[i] - value))


# --------------------------------------------------------------------------- cell text


def cell_text(lines: list[Line], box: BBox) -> tuple[str, bool]:
    """(text, bold) of one cell: its lines joined where the writer only wrapped them."""
    if not lines:
        return "", False
    # The cell's padding, seen on its left, is taken to be the same on its right.
    padding = max(0.0, min(line.x0 for line in lines) - box[0])
    text = join_lines(lines, Column(box[0] + padding, box[2] - padding))
    return text, all(line.bold for line in lines)


def _inside(char: dict[str, Any], box: BBox) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


def _plumber_lines(chars: list[dict[str, Any]]) -> list[Line]:
    """pdfplumber characters → printed lines (for tables pdfplumber found on its own page)."""
    if not chars:
        return []
    lines = []
    for found in chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=True):
        text: str = found["text"]
        word = text.split(maxsplit=1)[0] if text else ""
        line_chars = [c for c in found["chars"] if not c["text"].isspace()]
        word_chars = line_chars[: len(word)]
        first: dict[str, Any] = line_chars[0] if line_chars else {"size": 10.0, "fontname": ""}
        lines.append(
            Line(
                text=" ".join(text.split()),
                x0=found["x0"],
                x1=found["x1"],
                top=found["top"],
                bottom=found["bottom"],
                size=float(first["size"]),
                first_word=word_chars[-1]["x1"] - word_chars[0]["x0"] if word_chars else 0.0,
                bold="bold" in str(first["fontname"]).lower(),
            )
        )
    return lines


# --------------------------------------------------------------------------- grid


def _grid(boxes: list[BBox], text_of: TextOf) -> list[list[Cell]]:
    """The cells on a full grid, merged positions filled (see the module docstring)."""
    xs = _boundaries([b[0] for b in boxes] + [b[2] for b in boxes])
    ys = _boundaries([b[1] for b in boxes] + [b[3] for b in boxes])
    width, height = max(len(xs) - 1, 1), max(len(ys) - 1, 1)
    grid: list[list[Cell | None]] = [[None] * width for _ in range(height)]
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        row, column = _index(ys, box[1]), _index(xs, box[0])
        rows = max(1, _index(ys, box[3]) - row)
        columns = max(1, _index(xs, box[2]) - column)
        if row >= height or column >= width or grid[row][column] is not None:
            continue
        text, bold = cell_text(text_of(box), box)
        origin = Cell(text=text, row_span=rows, col_span=columns, bold=bold)
        for r in range(row, min(height, row + rows)):
            for c in range(column, min(width, column + columns)):
                if (r, c) == (row, column):
                    grid[r][c] = origin
                elif c == column:  # a row span: the text belongs to every row it covers
                    grid[r][c] = Cell(text=text, bold=bold)
                else:
                    grid[r][c] = Cell(text="")
    return [[cell or Cell(text="") for cell in row] for row in grid]


def _fold_header(rows: list[list[Cell]]) -> list[list[Cell]]:
    """A header over two or more rows (the first row spans rows and columns) → one row."""
    if len(rows) < 2:
        return rows
    first = rows[0]
    depth = max(cell.row_span for cell in first)
    if depth < 2 or not any(cell.col_span > 1 for cell in first) or depth >= len(rows):
        return rows
    width = len(first)
    names: list[list[str]] = [[] for _ in range(width)]
    for row in rows[:depth]:
        column = 0
        while column < width:
            cell = row[column]
            span = max(1, cell.col_span)
            for c in range(column, min(width, column + span)):
                if cell.text and cell.text not in names[c]:
                    names[c].append(cell.text)
            column += span
    folded = [Cell(text=" ".join(n), bold=True) for n in names]
    return [folded, *rows[depth:]]


def _table(boxes: list[BBox], text_of: TextOf) -> FoundTable | None:
    """A table from its cell boxes; None for a one-column "table" (a framed paragraph)."""
    if len(_boundaries([b[0] for b in boxes] + [b[2] for b in boxes])) < 3:
        return None
    bbox = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return FoundTable(bbox, _fold_header(_grid(boxes, text_of)))


def ruled_tables(edges: list[Edge], text: CellText) -> list[FoundTable] | None:
    """Tables drawn by `edges` (from pdfium), through pdfplumber's finder functions, with the
    "lines" settings: the same steps `TableFinder` takes after reading a page's edges.

    None when the rules enclose no cell at all (something pdfium's paths did not show, worth
    pdfplumber's own look); [] when they enclose cells but no table (a framed paragraph).
    """
    tolerance = _COMMON["snap_tolerance"]
    merged = finder.merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    kept = filter_edges(merged, min_length=_COMMON["edge_min_length"])
    crossings = finder.edges_to_intersections(kept, tolerance, tolerance)
    cells = finder.intersections_to_cells(crossings)
    if not cells:
        return None
    groups = finder.cells_to_tables(cells)
    found = [_table([tuple(c) for c in group], text.lines) for group in groups]  # type: ignore[misc]
    return sorted((t for t in found if t is not None), key=lambda t: t.bbox[1])


def find_tables(page: Page) -> list[FoundTable]:
    """Tables on a pdfplumber page with the "lines" settings, top to bottom (the fallback for
    rules pdfium's path objects did not show as cells: curves, forms nested too deep)."""
    chars = page.chars

    def text_of(box: BBox) -> list[Line]:
        return _plumber_lines([c for c in chars if _inside(c, box)])

    found = [_table([tuple(c) for c in t.cells], text_of) for t in page.find_tables(LINES)]  # type: ignore[misc]
    return sorted((t for t in found if t is not None), key=lambda t: t.bbox[1])


# --------------------------------------------------------------------------- unruled tables

GUTTER_EM = 1.0  # a column gap no line prints into is at least this wide


def _gutters(glyphs: Sequence[Glyph], size: float) -> list[float]:
    """x of each gap that no letter of any line crosses: the columns' borders."""
    spans = sorted((g.box[0], g.box[2]) for g in glyphs if not g.char.isspace())
    borders: list[float] = []
    right = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - right >= GUTTER_EM * size:
            borders.append((right + x0) / 2)
        right = max(right, x1)
    return borders


def _line_rows(glyphs: Sequence[Glyph], first_border: float) -> list[tuple[float, float]]:
    """(top, bottom) of each table row: a line with text in the first column opens a row, the
    lines below without it (a cell's wrapped text) belong to it."""
    rows: list[tuple[float, float]] = []
    for line in baseline_rows(list(glyphs)):
        top = min(g.box[1] for g in line)
        bottom = max(g.box[3] for g in line)
        opens = any(g.box[2] <= first_border for g in line if not g.char.isspace())
        if rows and not opens:
            rows[-1] = (rows[-1][0], bottom)
        else:
            rows.append((top, bottom))
    return rows


def unruled_table(text: CellText, area: BBox, rules: Sequence[float] = ()) -> FoundTable | None:
    """The table printed in `area` without vertical rules: columns at the gutters no letter
    crosses, rows between the horizontal `rules` if there are any, else by lines.

    pdfplumber's "text" strategy was tried first and dropped: it puts a column border wherever
    words of three lines start at the same x, which cuts "Cơ q|uan chủ trì" when the second
    words of a column line up.
    """
    glyphs = text.glyphs(area)
    if not glyphs:
        return None
    size = statistics.median(g.size for g in glyphs)
    borders = _gutters(glyphs, size)
    if len(borders) < 2:  # fewer than three columns: more likely text beside a picture
        return None
    xs = [area[0] - 1, *borders, area[2] + 1]
    if len(rules) >= 2:
        rows = list(itertools.pairwise(_boundaries(rules)))
    else:
        rows = _line_rows(glyphs, borders[0])
    boxes = [(x0, top, x1, bottom) for top, bottom in rows for x0, x1 in itertools.pairwise(xs)]
    found = _table(boxes, text.lines)
    if found is None:
        return None
    rows_kept = [row for row in found.rows if any(cell.text for cell in row)]
    return FoundTable(found.bbox, rows_kept) if len(rows_kept) >= 2 else None


# --------------------------------------------------------------------------- across pages


def _repeated_header(first: Table, piece: Table) -> int:
    """How many leading rows of `piece` repeat the first piece's (header, column numbers)."""
    count = 0
    for mine, theirs in zip(piece.rows, first.rows, strict=False):
        if [c.text for c in mine] != [c.text for c in theirs]:
            break
        count += 1
    return count


def _fill_cut_merge(last_row: list[Cell], piece: Table, cut: int) -> None:
    """A merged cell that starts in a cut row holds only the end of its text on this page:
    the rows below it get the whole text (its start is in the last row of the page before)."""
    for column, cell in enumerate(piece.rows[cut]):
        if cell.row_span < 2 or column >= len(last_row):
            continue
        before = last_row[column].text
        whole = before + glue(before, soft=True) + cell.text if before and cell.text else before
        for row in piece.rows[cut + 1 : cut + cell.row_span]:
            if column < len(row):
                row[column] = row[column].model_copy(update={"text": whole})


def complete_cut_merges(blocks: Sequence[Block]) -> None:
    """Mend merged cells cut by a page break, in place, piece by piece of each table.

    The parser joins a row cut by a page break (the next piece's first row with an empty number
    cell) back to the row above; a merged cell that continues below that cut row is mended here,
    since only the extractor knows which cells a merge covers.
    """
    first: Table | None = None
    previous: Table | None = None
    for block in blocks:
        if not isinstance(block, Table):
            if not block.text.strip().isdigit():  # a page number does not end a table
                previous = None
            continue
        if not block.rows:
            continue
        follows = (
            previous is not None
            and first is not None
            and previous.rows
            and block.page is not None
            and previous.page is not None
            and block.page == previous.page + 1
            and len(block.rows[0]) == len(previous.rows[0])
        )
        if follows and first is not None and previous is not None:
            cut = _repeated_header(first, block)
            if cut < len(block.rows) and not block.rows[cut][0].text.strip():
                _fill_cut_merge(previous.rows[-1], block, cut)
        else:
            first = block
        previous = block
