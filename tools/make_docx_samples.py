"""Build samples/docx/<seed>.docx from each seed text (samples/*.txt) with python-docx.

Each DOCX is the document a clerk would have typed in Word, not a picture of the text file:

- paragraphs keep their bold/italic runs and line breaks; '#' headings get Heading styles;
- section labels of bold or heading paragraphs ("I.", "1.", "1.1.", "a)") become Word automatic
  numbering (numbering.xml) wherever Word's counters print the same label; where the seed's
  numbering does not follow on (skips, OCR'd labels) the label stays typed text;
- each appendix task table is ONE Word table: its page pieces stitched, the header row written
  once and marked to repeat on every page (w:tblHeader), a row cut by a page break joined back
  into one row, a numbered row whose task cell is empty (vertically merged in the original)
  merged with the row above (vMerge), a section row's title cell spanning the empty columns
  (gridSpan), `<br>` line breaks as separate paragraphs of the cell;
- in seed 003 the STT column is numbered automatically too (roman section rows, task numbers
  restarting in each section through a new list instance with a start override).

Output is byte-stable: ZIP entries are rewritten with a fixed timestamp.

    .venv/bin/python tools/make_docx_samples.py [SEED.txt …]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import regex as re
from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph as DocxParagraph

from vnplan.ingest.text import blocks_from_text, decode
from vnplan.models import Block, Cell, Paragraph, Table
from vnplan.parse.columns import header_roles

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = SAMPLES / "docx"
STT_NUMBERED = {"003_3a026ceb35acf91e"}  # seeds whose STT column is auto-numbered

# Section labels of body paragraphs, by list level: I. / 1. / 1.1. / a)
LABELS = [
    (0, re.compile(r"^(?P<n>[IVX]+)\. (?P<rest>\S.*)$", re.DOTALL)),
    (2, re.compile(r"^(?P<p>\d{1,2})\.(?P<n>\d{1,2})\. (?P<rest>\S.*)$", re.DOTALL)),
    (1, re.compile(r"^(?P<n>\d{1,2})\. (?P<rest>\S.*)$", re.DOTALL)),
    (3, re.compile(r"^(?P<n>[a-z])\) (?P<rest>\S.*)$", re.DOTALL)),
]
TASK_NUMBER = re.compile(r"^\d{1,3}$")
ROMAN_ROW = re.compile(r"^[IVX]+\.?(?:\s+\S.*)?$", re.DOTALL)


def roman(value: int) -> str:
    out = ""
    for number, symbol in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, number)
        out += symbol * count
    return out


# --------------------------------------------------------------------------- numbering.xml


class Lists:
    """Adds list definitions to numbering.xml and hands out list instances (numIds)."""

    def __init__(self, document: DocxDocument) -> None:
        self.root = document.part.numbering_part.element
        used = [int(n.get(qn("w:numId"))) for n in self.root.iterchildren(qn("w:num"))]
        self.next_num = max(used, default=0) + 1
        used = [
            int(a.get(qn("w:abstractNumId"))) for a in self.root.iterchildren(qn("w:abstractNum"))
        ]
        self.next_abstract = max(used, default=0) + 1

    def define(self, levels: list[tuple[str, str]]) -> int:
        """An abstract list: (numFmt, lvlText) per level, each starting at 1."""
        abstract = OxmlElement("w:abstractNum")
        abstract_id = self.next_abstract
        self.next_abstract += 1
        abstract.set(qn("w:abstractNumId"), str(abstract_id))
        multi = OxmlElement("w:multiLevelType")
        multi.set(qn("w:val"), "multilevel")
        abstract.append(multi)
        for ilvl, (fmt, text) in enumerate(levels):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(ilvl))
            for tag, value in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text)):
                child = OxmlElement(tag)
                child.set(qn("w:val"), value)
                lvl.append(child)
            abstract.append(lvl)
        # Schema order: every w:abstractNum before the first w:num.
        first_num = self.root.find(qn("w:num"))
        if first_num is None:
            self.root.append(abstract)
        else:
            first_num.addprevious(abstract)
        return abstract_id

    def instance(self, abstract_id: int, restart: bool = False) -> int:
        """A list instance (w:num); `restart` makes it count from 1 again (startOverride)."""
        num = OxmlElement("w:num")
        num_id = self.next_num
        self.next_num += 1
        num.set(qn("w:numId"), str(num_id))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), str(abstract_id))
        num.append(ref)
        if restart:
            override = OxmlElement("w:lvlOverride")
            override.set(qn("w:ilvl"), "0")
            start = OxmlElement("w:startOverride")
            start.set(qn("w:val"), "1")
            override.append(start)
            num.append(override)
        self.root.append(num)
        return num_id


def set_numbering(paragraph: DocxParagraph, num_id: int, ilvl: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


@dataclass
class SectionCounter:
    """Word's counters for the body list: a label is auto-numbered only if Word prints it so."""

    num_id: int
    counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def would_print(self, level: int) -> list[int]:
        counts = list(self.counts)
        counts[level] += 1
        for deeper in range(level + 1, len(counts)):
            counts[deeper] = 0
        return counts

    def label(self, counts: list[int], level: int) -> str:
        if level == 0:
            return f"{roman(counts[0])}."
        if level == 1:
            return f"{counts[1]}."
        if level == 2:  # "1.1." needs a "1." before it: never rely on Word's unused levels
            return f"{counts[1]}.{counts[2]}." if counts[1] else ""
        return f"{chr(ord('a') + counts[3] - 1)})"

    def take(self, text: str) -> tuple[int, str] | None:
        """(level, text without its label) when Word's next number at that level is the label."""
        for level, pattern in LABELS:
            match = pattern.match(text)
            if match is None:
                continue
            counts = self.would_print(level)
            printed = text[: len(text) - len(match.group("rest"))].strip()
            if counts[level] >= 1 and self.label(counts, level) == printed:
                self.counts = counts
                return level, match.group("rest")
            return None
        return None


