"""Extractor for PDFs with a text layer (what offices publish when they print a Word file).

Page by page, one page open at a time (`close()` on every page, since pdfium keeps every loaded
page otherwise and `flush_cache()` alone does not free pdfplumber's):

1. pdfium reads the page's characters and rebuilds its printed lines from their positions
   (`pdf_text`);
2. a page whose text layer is empty, garbage (a broken ToUnicode map: glyph ids instead of
   letters, few words that are Vietnamese syllables) or a picture with a stamped page number
   is set aside for OCR; text typed in a legacy Vietnamese font encoding (TCVN3, VNI) is
   converted instead;
3. tables (`pdf_tables`): ruled ones from the page's ruling lines (pdfium path objects) through
   pdfplumber's table finder, pdfplumber's own page as the fallback; then tables ruled between
   rows only, or unruled, from their column gutters. One `Table` per page piece, with its page
   number: the parser stitches the pieces a page break cut;
4. the lines outside tables are kept with their boxes.

Then the pages set aside go to `vnplan.ingest.ocr` (`ocr_pdf_page`, or `extract_scanned` when
no page has text), each named in a warning, also when OCR is not installed. Running headers,
footers and page numbers (lines repeated at the same place on most pages, lone numbers in the
margins) are removed, and the lines are joined into paragraphs (`pdf_layout`), across page
breaks too. Text leaves NFC-normalized.
"""

from __future__ import annotations

import importlib
import io
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from vnplan.ingest import legacy
from vnplan.ingest.errors import IngestError
from vnplan.ingest.pdf_layout import (
    Column,
    Line,
    PageLines,
    TextBlock,
    continues_across_pages,
    glue,
    line_pitch,
    paragraphs,
    running_key,
    running_lines,
    strip_running_lines,
)
from vnplan.ingest.pdf_tables import (
    FoundTable,
    complete_cut_merges,
    find_tables,
    ruled_tables,
    unruled_table,
)
from vnplan.ingest.pdf_text import (
    CellText,
    PageChars,
    Rulings,
    columnar_rows,
    page_lines,
    read_chars,
    ruling_edges,
)
from vnplan.models import Block, Paragraph, RawDocument, SourceFormat, Table

# A text layer is garbage when most of its Vietnamese-looking words are no Vietnamese syllable
# (a correct page scores ≥ 0.9; glyph soup well under 0.5) or when pdfium could not map a good
# share of its characters to Unicode.
MIN_SYLLABLE_SHARE = 0.6
MAX_MAP_ERRORS = 0.1
SCORE_SAMPLE = 3000  # characters: a page's first paragraphs tell its text layer's quality
# A page with less text than this under a page-sized picture is a scan with a stamp or number.
SCAN_TEXT_LIMIT = 40
SCAN_IMAGE_SHARE = 0.5

OcrPage = Callable[[bytes, int], list[Block]]


# --------------------------------------------------------------------------- opening


def _open(path: str, data: bytes) -> pdfium.PdfDocument:
    if b"%PDF-" not in data[:1024]:
        raise IngestError(path, "not a PDF: the file does not start with '%PDF-'")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise IngestError(path, "encrypted PDF: needs a password") from exc
        engine = str(exc).removeprefix("Failed to load document ").strip(" .()")
        if b"%%EOF" not in data[-2048:]:
            reason = "truncated PDF: the file ends before its end-of-file marker"
        else:
            reason = "damaged PDF: its structure cannot be read"
        raise IngestError(path, f"{reason} ({engine})") from exc


def _ocr_module() -> Any:
    """vnplan.ingest.ocr when it is installed (Tesseract, OpenCV), else None."""
    try:
        return importlib.import_module("vnplan.ingest.ocr")
    except ImportError:
        return None


def _ocr_function() -> OcrPage | None:
    """The OCR hook for one page: `ocr_pdf_page(data, page_index) -> list[Block]`."""
    found = getattr(_ocr_module(), "ocr_pdf_page", None)
    return cast(OcrPage, found) if callable(found) else None


