"""The pdfium side of the PDF extractor: a page's characters, lines and ruling lines.

pypdfium2 reads text about 40× faster than pdfminer (pdfplumber's engine), so every page is
read here, and the ruling lines and cell text that pdfplumber's table finder works on are taken
from here too: pdfminer parses a page only when these give it nothing to work on.

pdfium's own text order follows the content stream, and writers do not always draw a line's
letters in order: LibreOffice draws the letters a font lacks (ộ, Ế) with a fallback font after
the rest of the line, which pdfium then appends to the line's end ("Hà N i, … ộ"). So lines
are rebuilt from the letters' positions, as pdfminer does: letters grouped by baseline, sorted
left to right, a space where the gap between two letters is wider than a sliver of an em.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from vnplan.ingest.pdf_layout import Line

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom (top-left origin, points)

SPACE_GAP_EM = 0.08  # letters of a word touch (gaps ≤ 0.03 em); spaces leave ≥ 0.1 em
SEGMENT_GAP_EM = 2.5  # a gap this wide inside a line separates columns, not words
GUTTER_GAP_EM = 1.5  # a gap this wide may be an unruled table's column gutter
SAME_LINE_EM = 0.45  # baselines closer than this are one line (superscript "*" included)
FONT_NAME_BUFFER = 128
MAP_SAMPLE = 8  # ask every 8th letter whether its font maps to Unicode
BOLD_WEIGHT = 600


@dataclass(slots=True)
class Glyph:
    """One printed character (spaces included when the file draws them)."""

    char: str
    index: int  # pdfium's character index, for font queries
    box: BBox  # advance box: letters of a word touch
    baseline: float
    size: float


@dataclass
class PageChars:
    """Everything pdfium says about a page's characters, read once (valid while its text
    page is open: fonts are looked up on demand)."""

    glyphs: list[Glyph]
    printable: int  # characters other than spaces
    map_errors: int  # of the characters sampled, those whose font has no usable Unicode map
    sampled: int
    fonts: Fonts


_DROPPED = {"Cc", "Cf", "Zl", "Zp"}  # control and format characters are no text


def _all_text(handle: Any, count: int) -> str | None:
    """The page's characters in one call (UTF-16, one unit per character index), or None
    when a character outside the BMP makes units and indices differ."""
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(handle, 0, count, buffer)
    text = bytes(buffer)[: count * 2].decode("utf-16-le", errors="replace")
    return text if len(text) == count else None


def read_chars(textpage: pdfium.PdfTextPage, height: float) -> PageChars:
    """Every character the page draws, boxes in top-left coordinates. pdfium's generated
    spaces and line breaks are left out: lines and spaces are rebuilt from positions.

    Hot loop (every character of every page): the raw handle is passed to pdfium, and only
    whitespace and hyphens are asked whether pdfium generated them.
    """
    handle = textpage.raw
    count = max(pdfium_c.FPDFText_CountChars(handle), 0)
    text = _all_text(handle, count)
    rect = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    # FPDFText_HasUnicodeMapError came with newer pdfium builds: older ones cannot tell.
    has_map_error = getattr(pdfium_c, "FPDFText_HasUnicodeMapError", None)
    glyphs: list[Glyph] = []
    errors = sampled = printable = 0
    for index in range(count):
        char = text[index] if text is not None else chr(pdfium_c.FPDFText_GetUnicode(handle, index))
        if char.isspace() or char in "-\x02\xad":
            if pdfium_c.FPDFText_IsGenerated(handle, index) == 1:
                continue
            if char != "-" and not char.isspace():
                char = "-"  # pdfium gives a hyphen that ends a line as U+0002
        elif unicodedata.category(char) in _DROPPED:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(handle, index, rect):
            continue
        pdfium_c.FPDFText_GetCharOrigin(handle, index, x, y)
        size = pdfium_c.FPDFText_GetFontSize(handle, index) or 10.0
        box = (rect.left, height - rect.top, rect.right, height - rect.bottom)
        glyphs.append(Glyph(char, index, box, height - y.value, size))
        if not char.isspace():
            printable += 1
            # A missing map is a font's fault, so every few letters tell as much as all.
            if has_map_error is not None and printable % MAP_SAMPLE == 1:
                sampled += 1
                errors += has_map_error(handle, index) == 1
    return PageChars(glyphs, printable, errors, sampled, Fonts(handle))


# --------------------------------------------------------------------------- lines


def _inside(box: BBox, areas: Sequence[BBox]) -> bool:
    x = (box[0] + box[2]) / 2
    y = (box[1] + box[3]) / 2
    return any(a[0] <= x <= a[2] and a[1] <= y <= a[3] for a in areas)


@dataclass(slots=True)
class _Font:
    name: str
    size: float
    bold: bool
    italic: bool
    colour: int  # fill colour as 0xRRGGBB: a heading may differ from the body by colour alone


_STROKED = {pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE, pdfium_c.FPDF_TEXTRENDERMODE_STROKE}


class Fonts:
    """Font lookups for a page's glyphs, cached per text object (a run of one font)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.cache: dict[int | None, _Font] = {}

    def of(self, glyph: Glyph) -> _Font:
        obj = pdfium_c.FPDFText_GetTextObject(self.handle, glyph.index)
        key = ctypes.cast(obj, ctypes.c_void_p).value
        font = self.cache.get(key) if key is not None else None
        if font is None:
            font = self._read(glyph.index, obj)
            if key is not None:
                self.cache[key] = font
        return _Font(font.name, glyph.size, font.bold, font.italic, font.colour)

    def _read(self, index: int, obj: Any) -> _Font:
        """Bold shows in the name ("…-Bold"), the weight, or as text filled and stroked:
        writers fake bold that way when the font has no bold face."""
        handle = self.handle
        buffer = ctypes.create_string_buffer(FONT_NAME_BUFFER)
        flags = ctypes.c_int(0)
        pdfium_c.FPDFText_GetFontInfo(handle, index, buffer, FONT_NAME_BUFFER, ctypes.byref(flags))
        name = buffer.value.decode("latin-1")
        lowered = name.lower()
        stroked = bool(obj) and pdfium_c.FPDFTextObj_GetTextRenderMode(obj) in _STROKED
        weight = pdfium_c.FPDFText_GetFontWeight(handle, index)
        red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
        pdfium_c.FPDFText_GetFillColor(handle, index, red, green, blue, alpha)
        return _Font(
            name=name.split("+", 1)[-1],  # "CAAAAA+LiberationSerif-Bold": drop the subset tag
            size=0.0,
            bold="bold" in lowered or weight >= BOLD_WEIGHT or stroked,
            italic="italic" in lowered or "oblique" in lowered,
            colour=(red.value << 16) | (green.value << 8) | blue.value,
        )