# --------------------------------------------------------------------------- paragraphs


def add_text(
    paragraph: DocxParagraph, text: str, bold: bool, italic: bool = False, explicit: bool = False
) -> None:
    """Runs with line breaks; `explicit` says "not bold" too (heading styles are bold)."""
    for index, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold if explicit else bold or None
        run.italic = italic if explicit else italic or None
        if index < text.count("\n"):
            run.add_break()


def write_paragraph(document: DocxDocument, block: Paragraph, sections: SectionCounter) -> None:
    if block.heading_level:
        paragraph = document.add_paragraph(style=f"Heading {min(block.heading_level, 9)}")
    else:
        paragraph = document.add_paragraph()
    text = block.text
    if block.bold or block.heading_level:
        numbered = sections.take(text)
        if numbered is not None:
            level, text = numbered
            set_numbering(paragraph, sections.num_id, level)
    add_text(paragraph, text, block.bold, block.italic, explicit=bool(block.heading_level))


# --------------------------------------------------------------------------- tables


@dataclass
class Row:
    cells: list[Cell]
    merge_up: set[int] = field(default_factory=set)  # columns merged with the row above


@dataclass
class LogicalTable:
    header: list[Cell]
    roles: dict[str, int]
    rows: list[Row] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max(len(self.header), *(len(r.cells) for r in self.rows))

    def number(self, row: Row) -> str:
        index = self.roles.get("number", 0)
        return row.cells[index].text.strip() if index < len(row.cells) else ""

    def text(self, row: Row, role: str) -> str:
        index = self.roles.get(role)
        return row.cells[index].text if index is not None and index < len(row.cells) else ""

    def is_section(self, row: Row) -> bool:
        others = [
            c.text
            for i, c in enumerate(row.cells)
            if i not in (self.roles.get("number"), self.roles.get("content"))
        ]
        if any(t.strip() for t in others):
            return False
        number, content = self.number(row), self.text(row, "content").strip()
        return bool(number and not TASK_NUMBER.match(number)) or bool(
            not number and ROMAN_ROW.match(content)
        )

    def add_piece(self, table: Table, continues: bool) -> None:
        cut = continues  # only a piece's first data row can finish the row a page break cut
        for index, cells in enumerate(table.rows):
            roles = header_roles(cells)
            if (index == 0 and roles is not None) or (self.roles and roles == self.roles):
                continue  # the header Word repeats on every page by itself (w:tblHeader)
            if not any(c.text.strip() for c in cells):
                continue
            row = Row(list(cells))
            if cut and self.rows and not self.number(row) and not self.is_section(row):
                self._join(self.rows[-1], row)  # the row the page break cut, made whole again
                cut = False
                continue
            cut = False
            self._merge_empty_task_cell(row)
            self.rows.append(row)

    def _join(self, above: Row, below: Row) -> None:
        for index, cell in enumerate(below.cells):
            if index >= len(above.cells):
                above.cells.append(cell)
            elif cell.text:
                text = above.cells[index].text
                joined = f"{text} {cell.text}" if text else cell.text
                above.cells[index] = Cell(text=joined, bold=above.cells[index].bold)

    def _merge_empty_task_cell(self, row: Row) -> None:
        """A numbered row with an empty task cell: in Word, that cell is merged with the above."""
        if not self.rows or not TASK_NUMBER.match(self.number(row)):
            return
        if self.text(row, "content").strip() or not TASK_NUMBER.match(self.number(self.rows[-1])):
            return
        for role in ("content", "product", "leader"):
            index = self.roles.get(role)
            if index is not None and not row.cells[index].text and self.rows[-1].cells[index].text:
                row.merge_up.add(index)


def logical_blocks(blocks: list[Block]) -> list[Paragraph | LogicalTable]:
    """Paragraphs, and table pieces stitched into logical tables (page numbers between dropped)."""
    out: list[Paragraph | LogicalTable] = []
    current: LogicalTable | None = None
    for block in blocks:
        if isinstance(block, Paragraph):
            if current is not None and block.text.strip().isdigit():
                continue
            current = None
            out.append(block)
            continue
        roles = header_roles(block.rows[0]) if block.rows else None
        if current is not None and (roles is None or roles == current.roles):
            current.add_piece(block, continues=True)
        elif roles is not None:
            current = LogicalTable(header=list(block.rows[0]), roles=roles)
            current.add_piece(block, continues=False)
            out.append(current)
        else:  # a table that is no task table: written as it is
            plain = LogicalTable(header=list(block.rows[0]), roles={})
            plain.rows = [Row(list(r)) for r in block.rows[1:]]
            out.append(plain)
    return out


