"""OCR of scanned PDFs: the seeds' scans (samples/scan/, tools/make_scan_samples.py) read with
the real Tesseract and compared with the text versions' tasks, and small images drawn here for
the table grid, merged cells and blank pages."""

from __future__ import annotations

import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz import fuzz

from vnplan import __version__
from vnplan.ingest import IngestError, doc_id_for
from vnplan.ingest.ocr import (
    Word,
    build_grid,
    cell_text,
    extract_scanned,
    find_tables,
    ink_mask,
    numeral_from_glyphs,
    ocr_pdf_page,
    read_page,
    render,
    ruling_lines,
    skew_angle,
    unseen_mark,
)
from vnplan.models import Document, Paragraph, RawDocument, Table, Task, TaskOrigin
from vnplan.normalize import normalize_document
from vnplan.parse import parse_document
from vnplan.textutil import squash

from conftest import SAMPLES, SEEDS

SCAN = SAMPLES / "scan"
FIELDS = ("task_no", "content", "lead_agencies", "support_agencies", "deadlines")
# The field of a task → the raw cell it was read from (to find the cell and its confidence).
RAW_OF = {
    "task_no": "task_no",
    "content": "content",
    "lead_agencies": "lead_raw",
    "support_agencies": "support_raw",
    "deadlines": "deadline_raw",
}


# --------------------------------------------------------------------------- agreement


_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—", "-"))


def _value(task: Task, name: str) -> Any:
    """A field as compared. Dashes are folded: a scan cannot tell a hyphen from an en dash."""
    value = getattr(task, name)
    return squash(value).translate(_DASHES) if isinstance(value, str) else value


def align(want: list[Task], got: list[Task]) -> list[tuple[int | None, int | None]]:
    """Pair the text version's tasks with the scan's, in order, by content similarity.

    A misread section row becomes an extra task and a lost row a missing one; comparing
    strictly by position would then count every later task as wrong.
    """
    similarity = [[fuzz.ratio(squash(a.content), squash(b.content)) for b in got] for a in want]
    n, m = len(want), len(got)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = best[i + 1][j + 1] + similarity[i][j] if similarity[i][j] >= 60 else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], pair)
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if similarity[i][j] >= 60 and best[i][j] == best[i + 1][j + 1] + similarity[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs.extend((k, None) for k in range(i, n))
    pairs.extend((None, k) for k in range(j, m))
    return pairs


@dataclass
class Agreement:
    compared: int = 0
    equal: int = 0
    flagged: list[str] = field(default_factory=list)
    unflagged: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.equal / self.compared if self.compared else 0.0

    def summary(self) -> str:
        return (
            f"{self.equal}/{self.compared} fields equal ({self.share:.1%}); disagreements "
            f"{len(self.flagged)} flagged, {len(self.unflagged)} unflagged; "
            f"{len(self.extra)} extra tasks"
        )


CellKey = tuple[int | None, int, int, int]  # page, table on the page, row, column (1-based)
_FLAG = re.compile(r"r(\d+)c(\d+) ")
_TABLE_WARNING = re.compile(r"^page (\d+) table (\d+): \d+ cells to check, read with low OCR")


def flagged_cells(raw: RawDocument) -> set[CellKey]:
    """The cells the document's warnings ask to check."""
    found: set[CellKey] = set()
    for warning in raw.warnings:
        head = _TABLE_WARNING.match(warning)
        if head:
            page, table = int(head.group(1)), int(head.group(2))
            found.update((page, table, int(r), int(c)) for r, c in _FLAG.findall(warning))
    return found


def _cells(raw: RawDocument) -> dict[int | None, list[tuple[str, CellKey]]]:
    """Every non-empty cell's text by page, with its key."""
    by_page: dict[int | None, list[tuple[str, CellKey]]] = {}
    tables_on_page: dict[int | None, int] = {}
    for block in raw.blocks:
        if not isinstance(block, Table):
            continue
        number = tables_on_page[block.page] = tables_on_page.get(block.page, 0) + 1
        for r, row in enumerate(block.rows, start=1):
            for c, cell in enumerate(row, start=1):
                if cell.text.strip():
                    key = (block.page, number, r, c)
                    by_page.setdefault(block.page, []).append((squash(cell.text), key))
    return by_page


def _source_cells(
    task: Task, name: str, cells: dict[int | None, list[tuple[str, CellKey]]]
) -> list[CellKey]:
    """The cells a task's field was read from, found by their text on the task's pages (a row
    cut by a page break was read from two cells, each a part of the joined text)."""
    raws = [getattr(task, RAW_OF[name])]
    if name == "deadlines":
        raws += [m.deadline_raw for m in task.milestones]
    texts = [squash(r) for r in raws if r]
    first = task.provenance.page
    last = task.provenance.page_end or first
    if first is None or last is None:
        return []
    return [
        key
        for page in range(first, last + 1)
        for text, key in cells.get(page, [])
        if any(text == t or (len(text) > 3 and text in t) for t in texts)
    ]


def agreement(
    text_doc: Document, scan_doc: Document, raw: RawDocument, origin: TaskOrigin
) -> Agreement:
    """Field-by-field agreement of the scan's tasks of one origin with the text version's.

    A disagreement is flagged when a cell it was read from is named in the low-confidence
    warnings; prose tasks come from paragraphs, which are never flagged.
    """
    result = Agreement()
    cells = _cells(raw)
    flagged = flagged_cells(raw)
    wanted = [t for t in text_doc.tasks if t.origin == origin]
    read = [t for t in scan_doc.tasks if t.origin == origin]
    for i, j in align(wanted, read):
        if i is None:
            assert j is not None
            extra = read[j]
            result.extra.append(f"extra task {extra.task_no!r}: {extra.content[:60]!r}")
            continue
        want = wanted[i]
        for name in FIELDS:
            result.compared += 1
            if j is None:
                result.unflagged.append(f"task {i} ({want.task_no}) missing")
                continue
            got = read[j]
            if _value(got, name) == _value(want, name):
                result.equal += 1
                continue
            line = (
                f"task {i} ({want.task_no}) {name}: "
                f"{_value(got, name)!r}, want {_value(want, name)!r}"
            )
            source = _source_cells(got, name, cells)
            is_flagged = any(key in flagged for key in source)
            (result.flagged if is_flagged else result.unflagged).append(line)
    return result


def read_scan(path: Path) -> tuple[RawDocument, Document, float]:
    """OCR a scan and run parse + normalize on it: (raw, document, seconds per page)."""
    data = path.read_bytes()
    start = time.perf_counter()
    raw = extract_scanned(str(path), data, doc_id_for(data))
    per_page = (time.perf_counter() - start) / (raw.page_count or 1)
    return raw, normalize_document(parse_document(raw, __version__)), per_page


# --------------------------------------------------------------------------- synthetic pages

DPI = 300
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",  # Debian fonts-dejavu-core
    "/usr/share/fonts/TTF/DejaVuSerif.ttf",
)