def _line_font(fonts: Fonts, glyphs: list[Glyph]) -> _Font:
    """A line's font, from its first, middle and last letters: a bold label ("Điều 1.") or a
    regular list number before bold text must not decide alone. The family is the middle
    letter's, and a letter drawn with a fallback font (ộ) is not asked when another is there."""
    letters = [g for g in glyphs if g.char.isascii() and not g.char.isspace()] or [
        g for g in glyphs if not g.char.isspace()
    ]
    samples = [fonts.of(g) for g in (letters[0], letters[len(letters) // 2], letters[-1])]
    middle = samples[1]
    return _Font(
        name=middle.name,
        size=max(f.size for f in samples),
        bold=sum(f.bold for f in samples) >= 2,
        italic=sum(f.italic for f in samples) >= 2,
        colour=middle.colour,
    )


def baseline_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into printed lines by baseline, top to bottom."""
    rows: list[list[Glyph]] = []
    anchor = 0.0
    for glyph in sorted(glyphs, key=lambda g: g.baseline):
        if rows and glyph.baseline - anchor <= SAME_LINE_EM * glyph.size:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
            anchor = glyph.baseline
    return rows


def _in_order(row: list[Glyph]) -> list[Glyph]:
    """A line's glyphs left to right; a combining mark follows the letter it sits on."""
    bases = sorted((g for g in row if not unicodedata.combining(g.char)), key=lambda g: g.box[0])
    ordered = list(bases)
    for mark in (g for g in row if unicodedata.combining(g.char)):
        centre = (mark.box[0] + mark.box[2]) / 2
        at = next((i for i, b in enumerate(ordered) if b.box[0] <= centre <= b.box[2]), None)
        if at is None:
            at = sum(1 for b in ordered if b.box[0] <= centre) - 1
        ordered.insert(at + 1, mark)
    return ordered


def _segments(row: list[Glyph]) -> tuple[list[list[tuple[Glyph, bool]]], int]:
    """A line as (glyph, space before it) pieces, cut where a wide gap separates columns, and
    the number of gaps wide enough to be a table's column gutter.

    A space is a gap wider than a sliver of an em, or a space the file draws: a wider fallback
    letter can cover most of the gap its space leaves ("thể cải").
    """
    segments: list[list[tuple[Glyph, bool]]] = [[]]
    last: Glyph | None = None
    drawn_space = False
    gutters = 0
    for glyph in _in_order(row):
        if glyph.char.isspace():
            drawn_space = True
            continue
        mark = unicodedata.combining(glyph.char) > 0
        gap = glyph.box[0] - last.box[2] if last is not None else 0.0
        if last is not None and gap > SEGMENT_GAP_EM * glyph.size:
            segments.append([])
        if last is not None and gap > GUTTER_GAP_EM * glyph.size:
            gutters += 1
        space = bool(segments[-1]) and not mark and (drawn_space or gap > SPACE_GAP_EM * glyph.size)
        segments[-1].append((glyph, space))
        drawn_space = False
        if not mark:
            last = glyph
    return [s for s in segments if s], gutters


def _line(fonts: Fonts, pieces: list[tuple[Glyph, bool]], segmented: bool, gutters: int) -> Line:
    glyphs = [g for g, _ in pieces]
    text = unicodedata.normalize("NFC", "".join((" " if sp else "") + g.char for g, sp in pieces))
    first_space = next((i for i, (_, sp) in enumerate(pieces) if sp), len(pieces))
    word = glyphs[:first_space]
    font = _line_font(fonts, glyphs)
    return Line(
        text=text,
        x0=min(g.box[0] for g in glyphs),
        x1=max(g.box[2] for g in glyphs),
        top=min(g.baseline - g.size * 0.8 for g in glyphs),
        bottom=max(g.baseline + g.size * 0.2 for g in glyphs),
        size=font.size,
        first_word=word[-1].box[2] - word[0].box[0],
        bold=font.bold,
        italic=font.italic,
        font=font.name,
        colour=font.colour,
        segmented=segmented,
        gutters=gutters,
    )


def page_lines(chars: PageChars, exclude: Sequence[BBox] = ()) -> list[Line]:
    """The page's printed lines, top to bottom, leaving out letters inside `exclude` (tables)."""
    kept = [g for g in chars.glyphs if not exclude or not _inside(g.box, exclude)]
    lines: list[Line] = []
    for row in baseline_rows(kept):
        segments, gutters = _segments(row)
        lines.extend(_line(chars.fonts, s, len(segments) > 1, gutters) for s in segments)
    return lines


# --------------------------------------------------------------------------- cell text


class CellText:
    """The text of any box of a page, from the glyphs pdfium read (for table cells)."""

    def __init__(self, chars: PageChars) -> None:
        self.fonts = chars.fonts
        self.all = sorted(chars.glyphs, key=lambda g: (g.box[1] + g.box[3]) / 2)
        self.centres = [(g.box[1] + g.box[3]) / 2 for g in self.all]

    def glyphs(self, box: BBox) -> list[Glyph]:
        """The glyphs whose centre is inside `box`."""
        low = bisect.bisect_left(self.centres, box[1])
        high = bisect.bisect_right(self.centres, box[3])
        return [g for g in self.all[low:high] if box[0] <= (g.box[0] + g.box[2]) / 2 <= box[2]]

    def lines(self, box: BBox) -> list[Line]:
        """The printed lines inside `box`, top to bottom."""
        lines: list[Line] = []
        for row in baseline_rows(self.glyphs(box)):
            segments, _ = _segments(row)
            pieces = [piece for segment in segments for piece in segment]
            # A row of drawn spaces alone (a blank cell's padding) prints nothing: no line.
            if pieces:
                lines.append(_line(self.fonts, pieces, segmented=False, gutters=0))
        return lines


# --------------------------------------------------------------------------- ruling lines

MIN_RULE = 8.0  # points: shorter strokes are glyph decorations or cell corners, not rules
STRAIGHT = 1.0  # points: a segment this close to level (or plumb) is a rule
Edge = dict[str, Any]  # pdfplumber's edge: x0, x1, top, bottom, width, height, orientation …


def _edge(x0: float, top: float, x1: float, bottom: float, orientation: str) -> Edge:
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "line",
    }


Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as PDF writes them
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
FORM_DEPTH = 4  # form XObjects nest; tables drawn deeper than this are left to pdfplumber


def _then(inner: Matrix, outer: Matrix) -> Matrix:
    """The transformation `inner` followed by `outer`."""
    a, b, c, d, e, f = inner
    oa, ob, oc, od, oe, of = outer
    return (
        a * oa + b * oc,
        a * ob + b * od,
        c * oa + d * oc,
        c * ob + d * od,
        e * oa + f * oc + oe,
        e * ob + f * od + of,
    )


def _matrix(obj: Any) -> Matrix:
    found = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, found):
        return IDENTITY
    return (found.a, found.b, found.c, found.d, found.e, found.f)


def _paths(objects: list[Any], outer: Matrix, depth: int = 0) -> Iterator[tuple[Any, Matrix]]:
    """Path objects with their transformation to page space, form XObjects opened."""
    for obj in objects:
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, _then(_matrix(obj), outer)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < FORM_DEPTH:
            count = pdfium_c.FPDFFormObj_CountObjects(obj)
            children = [pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(max(count, 0))]
            yield from _paths(children, _then(_matrix(obj), outer), depth + 1)


def _points(obj: Any, matrix: Matrix) -> list[list[tuple[float, float]]]:
    """A path's subpaths as point lists in page space (a curve ends a run of straight lines)."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    runs: list[list[tuple[float, float]]] = []
    start: tuple[float, float] | None = None
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_LINETO and runs:
            runs[-1].append(point)
        else:  # a move, or a curve: a new run starts at its end point
            runs.append([point])
            start = point
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            runs[-1].append(start)
    return runs


WHITE = 0xF0  # each of red, green and blue at least this: paper colour, not ink


def _ink(getter: Any, obj: Any) -> bool:
    """Whether the path's fill (or stroke) colour shows on white paper."""
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, red, green, blue, alpha):
        return True  # no colour to read: count it drawn, as before
    return alpha.value > 0 and min(red.value, green.value, blue.value) < WHITE


