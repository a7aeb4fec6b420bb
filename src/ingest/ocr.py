"""OCR for scanned PDFs: page images → paragraphs and tables, with per-word confidence.

Each page is rendered at 300 dpi with pypdfium2, straightened (scans come off the glass a little
rotated, and a tilt of 0.5° moves a table border by 30 px over an A4 page, enough to break the
line detection), and split into tables and running text:

- tables are found from their ruling lines (OpenCV morphology: long thin horizontal and
  vertical strokes), not from the text, because an appendix cell holds several wrapped lines
  that no text-based layout analysis keeps apart from the next column. Each area enclosed by
  lines is a cell; the cells' edges give the grid, and a cell whose box covers several grid
  columns or rows becomes a spanned cell. One `Table` per page piece: stitching pieces across
  page breaks is the parser's job, as for every other format;
- each cell crop is recognised on its own (Tesseract page segmentation mode 6, "one block of
  text"); the crops of a page go to Tesseract as the pages of one TIFF, so a page costs one
  process start and one model load instead of one per cell;
- the text outside tables is recognised with Tesseract's own layout analysis and kept as
  paragraphs in reading order (split where the page's geometry says a paragraph ends),
  tables placed where they stand on the page; bare page numbers in the margins are dropped,
  and `extract_scanned` drops the running headers and footers repeated across pages.

Images are analysed at 300 dpi but handed to Tesseract despeckled and at ~200 dpi, which
smooths the ragged edges of black-and-white scans (see `for_tesseract`). Roman numerals, which
the Vietnamese model misreads in serif type ("III." → "II.", "II" → "li"), are read again from
their glyph shapes where they carry structure: a section label opening a line or cell, and the
quarter in "Quý III/2019".

Tesseract is driven through pytesseract rather than tesserocr: pytesseract runs the `tesseract`
program the system package manager installs (Debian `tesseract-ocr-vie`), so the engine and
the Vietnamese model always come from the same package, and there is no compiled extension to
match against the Python or libtesseract version (tesserocr's wheels bundle their own
libtesseract). Its `image_to_data` TSV gives the confidence of every word; batching the cell
crops into one TIFF pays for the process start that tesserocr would avoid.

Confidence: `Cell.confidence` and `Paragraph.confidence` are the mean word confidence (0–100).
A cell whose mean is under `LOW_CONFIDENCE`, or any of whose words is under
`LOW_WORD_CONFIDENCE` (the mean hides the one misread word of a long cell), is listed in the
warnings by page, table, row and column ("page 15 table 1: … r11c5 'Quý 11/2019' (72, word
'11/2019' 47)") so it can be checked by hand.

Entry points: `extract_scanned` for a whole image-only PDF; `ocr_pdf_page` (blocks) and
`read_pdf_page` (blocks and warnings) for the PDF extractor's pages without a text layer.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytesseract
import regex as re
from numpy.typing import NDArray
from PIL import Image
from rapidfuzz import fuzz

from vnplan.ingest.errors import IngestError
from vnplan.ingest.legacy import is_syllable
from vnplan.ingest.lexicon import misread
from vnplan.models import Block, Cell, Paragraph, RawDocument, SourceFormat, Table
from vnplan.textutil import fold, squash

Gray = NDArray[np.uint8]

DPI = 300  # pages are rendered and analysed at this resolution (rules, glyph shapes)
LANGUAGE = "vie"
LOW_CONFIDENCE = 60.0  # mean word confidence under which a cell is flagged for review
LOW_WORD_CONFIDENCE = 50.0  # … or the confidence of any one of its words
NOISE_LINE_CONFIDENCE = 60.0  # a text line of single marks read under this is noise
WORKERS = min(4, len(os.sched_getaffinity(0)))  # pages OCR'd at once: one per core, capped
TESSERACT_TIMEOUT = 300  # seconds for one Tesseract run (one page's cells); a hung run fails

# Lengths in pixels at DPI, from physical sizes so the rules hold whatever the page size.
_MM = DPI / 25.4
_H_RULE = round(8 * _MM)  # a horizontal ruling line is at least 8 mm long (an em dash is ~5)
# Vertical rules: far longer than a letter stem (~3.5 mm at 13 pt, longer with a tone mark
# bridged by the gap closing), which would otherwise cut cells and be erased from the text. A
# column rule runs on through the rows above and below, so only a rule that stands in one
# short row alone (none in the seeds) is missed; that row then reads as a spanned cell.
_V_RULE = round(9 * _MM)
_V_RULE_IN_COLUMN = round(1.5 * _MM)  # on a column line found above, shorter strokes count
_EDGE_TOLERANCE = round(2 * _MM)  # cell edges this close are one grid line
_MIN_CELL = round(1.2 * _MM)  # smaller enclosed areas are gaps between double rules
_MAX_SKEW = 2.0  # degrees searched when straightening; scanners tilt pages less than that
_MARGIN_SHARE = 0.08  # the top and bottom 8 % of a page hold running headers and footers
_CROP_PAD = 10  # white border added around a crop: Tesseract misreads text at the edge
_SPECK = 12  # ink marks of at most this many pixels are noise (a tone-mark dot has ~30)
TESSERACT_DPI = 200  # the resolution crops are handed to Tesseract at (see for_tesseract)


# --------------------------------------------------------------------------- page images


try:  # glibc's malloc_trim (Linux); other C libraries return memory their own way
    _LIBC: Any = ctypes.CDLL("libc.so.6")
    _LIBC.malloc_trim  # noqa: B018 (looked up here: a libc without it is no libc to call)
except (OSError, AttributeError):
    _LIBC = None

# 8-bit values for masks: np.where(mask, 255, 0) would build an int64 page (70 MB at 300 dpi)
_INK, _PAPER = np.uint8(255), np.uint8(0)


def _labelled(labels: Any, count: int, wanted: Sequence[int]) -> NDArray[np.bool_]:
    """Where `labels` (a connected-components image) is one of `wanted`: a lookup per pixel.

    np.isin would sort the page's labels with the wanted ones (hundreds of MB at 300 dpi).
    """
    table = np.zeros(count, dtype=np.bool_)
    table[list(wanted)] = True
    found: NDArray[np.bool_] = table[labels]
    return found


def _u8(image: Any) -> Gray:
    """An OpenCV result as the 8-bit image it is (the stubs type every result loosely)."""
    return np.asarray(image, dtype=np.uint8)


def render(page: Any) -> Gray:
    """A PDF page (pypdfium2 `PdfPage`) as an 8-bit grayscale image at DPI."""
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    try:
        if bitmap.mode == "L":  # one copy out of PDFium's buffer, not three through PIL
            return np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
        image = bitmap.to_pil().convert("L")
        return np.asarray(image, dtype=np.uint8).copy()
    finally:
        bitmap.close()


def ink_mask(gray: Gray) -> Gray:
    """255 where there is ink. Otsu's threshold, capped so a blank noisy page has no ink."""
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Otsu always splits the histogram in two; on a blank page it would split paper noise.
    limit = min(float(threshold), 180.0)
    return np.where(gray < limit, _INK, _PAPER)