def _font(size: int = 46) -> ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    pytest.skip("no font with Vietnamese glyphs (Debian: apt-get install fonts-dejavu-core)")


# A 3-column table drawn as a clerk's office prints it: the lead cell of rows 2-3 is merged
# vertically, the section row's title spans the last two columns.
#            x:  200      500                   1500                2300
TABLE_X = (200, 500, 1500, 2300)
TABLE_Y = (300, 420, 560, 700, 840)
CELLS = [  # (row, col, row_span, col_span, text)
    (0, 0, 1, 1, "STT"),
    (0, 1, 1, 1, "Nội dung"),
    (0, 2, 1, 1, "Cơ quan chủ trì"),
    (1, 0, 1, 1, "1"),
    (1, 1, 1, 1, "Xây dựng kế hoạch"),
    (1, 2, 2, 1, "Sở Tư pháp"),
    (2, 0, 1, 1, "2"),
    (2, 1, 1, 1, "Kiểm tra văn bản"),
    (3, 0, 1, 1, "II"),
    (3, 1, 1, 2, "Cải cách thủ tục hành chính"),
]


def draw_table_page(tilt: float = 0.0) -> Image.Image:
    """An A4 page at 300 dpi holding the table above, a heading and a paragraph below it."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = _font()
    draw.text((200, 150), "KẾ HOẠCH cải cách hành chính năm 2019", font=font, fill=0)
    for row, col, row_span, col_span, text in CELLS:
        box = (TABLE_X[col], TABLE_Y[row], TABLE_X[col + col_span], TABLE_Y[row + row_span])
        draw.rectangle(box, outline=0, width=3)
        draw.text((box[0] + 20, box[1] + 30), text, font=font, fill=0)
    draw.text((200, 1000), "Nơi nhận: Sở Nội vụ, Sở Tư pháp.", font=font, fill=0)
    if tilt:
        page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return page


def _pdf(*pages: Image.Image) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=list(pages[1:]))
    return buffer.getvalue()


def _gray(image: Image.Image) -> NDArray[np.uint8]:
    return np.asarray(image, dtype=np.uint8)


def test_the_ruling_lines_give_the_grid_with_its_merged_cells() -> None:
    tables, _ = find_tables(ruling_lines(ink_mask(_gray(draw_table_page()))))
    assert len(tables) == 1
    grid, rows, cols = build_grid(tables[0])
    assert (rows, cols) == (4, 3)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in grid}
    assert spans == {(r, c): (rs, cs) for r, c, rs, cs, _ in CELLS}


def test_a_tilted_scan_is_levelled_before_the_lines_are_found() -> None:
    tilted = _gray(draw_table_page(tilt=0.7))
    assert skew_angle(ink_mask(tilted)) == pytest.approx(-0.7, abs=0.1)
    result = read_page(tilted, page=1)
    [table] = [b for b in result.blocks if isinstance(b, Table)]
    assert [(c.row_span, c.col_span) for c in table.rows[1]] == [(1, 1), (1, 1), (2, 1)]
    assert len(table.rows) == 4 and len(table.rows[0]) == 3


def test_a_page_reads_as_paragraphs_and_a_table_with_spans_in_reading_order() -> None:
    blocks = ocr_pdf_page(_pdf(draw_table_page(tilt=-0.5)), 0)
    kinds = [type(b).__name__ for b in blocks]
    assert kinds == ["Paragraph", "Table", "Paragraph"]
    heading, table, footer = blocks
    assert isinstance(heading, Paragraph) and isinstance(table, Table)
    assert isinstance(footer, Paragraph)
    assert heading.text == "KẾ HOẠCH cải cách hành chính năm 2019"
    assert footer.text == "Nơi nhận: Sở Nội vụ, Sở Tư pháp."
    assert {b.page for b in blocks} == {1}
    texts = [[c.text for c in row] for row in table.rows]
    assert texts == [
        ["STT", "Nội dung", "Cơ quan chủ trì"],
        ["1", "Xây dựng kế hoạch", "Sở Tư pháp"],
        ["2", "Kiểm tra văn bản", "Sở Tư pháp"],  # the merged cell belongs to both rows
        ["II", "Cải cách thủ tục hành chính", ""],  # the span is followed by an empty cell
    ]
    assert table.rows[1][2].row_span == 2 and table.rows[3][1].col_span == 2
    confidences = [c.confidence for row in table.rows for c in row if c.text]
    assert all(c is not None and 0 <= c <= 100 for c in confidences)
    assert unicodedata.is_normalized("NFC", "".join(t for row in texts for t in row))


def test_a_blank_page_is_a_warning_and_a_blank_file_an_error() -> None:
    blank = Image.new("L", (2480, 3508), 255)
    data = _pdf(draw_table_page(), blank)
    raw = extract_scanned("plan.pdf", data, doc_id_for(data))
    assert raw.source_format == "pdf_scanned" and raw.page_count == 2
    assert "page 2: no text recognised (blank page or unreadable scan)" in raw.warnings
    assert {b.page for b in raw.blocks} == {1}
    empty = _pdf(blank, blank)
    with pytest.raises(IngestError, match=r"plan\.pdf: scanned PDF with no recognisable text"):
        extract_scanned("plan.pdf", empty, doc_id_for(empty))


def test_a_damaged_pdf_is_an_ingest_error() -> None:
    with pytest.raises(IngestError, match="damaged or encrypted PDF"):
        extract_scanned("broken.pdf", b"%PDF-1.4\n%broken", "0" * 16)


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (["Sở Thông tin và Truyề", "n thông"], "Sở Thông tin và Truyền thông"),  # syllable cut
        (
            ["Quyết định số 01/2014/QĐ-", "UBND ngày 14/01/2014"],
            "Quyết định số 01/2014/QĐ-UBND ngày 14/01/2014",
        ),
        (["Quý IV/20", "23"], "Quý IV/2023"),
        (["Khai tử -", "Xóa đăng ký"], "Khai tử -\nXóa đăng ký"),  # a spaced dash separates
        (["Sở Nội", "vụ"], "Sở Nội\nvụ"),
    ],
)
def test_cell_lines_join_words_the_column_edge_cut(lines: list[str], text: str) -> None:
    assert cell_text(lines) == text


@pytest.mark.parametrize(
    ("printed", "read", "unseen"),
    [
        ("QPPL", "QPPL,", True),  # 003's scan: a comma the model added at 86
        ("QPPL,", "QPPL,", False),
        ("trường.", "trường.", False),
        ("QPPL", "QPPL", False),  # no mark read: nothing to check
    ],
)
def test_a_mark_the_model_added_has_no_ink(printed: str, read: str, unseen: bool) -> None:
    image = Image.new("L", (700, 160), 255)
    draw = ImageDraw.Draw(image)
    draw.text((20, 30), printed, font=_font(80), fill=0)
    left, top, right, bottom = (round(v) for v in draw.textbbox((20, 30), printed, font=_font(80)))
    word = Word(read, 96.0, left, top, right - left + 2, bottom - top + 2, 1, 1, 1)
    assert unseen_mark(word, _gray(image)) is unseen


@pytest.mark.parametrize("label", ["I", "II", "III.", "IV", "VI.", "III/2019"])
def test_roman_numerals_are_read_from_their_glyphs(label: str) -> None:
    """Tesseract's Vietnamese model reads serif "III." as "II." and "II" as "li"."""
    image = Image.new("L", (600, 160), 255)
    ImageDraw.Draw(image).text((20, 30), label, font=_font(80), fill=0)
    assert numeral_from_glyphs(ink_mask(_gray(image))) == label.split("/")[0]