def fill_cell(cell: _Cell, source: Cell, number: tuple[int, int] | None = None) -> None:
    """`<br>` line breaks become paragraphs of the cell, as Word users type them."""
    target = cell.paragraphs[0]
    for index, line in enumerate(source.text.split("\n")):
        paragraph = target if index == 0 else cell.add_paragraph()
        if line:
            add_text(paragraph, line, source.bold)
    if number is not None:
        set_numbering(target, *number)


@dataclass
class SttNumbering:
    """Seed 003's STT column as Word numbers it: roman section rows, task numbers per section."""

    lists: Lists
    sections_list: int = 0
    tasks_abstract: int = 0
    task_num: int = 0
    sections_seen: int = 0
    tasks_seen: int = 0

    def __post_init__(self) -> None:
        self.sections_list = self.lists.instance(self.lists.define([("upperRoman", "%1")]))
        self.tasks_abstract = self.lists.define([("decimal", "%1")])

    def take(self, number: str) -> tuple[int, int] | None:
        if number == roman(self.sections_seen + 1):
            self.sections_seen += 1
            return self.sections_list, 0
        if TASK_NUMBER.match(number):
            if int(number) == 1:
                self.task_num = self.lists.instance(self.tasks_abstract, restart=True)
                self.tasks_seen = 0
            if self.task_num and int(number) == self.tasks_seen + 1:
                self.tasks_seen += 1
                return self.task_num, 0
        return None


def new_row(table: DocxTable) -> _Row:
    row: _Row = table.add_row()  # type: ignore[no-untyped-call]  # untyped in python-docx
    return row


def is_column_numbers(cells: list[Cell]) -> bool:
    values = [c.text.strip() for c in cells if c.text.strip()]
    return len(values) >= 3 and values == [str(i) for i in range(1, len(values) + 1)]


def write_table(document: DocxDocument, table: LogicalTable, stt: SttNumbering | None) -> None:
    width = table.width
    word: DocxTable = document.add_table(rows=0, cols=width)
    word.style = "Table Grid"
    header = new_row(word)
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, source in zip(header.cells, table.header, strict=False):
        fill_cell(cell, Cell(text=source.text, bold=True))
    rows = table.rows
    if rows and is_column_numbers(rows[0].cells):  # "1 2 3 … 7" repeats with the header too
        numbers = new_row(word)
        numbers._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, source in zip(numbers.cells, rows[0].cells, strict=False):
            fill_cell(cell, source)
        rows = rows[1:]
    number_col = table.roles.get("number", 0)
    previous = None
    for row in rows:
        cells = row.cells + [Cell(text="")] * (width - len(row.cells))
        word_row = new_row(word)
        targets = list(word_row.cells)
        for index, (cell, source) in enumerate(zip(targets, cells, strict=True)):
            if index in row.merge_up:
                continue
            number = None
            if stt is not None and index == number_col and source.text:
                number = stt.take(source.text)
                if number is not None:
                    source = Cell(text="", bold=source.bold)
            fill_cell(cell, source, number)
        if previous is not None:
            for index in row.merge_up:
                previous[index].merge(targets[index])  # vMerge restart / continue
        filled = [i for i, c in enumerate(cells) if c.text.strip()]
        if table.roles and table.is_section(row) and filled and filled[-1] < width - 1:
            targets[filled[-1]].merge(targets[width - 1])  # the title spans the empty columns
        previous = targets


# --------------------------------------------------------------------------- documents


def stable_zip(data: bytes) -> bytes:
    """The same DOCX with fixed entry timestamps, so a rebuild is byte-identical."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def build(seed: Path) -> bytes:
    blocks = blocks_from_text(decode(str(seed), seed.read_bytes()))
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(13)
    properties = document.core_properties
    properties.title, properties.author = seed.stem, "vnplan tools/make_docx_samples.py"
    properties.created = properties.modified = dt.datetime(2024, 1, 1)
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's preview picture: no images
            del package.rels[rel_id]
    lists = Lists(document)
    body_list = lists.instance(
        lists.define(
            [
                ("upperRoman", "%1."),
                ("decimal", "%2."),
                ("decimal", "%2.%3."),
                ("lowerLetter", "%4)"),
            ]
        )
    )
    sections = SectionCounter(body_list)
    stt = SttNumbering(lists) if seed.stem in STT_NUMBERED else None
    for item in logical_blocks(blocks):
        if isinstance(item, Paragraph):
            write_paragraph(document, item, sections)
        else:
            write_table(document, item, stt if item.roles else None)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue())


def main(argv: list[str]) -> int:
    seeds = [Path(a) for a in argv] or sorted(SAMPLES.glob("*.txt"))
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        target = OUT / f"{seed.stem}.docx"
        target.write_bytes(build(seed))
        print(f"{seed} → {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