def _rotate(image: Gray, angle: float, fill: int) -> Gray:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return _u8(cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill))


def _profile_score(small: Gray, angle: float) -> float:
    # Text lines and rules are sharpest in the row profile when the page is level.
    rows = _rotate(small, angle, 0).sum(axis=1, dtype=np.float64)
    return float(np.sum(np.diff(rows) ** 2))


def skew_angle(ink: Gray) -> float:
    """The rotation (degrees, OpenCV's sense) that levels the page, by projection profiles."""
    small = _u8(cv2.resize(ink, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA))
    if not small.any():
        return 0.0

    def best(candidates: Iterator[float]) -> float:
        return max(candidates, key=lambda a: _profile_score(small, a))

    coarse = best(a / 10 for a in range(round(-_MAX_SKEW * 10), round(_MAX_SKEW * 10) + 1))
    return best(coarse + a / 50 for a in range(-5, 6))


def deskew(gray: Gray) -> Gray:
    angle = skew_angle(ink_mask(gray))
    return gray if abs(angle) < 0.05 else _rotate(gray, angle, 255)


# --------------------------------------------------------------------------- ruling lines


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def ruling_lines(ink: Gray) -> Gray:
    """255 on the table rules: long horizontal and vertical strokes, joined at the corners."""

    def strokes(length: int, horizontal: bool) -> Gray:
        along = (length, 1) if horizontal else (1, length)
        bridge = (9, 1) if horizontal else (1, 9)  # scan noise breaks thin rules: close first
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(0, bridge))
        return _u8(cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(0, along)))

    vertical = strokes(_V_RULE, False)
    # A row cut by the page edge can be shorter than _V_RULE: take its short vertical strokes
    # where a long rule stands above or below them, i.e. on the table's column lines only.
    on_rule = _u8(np.any(vertical, axis=0)).reshape(1, -1)
    columns = _u8(cv2.dilate(on_rule, np.ones((1, 7), np.uint8)))[0]
    short = strokes(_V_RULE_IN_COLUMN, False)
    short[:, columns == 0] = 0
    lines = cv2.bitwise_or(strokes(_H_RULE, True), cv2.bitwise_or(vertical, short))
    return _u8(cv2.dilate(lines, np.ones((5, 5), np.uint8)))


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    box: Box


def _enclosed_areas(lines: Gray, region: Box) -> list[Box]:
    """The areas a table's rules enclose, in page coordinates: its cells."""
    roi = lines[region.y0 : region.y1, region.x0 : region.x1]
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        np.where(roi > 0, _PAPER, _INK), connectivity=4
    )
    h, w = roi.shape
    cells = []
    for x, y, cw, ch, _ in stats[1:count]:
        if x == 0 or y == 0 or x + cw >= w or y + ch >= h:
            continue  # touches the frame: outside the table
        if cw < _MIN_CELL or ch < _MIN_CELL:
            continue
        x0, y0 = region.x0 + int(x), region.y0 + int(y)
        cells.append(Box(x0, y0, x0 + int(cw), y0 + int(ch)))
    return cells