def _scanned_document(path: str, data: bytes, doc_id: str, why: list[str]) -> RawDocument:
    """No page has a usable text layer: the OCR module reads the whole file, since it also
    strips running lines across OCR'd pages. Without OCR the file fails with the reason: a
    document read as empty would look fine and say nothing."""
    whole = getattr(_ocr_module(), "extract_scanned", None)
    reasons = "; ".join(sorted(set(why)))
    if not callable(whole):
        raise IngestError(path, f"no page has a usable text layer ({reasons}); OCR not available")
    raw = cast(Callable[[str, bytes, str], RawDocument], whole)(path, data, doc_id)
    return raw.model_copy(
        update={"warnings": [f"every page: {reasons}; read by OCR", *raw.warnings]}
    )


# --------------------------------------------------------------------------- page quality


def _scanned(page: pdfium.PdfPage, chars: PageChars, width: float, height: float) -> bool:
    """Little text over a picture covering most of the page: a scan (with a stamped number)."""
    if chars.printable >= SCAN_TEXT_LIMIT:
        return False
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) >= SCAN_IMAGE_SHARE * width * height:
            return True
    return False


def judge(chars: PageChars, lines: list[Line]) -> tuple[str | None, legacy.Legacy | None]:
    """(why the page needs OCR, or None; the legacy encoding its text is typed in, or None)."""
    if chars.printable == 0:
        return "no text layer", None
    if chars.map_errors > MAX_MAP_ERRORS * chars.sampled:
        return "text layer without a Unicode map (broken ToUnicode)", None
    text = "\n".join(line.text for line in lines)
    unmapped = text.count("\ufffd") + sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff")
    if unmapped > MAX_MAP_ERRORS * chars.printable:
        return "text layer of unmapped glyphs", None
    verdict = legacy.detect(text[:SCORE_SAMPLE])
    if verdict.encoding is not None:
        return None, verdict.encoding
    if verdict.before.words >= legacy.MIN_EVIDENCE and verdict.before.share < MIN_SYLLABLE_SHARE:
        share = f"{verdict.before.share:.0%}"
        return f"garbage text layer ({share} of its words are Vietnamese syllables)", None
    return None, None


# --------------------------------------------------------------------------- one page