# --------------------------------------------------------------------------- the seeds' scans


def appendix_pages(path: Path) -> bytes:
    """The pages of a scan that hold a ruled table, as a PDF of their own."""
    source = pdfium.PdfDocument(path)
    try:
        keep = []
        for index in range(len(source)):
            page = source[index]
            gray = render(page)
            page.close()
            if find_tables(ruling_lines(ink_mask(gray)))[0]:
                keep.append(index)
        target = pdfium.PdfDocument.new()
        target.import_pages(source, keep)
        buffer = io.BytesIO()
        target.save(buffer)
        target.close()
    finally:
        source.close()
    return buffer.getvalue()


QUICK_SEED = "003_3a026ceb35acf91e"


def test_a_seeds_scanned_appendix_gives_the_text_versions_tasks(
    seed_docs: dict[str, Document], tmp_path: Path
) -> None:
    """The appendix pages of one seed's scan through OCR, parse and normalize (~30 s).

    Measured: 125 of 130 fields equal; the 5 others are misreads Tesseract is sure of ("thị"
    → "th]", "bản" → "bẳn", a comma added to "QPPL", "4" → "4A"), each in a cell the warnings
    ask to check (src/ingest/lexicon.py, `unseen_mark`).
    """
    path = tmp_path / "appendix.pdf"
    path.write_bytes(appendix_pages(SCAN / f"{QUICK_SEED}.pdf"))
    raw, doc, per_page = read_scan(path)
    result = agreement(seed_docs[QUICK_SEED], doc, raw, TaskOrigin.APPENDIX)
    print(f"\n{QUICK_SEED} appendix: {result.summary()}, {per_page:.1f} s/page")
    assert doc.source_format == "pdf_scanned" and doc.status == "ok"
    assert result.compared == 5 * 26
    assert result.share >= 0.93  # the issue asks ≥ 90 %
    assert result.unflagged == []  # every disagreement is in a flagged cell
    assert result.extra == []
    assert all(b.page is not None for b in raw.blocks)