def find_tables(lines: Gray) -> tuple[list[list[Box]], Gray]:
    """Cell boxes of each ruled table on the page (tables top to bottom), and the rules of
    those tables alone.

    A table is a connected set of rules enclosing at least two cells; a lone rule (the line
    under a document header, a signature line) or a framed paragraph is not one. Strokes of
    text that look like rules (the serifs of a bold line run together, a tall letter) stand
    apart from the frame: they are left out of the mask, so erasing the rules from a cell
    image never erases letters.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables: list[list[Box]] = []
    frames: list[int] = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        if w < 4 * _MIN_CELL or h < 2 * _MIN_CELL:
            continue
        cells = _enclosed_areas(lines, Box(int(x), int(y), int(x + w), int(y + h)))
        if len(cells) >= 2:
            tables.append(cells)
            frames.append(label)
    rules = np.where(_labelled(labels, count, frames), _INK, _PAPER)
    return sorted(tables, key=lambda cells: min(c.y0 for c in cells)), rules


def _grid_lines(edges: list[int]) -> list[int]:
    """Edge positions → grid line positions: edges closer than the tolerance are one line."""
    groups: list[list[int]] = []
    for edge in sorted(edges):
        if groups and edge - groups[-1][-1] <= _EDGE_TOLERANCE:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    return [round(sum(g) / len(g)) for g in groups]


def _nearest(lines: list[int], value: int) -> int:
    return min(range(len(lines)), key=lambda i: abs(lines[i] - value))


def build_grid(boxes: list[Box]) -> tuple[list[GridCell], int, int]:
    """Place cell boxes on the grid their edges define: (cells, rows, columns).

    A box whose edges fall on grid lines further apart than one step spans those columns or
    rows: the merged cells of the source.
    """
    xs = _grid_lines([b.x0 for b in boxes] + [b.x1 for b in boxes])
    ys = _grid_lines([b.y0 for b in boxes] + [b.y1 for b in boxes])
    cells = []
    for box in boxes:
        c0, c1 = _nearest(xs, box.x0), _nearest(xs, box.x1)
        r0, r1 = _nearest(ys, box.y0), _nearest(ys, box.y1)
        cells.append(GridCell(r0, c0, max(1, r1 - r0), max(1, c1 - c0), box))
    cells.sort(key=lambda c: (c.row, c.col))
    return cells, max(1, len(ys) - 1), max(1, len(xs) - 1)


# --------------------------------------------------------------------------- Tesseract


@dataclass(frozen=True)
class Word:
    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int
    block: int
    par: int
    line: int


@lru_cache(maxsize=1)
def _check_tesseract() -> None:
    try:
        languages = pytesseract.get_languages(config="")
    except pytesseract.TesseractNotFoundError as exc:
        raise RuntimeError(
            "Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-vie)"
        ) from exc
    if LANGUAGE not in languages:
        raise RuntimeError(
            f"Tesseract has no '{LANGUAGE}' model (Debian: apt-get install tesseract-ocr-vie)"
        )


# Letters outside the Vietnamese alphabet that the model emits for a marked "i" ("ï) UBND …").
_NOT_VIETNAMESE = str.maketrans({"ï": "i", "î": "i", "Ï": "I", "Î": "I"})


_CAPITAL_INSIDE = re.compile(r"(?<=\p{Ll}\p{M}*)\p{Lu}")


def _word_case(text: str) -> str:
    """A capital after a small letter in one word is a misread case: the model often gives a
    marked vowel as a capital ("nhỮng", "ChỈ"); Vietnamese words never mix case that way."""
    return str(_CAPITAL_INSIDE.sub(lambda m: m.group().lower(), text))


def _parse_tsv(tsv: str, pages: int) -> list[list[Word]]:
    words: list[list[Word]] = [[] for _ in range(pages)]
    lines = tsv.splitlines()
    for line in lines[1:]:  # the first line names the columns
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5":  # level 5 is a word
            continue
        text = _word_case(
            unicodedata.normalize("NFC", parts[11]).strip().translate(_NOT_VIETNAMESE)
        )
        if not text:
            continue
        page = int(parts[1]) - 1
        if 0 <= page < pages:
            words[page].append(
                Word(
                    text=text,
                    conf=float(parts[10]),
                    left=round((int(parts[6]) - _CROP_PAD) * DPI / TESSERACT_DPI),
                    top=round((int(parts[7]) - _CROP_PAD) * DPI / TESSERACT_DPI),
                    width=round(int(parts[8]) * DPI / TESSERACT_DPI),
                    height=round(int(parts[9]) * DPI / TESSERACT_DPI),
                    block=int(parts[2]),
                    par=int(parts[3]),
                    line=int(parts[4]),
                )
            )
    return words


def recognise(images: Sequence[Gray], psm: int) -> list[list[Word]]:
    """The words Tesseract reads in each image, placed in the image's own pixels.

    One Tesseract run reads them all: they go to it as the pages of one TIFF.
    """
    if not images:
        return []
    _check_tesseract()
    with tempfile.TemporaryDirectory(prefix="vnplan-ocr-") as tmp:
        path = Path(tmp) / "pages.tif"
        first, *rest = (Image.fromarray(for_tesseract(image)) for image in images)
        first.save(path, save_all=True, append_images=rest, dpi=(TESSERACT_DPI, TESSERACT_DPI))
        tsv = pytesseract.image_to_data(
            str(path), lang=LANGUAGE, config=f"--psm {psm}", timeout=TESSERACT_TIMEOUT
        )
    return _parse_tsv(str(tsv), len(images))


def _mean_confidence(words: Sequence[Word]) -> float | None:
    if not words:
        return None
    return round(sum(w.conf for w in words) / len(words), 1)


def _lines(words: Sequence[Word]) -> list[str]:
    """Words → text lines, in Tesseract's reading order."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    for w in words:
        lines.setdefault((w.block, w.par, w.line), []).append(w.text)
    return [" ".join(parts) for parts in lines.values()]