@dataclass
class PageContent:
    """What a page gave: its lines outside tables and its tables, or OCR blocks."""

    lines: PageLines
    tables: list[FoundTable] = field(default_factory=list)
    ocr: list[Block] | None = None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.warnings: list[str] = []
        self.pages: list[PageContent] = []
        self.to_ocr: list[tuple[PageContent, str]] = []  # pages without a usable text layer
        self._plumber: Any = None

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()

    def _plumber_tables(self, index: int) -> list[FoundTable]:
        """pdfplumber's own tables on one page; the page is closed (caches freed) right after."""
        if self._plumber is None:
            self._plumber = pdfplumber.open(io.BytesIO(self.data))
        page = self._plumber.pages[index]
        try:
            return find_tables(page)
        except Exception as exc:  # pdfminer chokes on what pdfium read: keep the page as text
            self.warnings.append(
                f"page {index + 1}: table finder failed ({type(exc).__name__}: {exc}); "
                "the page is read as text"
            )
            return []
        finally:
            page.close()

    def _tables(
        self, index: int, page: pdfium.PdfPage, text: CellText, lines: list[Line]
    ) -> list[FoundTable]:
        """The page's tables: ruled ones through the pdfium-fed finder (pdfplumber's own page
        if that finds none), then tables ruled between rows only, then unruled ones."""
        _, height = page.get_size()
        edges = ruling_edges(page, height)
        ruling = Rulings.of(edges)
        found: list[FoundTable] = []
        if ruling.ruled_table:
            ruled = ruled_tables(edges, text)
            found = ruled if ruled is not None else self._plumber_tables(index)
        if not found and ruling.rules_only:
            rules = [e["top"] for e in edges]
            area = (
                min(e["x0"] for e in edges),
                min(rules),
                max(e["x1"] for e in edges),
                max(rules),
            )
            table = unruled_table(text, area, rules)
            found = [table] if table is not None else []
        columns = columnar_rows(lines) if not found else None
        if columns is not None:
            table = unruled_table(text, columns)
            found = [table] if table is not None else []
        return found

    def read(self, index: int, page: pdfium.PdfPage) -> None:
        width, height = page.get_size()
        number = index + 1
        textpage = page.get_textpage()
        try:
            chars = read_chars(textpage, height)
            lines = page_lines(chars)
            reason, encoding = judge(chars, lines)
            if reason is None and _scanned(page, chars, width, height):
                reason = "scanned page (a picture with almost no text)"
            if reason is not None:
                self.pages.append(PageContent(PageLines(number, height, width), ocr=[]))
                self.to_ocr.append((self.pages[-1], reason))
                return
            tables = self._tables(index, page, CellText(chars), lines)
            if tables:
                lines = page_lines(chars, [t.bbox for t in tables])
        finally:
            textpage.close()
        if encoding is not None:
            self.warnings.append(
                f"page {number}: text in the {encoding} legacy font encoding, converted"
            )
            lines, tables = _convert(lines, tables, encoding)
        self.pages.append(PageContent(PageLines(number, height, width, lines), tables))

    def ocr(self) -> None:
        """OCR the pages without a usable text layer, or name each one in a warning."""
        if not self.to_ocr:
            return  # importing the OCR module (OpenCV, NumPy) costs ~90 MB: only when needed
        ocr = _ocr_function()
        for content, reason in self.to_ocr:
            number = content.lines.number
            if ocr is None:
                self.warnings.append(f"page {number}: {reason}; OCR not available")
                continue
            try:
                content.ocr = ocr(self.data, number - 1)
            except Exception as exc:  # Tesseract missing, a bad image: the page is named
                self.warnings.append(f"page {number}: {reason}; OCR failed ({exc})")
                continue
            self.warnings.append(f"page {number}: {reason}; read by OCR")


def _convert(
    lines: list[Line], tables: list[FoundTable], encoding: legacy.Legacy
) -> tuple[list[Line], list[FoundTable]]:
    for line in lines:
        line.text = legacy.to_unicode(line.text, encoding)
    for table in tables:
        for row in table.rows:
            for cell in row:
                cell.text = legacy.to_unicode(cell.text, encoding)
    return lines, tables


# --------------------------------------------------------------------------- the document


def _columns(pages: list[PageContent]) -> dict[tuple[int, int], Column]:
    """The text area of each page size (portrait body, landscape appendix …), from its lines.

    Measured over all pages of that size, so a page of short lines (a signature block) is not
    taken for a narrow page.
    """
    lefts: dict[tuple[int, int], list[float]] = defaultdict(list)
    rights: dict[tuple[int, int], list[float]] = defaultdict(list)
    for content in pages:
        size = (round(content.lines.width), round(content.lines.height))
        for line in content.lines.lines:
            lefts[size].append(line.x0)
            rights[size].append(line.x1)
    columns = {}
    for size, values in lefts.items():
        if len(values) >= 20:
            left = statistics.quantiles(values, n=20)[0]
            right = statistics.quantiles(rights[size], n=20)[-1]
        else:
            left, right = min(values), max(rights[size])
        columns[size] = Column(left, right)
    return columns


def _page_blocks(
    content: PageContent, lines: list[Line], column: Column, pitch: dict[int, float]
) -> list[TextBlock | FoundTable]:
    """The page in reading order: paragraphs of the text between tables, and the tables."""
    out: list[TextBlock | FoundTable] = []
    remaining = sorted(lines, key=lambda line: (line.top, line.x0))
    for table in sorted(content.tables, key=lambda t: t.bbox[1]):
        above = [line for line in remaining if line.top < table.bbox[1]]
        remaining = [line for line in remaining if line.top >= table.bbox[1]]
        out.extend(paragraphs(above, content.lines.number, column, pitch))
        out.append(table)
    out.extend(paragraphs(remaining, content.lines.number, column, pitch))
    return out