def _visible(obj: Any) -> bool:
    """A path a reader sees: stroked or filled in a colour that is not the paper's. Word
    draws white boxes behind shaded words; their edges are no table's rules."""
    fill, stroke = ctypes.c_int(0), ctypes.c_int(0)
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        return True
    stroked = bool(stroke.value) and _ink(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
    filled = fill.value != 0 and _ink(pdfium_c.FPDFPageObj_GetFillColor, obj)
    return stroked or filled


def ruling_edges(page: pdfium.PdfPage, height: float) -> list[Edge]:
    """Every level or plumb straight stroke of the page's paths, as pdfplumber edges.

    Read from pdfium's path objects, without pdfminer parsing the page: this is what lets the
    table finder run on a page at a small fraction of pdfplumber's own cost.
    """
    count = pdfium_c.FPDFPage_CountObjects(page)
    objects = [pdfium_c.FPDFPage_GetObject(page, i) for i in range(max(count, 0))]
    edges: list[Edge] = []
    for obj, matrix in _paths(objects, IDENTITY):
        if not _visible(obj):
            continue
        for run in _points(obj, matrix):
            for (ax, ay), (bx, by) in itertools.pairwise(run):
                top, bottom = height - max(ay, by), height - min(ay, by)
                if abs(ay - by) <= STRAIGHT and abs(ax - bx) >= MIN_RULE:
                    middle = height - (ay + by) / 2
                    edges.append(_edge(min(ax, bx), middle, max(ax, bx), middle, "h"))
                elif abs(ax - bx) <= STRAIGHT and abs(ay - by) >= MIN_RULE:
                    centre = (ax + bx) / 2
                    edges.append(_edge(centre, top, centre, bottom, "v"))
    return edges


@dataclass
class Rulings:
    """What a page's ruling lines say about tables on it."""

    horizontal: int
    vertical: int

    @classmethod
    def of(cls, edges: Sequence[Edge]) -> Rulings:
        horizontal = sum(1 for e in edges if e["orientation"] == "h")
        return cls(horizontal, len(edges) - horizontal)

    @property
    def ruled_table(self) -> bool:
        return self.horizontal >= 2 and self.vertical >= 2

    @property
    def rules_only(self) -> bool:
        """Horizontal rules and nothing else: a table ruled between rows only."""
        return self.horizontal >= 3 and self.vertical == 0


def columnar_rows(lines: Sequence[Line], minimum: int = 3) -> BBox | None:
    """The area of an unruled table: `minimum` or more printed lines with two or more
    gutter-wide gaps (three columns), with the wrapped lines of their cells between and below
    them (near lines that start right of the table's left edge).

    Running text never leaves such gaps inside a line, so this is a cheap signal that an
    unruled table is there; `unruled_table` then checks that the gutters line up.
    """
    rows: dict[int, list[Line]] = {}
    for line in lines:
        rows.setdefault(round(line.top), []).append(line)
    runs: list[list[list[Line]]] = []
    run: list[list[Line]] = []
    for top in sorted(rows):
        printed = rows[top]
        near = bool(run) and printed[0].top - run[-1][0].top <= 3 * printed[0].size
        if max(line.gutters for line in printed) >= 2:
            if run and not near:
                runs.append(run)
                run = []
            run.append(printed)
        elif near and min(x.x0 for x in printed) > min(x.x0 for x in run[0]) + printed[0].size:
            run.append(printed)  # a cell's wrapped line
        elif run:
            runs.append(run)
            run = []
    runs.append(run)
    best = max(runs, key=_columnar_count)
    if _columnar_count(best) < minimum:
        return None
    chosen = [line for printed in best for line in printed]
    return (
        min(line.x0 for line in chosen),
        min(line.top for line in chosen),
        max(line.x1 for line in chosen),
        max(line.bottom for line in chosen),
    )


def _columnar_count(run: list[list[Line]]) -> int:
    return sum(1 for printed in run if max(line.gutters for line in printed) >= 2)