_TAIL = re.compile(r"\p{L}+$")
_HEAD = re.compile(r"^\p{L}+")


def _joins(before: str, after: str) -> bool:
    """Whether a line break fell inside a word, so the lines join without a space.

    Narrow columns break words: a syllable cut by the column edge ("Thàn|h": the letters on
    both sides make one Vietnamese syllable that the two pieces are not both already), a
    number ("20|23"), and a compound wrapped after its hyphen or slash ("QĐ-|UBND", "01/|2019";
    a spaced dash "tử -|Xóa" is a separator and keeps its space).
    """
    if not before or not after:
        return False
    if before[-1].isdigit() and after[0].isdigit():
        return True
    if before[-1] in "-/" and len(before) > 1 and before[-2].isalnum() and after[0].isalnum():
        return True
    tail, head = _TAIL.search(before), _HEAD.search(after)
    if tail is None or head is None:
        return False
    a, b = tail.group(), head.group()
    return is_syllable(a + b) and not (is_syllable(a) and is_syllable(b))


def cell_text(lines: Sequence[str]) -> str:
    """A cell's lines joined with '\\n', words cut by the column edge joined back."""
    out: list[str] = []
    for line in lines:
        if out and _joins(out[-1], line):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------- Roman numerals

# What Tesseract's Vietnamese model makes of serif Roman numerals: "III." → "II.", "II" → "li",
# "H" or "11", "I" → "|". Section labels (I., II.) and quarters (Quý III/2019) carry the
# structure and the dates, so such a token is read again from its glyphs.
_ROMANISH = re.compile(r"^(?P<numeral>[IiLl1|!\[\]HÍÌíìỈỊĩVvXx]+)(?P<rest>[./].*)?$")
_QUARTERISH = re.compile(r"^(?P<numeral>[IiLl1|!\[\]TtHÍÌíìỈỊĩVv]+)(?P<rest>/.*)?$")
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_QUARTER = re.compile(r"^(?:I|II|III|IV)$")