def _paragraph(block: TextBlock) -> Paragraph:
    return Paragraph(
        text=unicodedata.normalize("NFC", block.text),
        page=block.page,
        bold=all(line.bold for line in block.lines),
        italic=all(line.italic for line in block.lines),
    )


def _table(found: FoundTable, page: int) -> Table:
    rows = [
        [cell.model_copy(update={"text": unicodedata.normalize("NFC", cell.text)}) for cell in row]
        for row in found.rows
    ]
    return Table(rows=rows, page=page)


def _ocr_blocks(blocks: list[Block], page: int, running: set[tuple[str, str]]) -> Iterator[Block]:
    """An OCR'd page's blocks, without the running lines the text pages showed."""
    keys = {key for _, key in running}
    for position, block in enumerate(blocks):
        at_edge = position in (0, len(blocks) - 1)
        if at_edge and isinstance(block, Paragraph) and running_key(block.text) in keys:
            continue
        if block.page is None:
            block = block.model_copy(update={"page": page})
        yield block


@dataclass
class _Open:
    """The last paragraph written, which the next page's first paragraph may continue."""

    block: TextBlock
    column: Column


def assemble(pages: list[PageContent]) -> list[Block]:
    """Every page's blocks, running lines gone, paragraphs joined across page breaks."""
    running = running_lines([p.lines for p in pages if p.ocr is None])
    kept = {p.lines.number: strip_running_lines(p.lines, running) for p in pages if p.ocr is None}
    pitch = line_pitch(line for lines in kept.values() for line in lines)
    columns = _columns(pages)
    blocks: list[Block] = []
    last: _Open | None = None
    for content in pages:
        number = content.lines.number
        if content.ocr is not None:
            blocks.extend(_ocr_blocks(content.ocr, number, running))
            last = None
            continue
        size = (round(content.lines.width), round(content.lines.height))
        column = columns.get(size, Column(0.0, content.lines.width))
        for position, item in enumerate(_page_blocks(content, kept[number], column, pitch)):
            if isinstance(item, FoundTable):
                blocks.append(_table(item, number))
                last = None
            elif (
                position == 0
                and last is not None
                and continues_across_pages(last.block, item, (last.column, column))
            ):
                _merge(last.block, item)
                blocks[-1] = _paragraph(last.block)
                last.column = column
            else:
                blocks.append(_paragraph(item))
                last = _Open(item, column)
    complete_cut_merges(blocks)
    return blocks


def _merge(before: TextBlock, after: TextBlock) -> None:
    """Join a paragraph cut by a page break; it keeps the page it starts on."""
    soft = True  # continues_across_pages only says yes to a wrapped line
    before.text = before.text + glue(before.text, soft) + after.text
    before.lines.extend(after.lines)


def extract(path: str, data: bytes, doc_id: str) -> RawDocument:
    document = _open(path, data)
    reader = _Reader(data)
    try:
        page_count = len(document)
        for index in range(page_count):
            try:
                page = document[index]
            except pdfium.PdfiumError as exc:  # one broken page object: name it, read the rest
                reader.warnings.append(f"page {index + 1}: cannot be read ({exc})")
                continue
            try:
                reader.read(index, page)
            finally:
                page.close()  # pdfium keeps every loaded page otherwise: memory grows
    finally:
        reader.close()
        document.close()
    if page_count == 0:
        raise IngestError(path, "PDF without pages")
    if len(reader.to_ocr) == page_count:
        return _scanned_document(path, data, doc_id, [reason for _, reason in reader.to_ocr])
    reader.ocr()
    return RawDocument(
        doc_id=doc_id,
        source_path=path,
        source_format=SourceFormat.PDF,
        blocks=assemble(reader.pages),
        page_count=page_count,
        warnings=reader.warnings,
    )