def test_the_scanned_page_of_a_mixed_pdf_reads_alone() -> None:
    """samples/scan/<seed>-mixed.pdf: text pages, and page 14 a grayscale JPEG scan."""
    data = (SCAN / f"{QUICK_SEED}-mixed.pdf").read_bytes()
    blocks = ocr_pdf_page(data, 13)
    assert {b.page for b in blocks} == {14}
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    [table] = [b for b in blocks if isinstance(b, Table)]
    assert paragraphs[0] == "PHỤ LỤC"
    header = [c.text.replace("\n", " ") for c in table.rows[0]]
    assert header[:2] == ["STT", "Nội dung thực hiện"]
    assert [row[0].text for row in table.rows[1:4]] == ["I", "1", "2"]


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(SEEDS))
def test_each_seeds_scan_agrees_with_its_text_version(
    stem: str, seed_docs: dict[str, Document]
) -> None:
    """The whole scan of every seed: 69 pages, about 4 minutes on two cores.

    Measured (appendix tasks, 5 fields each): 000 251/270, 001 208/215, 003 125/130 equal,
    every disagreement in a flagged cell (low confidence or an unlikely word).
    Seed 000's scan holds its appendix only (samples/scan is kept small), so its prose tasks
    are not compared; the others' prose tasks are printed, not asserted: paragraphs carry no
    low-confidence flags, and a misread section label moves every task under it.
    """
    raw, doc, per_page = read_scan(SCAN / f"{stem}.pdf")
    assert doc.status == "ok", doc.error
    appendix = agreement(seed_docs[stem], doc, raw, TaskOrigin.APPENDIX)
    print(f"\n{stem}: {raw.page_count} pages, {per_page:.1f} s/page")
    print(f"  appendix tasks: {appendix.summary()}")
    for line in appendix.flagged:
        print(f"    flagged: {line[:160]}")
    for line in appendix.unflagged:
        print(f"    unflagged: {line[:160]}")
    if raw.page_count == len(pdfium.PdfDocument(SAMPLES / "pdf" / f"{stem}.pdf")):
        prose = agreement(seed_docs[stem], doc, raw, TaskOrigin.PROSE)
        print(f"  prose tasks: {prose.summary()}")
    assert appendix.share >= 0.90  # the bar
    assert appendix.unflagged == []  # … and every disagreement is a cell the warnings name
    assert len(appendix.extra) <= 1