def _glyph(component: Gray) -> str:
    """One tall glyph of a numeral: "I", "V", "X", "/" or several touching I's ("II")."""
    h, w = component.shape
    ys, xs = np.nonzero(component)
    top, bottom = xs[ys < h / 4], xs[ys >= 3 * h / 4]
    if top.size and bottom.size and top.mean() - bottom.mean() > 0.3 * w:
        return "/"  # a slash leans right: its top stands right of its foot
    if w < 0.55 * h:
        return "I"

    def strokes(y: int) -> int:
        row = component[y] > 0
        return int(np.count_nonzero(row[1:] & ~row[:-1]) + row[0])

    head, middle, foot = strokes(int(h * 0.15)), strokes(h // 2), strokes(int(h * 0.85))
    if middle == 1:
        return "X" if head >= 2 and foot >= 2 else "?"  # a T or an H is no numeral
    if foot == 1:
        return "V"  # the strokes meet at the foot
    return "I" * middle  # I's whose serifs touch stand apart above them


def numeral_from_glyphs(ink: Gray) -> str:
    """The Roman numeral drawn in an ink mask, glyph by glyph, up to a slash ("III/2019"),
    with the full stop after it ("III.").

    Other marks lower than 60 % of the tallest glyph (specks) are skipped.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count < 2:
        return ""
    tallest = int(stats[1:, cv2.CC_STAT_HEIGHT].max())
    base = max(
        int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]) for i in range(1, count)
    )
    parts = sorted(
        (int(stats[i, cv2.CC_STAT_LEFT]), i)
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_HEIGHT] >= 0.6 * tallest
    )
    out = ""
    for _, i in parts:
        x, y, w, h = (int(v) for v in stats[i, :4])
        glyph = _glyph(np.where(labels[y : y + h, x : x + w] == i, _INK, _PAPER))
        if glyph == "/":
            return out
        out += glyph
    last = max((int(stats[i, 0] + stats[i, 2]) for _, i in parts), default=0)
    stop = any(
        stats[i, 0] >= last
        and stats[i, 3] < 0.3 * tallest
        and stats[i, 2] < 0.3 * tallest
        and stats[i, 1] + stats[i, 3] >= base - 0.1 * tallest
        for i in range(1, count)
    )
    return out + "." if out and stop else out


def _reread_numeral(word: Word, image: Gray, quarter: bool) -> Word:
    """A token that should be a Roman numeral, read again from its glyphs when it looks like
    a misread one; other tokens are returned as they are."""
    match = (_QUARTERISH if quarter else _ROMANISH).match(word.text)
    if match is None or (match.group("numeral").isdigit() and not quarter):
        return word  # "1", "12": task numbers are digits
    y0, x0 = max(0, word.top - 2), max(0, word.left - 2)
    box = image[y0 : word.top + word.height + 2, x0 : word.left + word.width + 2]
    numeral = numeral_from_glyphs(ink_mask(box)) if box.size else ""
    stop = numeral.endswith(".")
    numeral = numeral.rstrip(".")
    valid = _QUARTER if quarter else _ROMAN
    if not numeral or not valid.match(numeral):
        return word
    rest = match.group("rest") or ""
    if not rest and not quarter and (stop or _full_stop_after(word, image)):
        rest = "."
    text = numeral + rest
    return word if text == word.text else replace(word, text=text)


def _full_stop_after(word: Word, image: Gray) -> bool:
    """Whether a full stop stands just right of a word ("III." read as "II", the dot lost)."""
    bottom = word.top + word.height
    right = image[
        word.top : bottom + 2, word.left + word.width : word.left + word.width + word.height // 2
    ]
    if right.size == 0:
        return False
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink_mask(right), connectivity=8)
    for x, y, w, h, _ in stats[1:count]:
        if x == 0:
            continue  # the word's own last stroke, cut by the box edge
        if h < 0.3 * word.height and w < 0.3 * word.height and y + h >= 0.7 * word.height:
            return True
    return False


_MARKS = ",.;:"


def unseen_mark(word: Word, image: Gray) -> bool:
    """Whether the punctuation mark that ends a word has no ink of its own in the image.

    The model sometimes adds a comma or a full stop to a word at high confidence ("QPPL," for
    "QPPL"). A printed mark is the word's rightmost ink and far shorter than its letters; when
    the rightmost ink in the word's box is a full-height letter, the mark was not printed.
    """
    if len(word.text) < 2 or word.text[-1] not in _MARKS or not word.text[-2].isalnum():
        return False
    top, left = max(0, word.top), max(0, word.left)
    box = image[top : word.top + word.height, left : word.left + word.width]
    if box.size == 0:
        return False
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink_mask(box), connectivity=8)
    if count < 2:
        return False
    parts = stats[1:count]
    rightmost = parts[np.argmax(parts[:, cv2.CC_STAT_LEFT] + parts[:, cv2.CC_STAT_WIDTH])]
    tallest = int(parts[:, cv2.CC_STAT_HEIGHT].max())
    return bool(rightmost[cv2.CC_STAT_HEIGHT] > 0.6 * tallest)


def _line_key(word: Word) -> tuple[int, int, int]:
    return word.block, word.par, word.line


def reread_numerals(words: list[Word], image: Gray, line_start: bool) -> list[Word]:
    """Roman numerals in a cell's or a line's words: the label that opens it (when
    `line_start`) and the quarter after "Quý"."""
    out = list(words)
    for i, word in enumerate(out):
        after_quy = i > 0 and fold(out[i - 1].text) == "quy"
        opens = line_start and (i == 0 or _line_key(out[i - 1]) != _line_key(word))
        # A word that opens a line of text may be Vietnamese ("vi", "xi"); a cell's only word
        # is a label ("li" is "II").
        alone = len(out) == 1 or not is_syllable(word.text.rstrip(".,;:"))
        if after_quy or (opens and alone):
            out[i] = _reread_numeral(word, image, quarter=after_quy)
    return out


# --------------------------------------------------------------------------- tables


def despeckle(gray: Gray) -> Gray:
    """Dust and sensor noise whitened: ink marks of a few pixels, smaller than a tone-mark dot.

    Tesseract reads a speck beside a number as a character ("1 ." becomes "1 -").
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink_mask(gray), connectivity=8)
    specks = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= _SPECK)
    specks = specks[specks > 0]
    if specks.size == 0:
        return gray
    clean = gray.copy()
    clean[_labelled(labels, count, specks.tolist())] = 255
    return clean


def for_tesseract(gray: Gray) -> Gray:
    """A clean crop as Tesseract reads it best: softened, at ~200 dpi, with a white border.

    Scans are often thresholded to black and white with ragged edges; Tesseract's LSTM models
    were trained on anti-aliased text, and read bold serif letters and lone Roman numerals
    ("II" → "li", "I" → "|") far better once the edges are smoothed. Downsampling to ~200 dpi
    does that (area averaging) and makes recognition faster too.
    """
    scale = TESSERACT_DPI / DPI
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    pad = _CROP_PAD
    return _u8(cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255))


def _crop(gray: Gray, lines: Gray, box: Box) -> Gray | None:
    """A cell's image ready for Tesseract, its borders whitened, or None when it holds no ink."""
    crop = gray[box.y0 : box.y1, box.x0 : box.x1].copy()
    crop[lines[box.y0 : box.y1, box.x0 : box.x1] > 0] = 255
    crop = despeckle(crop)
    return crop if _has_ink(crop) else None


def _weak(words: Sequence[Word]) -> str | None:
    """Why a cell's reading needs checking, or None when it does not.

    The mean alone hides the one misread word of a long cell ("Quý 11/2019": 97 and 47), and
    that word is what changes a date or an agency; so a cell is flagged when its mean is low
    or any of its words is.
    """
    mean = _mean_confidence(words)
    weakest = min(words, key=lambda w: w.conf, default=None)
    if mean is None or weakest is None:
        return None
    if mean < LOW_CONFIDENCE:
        return f"{mean:.0f}"
    if weakest.conf < LOW_WORD_CONFIDENCE:
        return f"{mean:.0f}, word {weakest.text!r} {weakest.conf:.0f}"
    return None


def _table(gray: Gray, lines: Gray, boxes: list[Box], page: int) -> tuple[Table, list[str]]:
    """One table piece, and its cells to check ("r3c2 'Quý 11/2019' (72, word …)")."""
    grid, n_rows, n_cols = build_grid(boxes)
    crops = [_crop(gray, lines, cell.box) for cell in grid]
    present = [i for i, crop in enumerate(crops) if crop is not None]
    words = recognise([c for c in crops if c is not None], psm=6)
    read: dict[int, list[Word]] = dict(zip(present, words, strict=True))
    rows: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    flagged: list[str] = []
    for i, spot in enumerate(grid):
        crop = crops[i]
        found = [] if crop is None else reread_numerals(read.get(i, []), crop, line_start=True)
        text = cell_text(_lines(found))
        # the misreads Tesseract is sure of: unlikely words, punctuation with no ink
        why = _weak(found) or misread(text)
        if why is None and crop is not None:
            added = next((w.text for w in found if unseen_mark(w, crop)), None)
            why = None if added is None else f"no ink for the mark ending {added!r}"
        if crop is not None and not found:
            # Tesseract returns nothing for a lone "I" at times: read it from its glyphs.
            text = numeral_from_glyphs(ink_mask(crop)).rstrip(".")
            text = text if _ROMAN.match(text) else ""
            why = "no words; read from its glyph shapes" if text else None
        cell = Cell(
            text=text,
            row_span=spot.row_span,
            col_span=spot.col_span,
            confidence=_mean_confidence(found),
        )
        _place(rows, spot, cell)
        if why is not None:
            shown = squash(cell.text)
            shown = shown if len(shown) <= 40 else shown[:39] + "…"
            flagged.append(f"r{spot.row + 1}c{spot.col + 1} {shown!r} ({why})")
    table = Table(rows=[[c or Cell(text="") for c in row] for row in rows], page=page)
    return table, flagged


def _place(rows: list[list[Cell | None]], spot: GridCell, cell: Cell) -> None:
    """Put a cell on the grid the way every extractor does (see docx.py).

    A horizontal span is followed by empty cells so a column index means the same column in
    every row; a vertical span gives its text to each row it covers, since a merged task cell
    belongs to every task it spans.
    """
    n_rows, n_cols = len(rows), len(rows[0])
    for r in range(spot.row, min(n_rows, spot.row + spot.row_span)):
        for c in range(spot.col, min(n_cols, spot.col + spot.col_span)):
            if rows[r][c] is not None:
                continue  # boxes overlap only when a rule was missed: keep the first
            if c > spot.col:
                rows[r][c] = Cell(text="")
            elif r == spot.row:
                rows[r][c] = cell
            else:
                rows[r][c] = Cell(
                    text=cell.text, col_span=cell.col_span, confidence=cell.confidence
                )


# --------------------------------------------------------------------------- running text

# A line that opens a new paragraph whatever Tesseract's layout says: a section label or list
# mark ("I.", "1.", "1.1.", "a)", "-", "+"), as Vietnamese documents print them.
_OPENS_PARAGRAPH = re.compile(
    r"^(?:[IVX]{1,4}\.|\d{1,2}(?:\.\d{1,2})*\.|\d{1,2}\)|[a-zđ]\)|[-–+•])(?:\s|$)"
)


@dataclass
class _Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.top + w.height for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def right(self) -> int:
        return max(w.left + w.width for w in self.words)

    @property
    def paragraph(self) -> tuple[int, int]:
        return self.words[0].block, self.words[0].par


def _text_lines(words: Sequence[Word]) -> list[_Line]:
    lines: dict[tuple[int, int, int], _Line] = {}
    for w in words:
        lines.setdefault((w.block, w.par, w.line), _Line([])).words.append(w)
    return list(lines.values())


_PAGE_NUMBER = re.compile(r"^(?:trang\s*)?[-–]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–]?$")


def _opens_paragraph(previous: _Line, line: _Line, text_right: int) -> bool:
    """Whether `line` starts a new paragraph, from the page's geometry.

    Tesseract's own paragraph and block numbers split running paragraphs too often to be
    followed alone: a break is taken where the line stands apart (a gap of most of a line, or
    another column), or where the line above ended — with a full stop or semicolon, or short
    of the right margin — and this line opens with a section label or list mark, is indented,
    or is a new paragraph for Tesseract too.
    """
    height = previous.bottom - previous.top
    if line.top < previous.top + height / 2 or line.left > previous.right:
        return True  # beside the line above, not under it: another column
    if line.top - previous.bottom > 0.8 * height:
        return True  # a blank line, or a page number standing above the heading
    ended = (
        previous.text.endswith((".", ";", ":", "!", "?")) or previous.right < text_right - 15 * _MM
    )
    return ended and (
        bool(_OPENS_PARAGRAPH.match(line.text))
        or line.left - previous.left > 5 * _MM
        or line.paragraph != previous.paragraph
    )


@dataclass
class _Para:
    lines: list[_Line]

    def block(self, page: int) -> Paragraph:
        words = [w for line in self.lines for w in line.words]
        text = squash(cell_text([line.text for line in self.lines]))
        return Paragraph(text=text, page=page, confidence=_mean_confidence(words))


def _is_noise(line: _Line) -> bool:
    """A "line" of stray marks: tone marks Tesseract split off the line below, a smudge. Its
    words are read with little confidence and nearly all hold at most one letter or digit."""
    marks = sum(1 for w in line.words if sum(ch.isalnum() for ch in w.text) <= 1)
    mean = _mean_confidence(line.words) or 0.0
    return mean < NOISE_LINE_CONFIDENCE and marks >= 0.75 * len(line.words)


def _paragraphs(
    words: Sequence[Word], page_height: int
) -> tuple[list[_Para], list[bool], list[str]]:
    """Running text → paragraphs, whether each stands in the header/footer band, and the
    lines dropped as noise.

    Tesseract's paragraphs are split again where a line opens with a section label or stands
    apart; page numbers in the margins are dropped (the blocks carry the page).
    """
    band = page_height * _MARGIN_SHARE
    lines: list[_Line] = []
    dropped: list[str] = []
    for line in _text_lines(words):
        in_margin = line.bottom < band or line.top > page_height - band
        if in_margin and _PAGE_NUMBER.match(fold(line.text)):
            continue
        if _is_noise(line):
            dropped.append(line.text)
            continue
        lines.append(line)
    text_right = max((line.right for line in lines), default=0)
    paras: list[_Para] = []
    for line in lines:
        if not paras or _opens_paragraph(paras[-1].lines[-1], line, text_right):
            paras.append(_Para([]))
        paras[-1].lines.append(line)
    margins = [p.lines[-1].bottom < band or p.lines[0].top > page_height - band for p in paras]
    return paras, margins, dropped


# --------------------------------------------------------------------------- one page


@dataclass
class PageResult:
    """What OCR read on one page.

    `margin` marks the blocks standing in the header or footer band (candidates for running
    headers and footers); `warnings` name the cells to check and the lines dropped as noise.
    """

    blocks: list[Block] = field(default_factory=list)
    margin: list[bool] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _frame(boxes: list[Box]) -> Box:
    return Box(
        min(b.x0 for b in boxes), min(b.y0 for b in boxes),
        max(b.x1 for b in boxes), max(b.y1 for b in boxes),
    )  # fmt: skip


def read_page(gray: Gray, page: int) -> PageResult:
    """OCR one page image (8-bit gray at DPI): tables and paragraphs in reading order."""
    gray = deskew(gray)
    tables, lines = find_tables(ruling_lines(ink_mask(gray)))
    result = PageResult()
    text_only = gray.copy()
    placed: list[tuple[int, Table]] = []
    for number, boxes in enumerate(tables, start=1):
        frame, pad = _frame(boxes), _EDGE_TOLERANCE
        text_only[
            max(0, frame.y0 - pad) : frame.y1 + pad, max(0, frame.x0 - pad) : frame.x1 + pad
        ] = 255
        table, flagged = _table(gray, lines, boxes, page)
        placed.append((frame.y0, table))
        if flagged:
            result.warnings.append(
                f"page {page} table {number}: {len(flagged)} cells to check, read with low OCR "
                f"confidence (mean under {LOW_CONFIDENCE:.0f} or a word under "
                f"{LOW_WORD_CONFIDENCE:.0f}) or holding an unlikely word: {'; '.join(flagged)}"
            )
    paras: list[_Para] = []
    margins: list[bool] = []
    if _has_ink(text_only):
        clean = despeckle(text_only)
        [words] = recognise([clean], psm=3)
        words = reread_numerals(words, clean, line_start=True)
        paras, margins, dropped = _paragraphs(words, page_height=gray.shape[0])
        result.warnings.extend(
            f"page {page}: a line read as noise was dropped ({text!r})" for text in dropped
        )
    for para, margin in zip(paras, margins, strict=True):
        while placed and placed[0][0] < para.lines[0].top:
            result.blocks.append(placed.pop(0)[1])
            result.margin.append(False)
        result.blocks.append(para.block(page))
        result.margin.append(margin)
    for _, table in placed:
        result.blocks.append(table)
        result.margin.append(False)
    return result


def _has_ink(gray: Gray) -> bool:
    # Specks of scan noise are not text: only marks a few pixels across count.
    ink = cv2.morphologyEx(ink_mask(gray), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return int(np.count_nonzero(ink)) >= 25


# --------------------------------------------------------------------------- entry points


def _open(path: str, data: bytes) -> Any:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise IngestError(path, f"damaged or encrypted PDF, cannot be opened ({exc})") from exc


@contextmanager
def _single_threaded_tesseract() -> Iterator[None]:
    """Run Tesseract with one OpenMP thread unless the user chose otherwise.

    Its threads spin-wait for each other on small images: one thread per run is twice as fast
    on two cores, and the pages are spread over the cores instead (see `_read_pages`).
    """
    if "OMP_THREAD_LIMIT" in os.environ:
        yield
        return
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        os.environ.pop("OMP_THREAD_LIMIT", None)


def _render_page(pdf: Any, page_index: int) -> Gray:
    page = pdf[page_index]
    try:
        return render(page)
    finally:
        page.close()  # pdfium keeps every loaded page otherwise: memory grows with the file


def _read_pages(pdf: Any, workers: int) -> Iterator[PageResult]:
    """Every page's OCR, in order, `workers` pages at a time.

    pdfium is not thread-safe, so pages are rendered here one by one; the image work and
    Tesseract (a separate process) run in the pool. At most `workers` page images are alive at
    once, so memory stays flat however long the file.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[PageResult]] = deque()
        for index in range(len(pdf)):
            pending.append(pool.submit(read_page, _render_page(pdf, index), index + 1))
            if len(pending) >= workers:
                yield pending.popleft().result()
                _release_freed_memory()
        while pending:
            yield pending.popleft().result()


def _release_freed_memory() -> None:
    """Hand the pages' freed arrays back to the system (glibc keeps them in each thread's
    heap otherwise, and the process's size creeps up page after page); elsewhere, nothing."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def ocr_pdf_page(data: bytes, page_index: int) -> list[Block]:
    """OCR one page (0-based index) of a PDF: its blocks, each with `page` = page_index + 1.

    For the PDF extractor's pages without a usable text layer. Bare page numbers in the
    margins are dropped; other running headers and footers are left to the caller, which sees
    every page. Raises RuntimeError when Tesseract or its Vietnamese model is missing. The
    page's warnings (cells to check) come with `read_pdf_page`.
    """
    return read_pdf_page(data, page_index).blocks


def read_pdf_page(data: bytes, page_index: int) -> PageResult:
    """`ocr_pdf_page` with the page's warnings (low-confidence cells, noise dropped)."""
    pdf = _open("<pdf>", data)
    try:
        gray = _render_page(pdf, page_index)
    finally:
        pdf.close()
    with _single_threaded_tesseract():
        return read_page(gray, page_index + 1)


def _fingerprint(text: str) -> str:
    return str(re.sub(r"\d+", "#", squash(fold(text))))


def _running_lines(pages: list[PageResult]) -> set[tuple[int, int]]:
    """(page, block) of margin paragraphs repeated on other pages: running headers, footers.

    OCR reads the same footer a little differently on each page, so texts are compared with a
    fuzzy ratio after digits are masked ("Trang 3/46" and "Trang 4/46" are the same line).
    """
    found: list[tuple[int, int, str]] = [
        (p, b, _fingerprint(block.text))
        for p, page in enumerate(pages)
        for b, (block, margin) in enumerate(zip(page.blocks, page.margin, strict=True))
        if margin and isinstance(block, Paragraph)
    ]
    running: set[tuple[int, int]] = set()
    for p, b, text in found:
        others = {q for q, _, other in found if q != p and fuzz.ratio(text, other) >= 80}
        if len(others) >= min(2, len(pages) - 1) and others:
            running.add((p, b))
    return running


def extract_scanned(path: str, data: bytes, doc_id: str) -> RawDocument:
    """A whole image-only PDF through OCR, one page at a time (one page image in memory)."""
    pdf = _open(path, data)
    try:
        page_count = len(pdf)
        try:
            with _single_threaded_tesseract():
                pages = list(_read_pages(pdf, WORKERS))
        except RuntimeError as exc:
            raise IngestError(path, f"cannot OCR the scanned PDF: {exc}") from exc
    finally:
        pdf.close()
    running = _running_lines(pages)
    blocks: list[Block] = []
    warnings: list[str] = []
    for p, page in enumerate(pages):
        kept = [block for b, block in enumerate(page.blocks) if (p, b) not in running]
        if not kept:
            warnings.append(f"page {p + 1}: no text recognised (blank page or unreadable scan)")
        blocks.extend(kept)
        warnings.extend(page.warnings)
    if not any(_has_text(block) for block in blocks):
        raise IngestError(path, "scanned PDF with no recognisable text")
    if running:
        warnings.append(f"{len(running)} running header/footer lines removed")
    return RawDocument(
        doc_id=doc_id,
        source_path=path,
        source_format=SourceFormat.PDF_SCANNED,
        blocks=blocks,
        page_count=page_count,
        warnings=warnings,
    )


def _has_text(block: Block) -> bool:
    if isinstance(block, Paragraph):
        return bool(block.text.strip())
    return any(cell.text.strip() for row in block.rows for cell in row)
