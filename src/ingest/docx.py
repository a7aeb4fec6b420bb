"""Extractor for Word documents (.docx), read with python-docx.

The body is walked element by element (w:p, w:tbl, content controls) so paragraphs and tables
come out in reading order. What python-docx's own API loses is rebuilt from the XML:

- merged cells: each row's w:tc elements are walked once (`Table.cell()` is quadratic and
  `row.cells` repeats spanned cells); a cell spanning N grid columns (gridSpan) is followed by
  N-1 empty cells so a column index means the same column in every row, and a vertically
  merged cell (vMerge) gives its text to every row it spans — a merged task cell belongs to
  each of those tasks;
- header rows marked "repeat on every page" (w:tblHeader) that span several rows are folded
  into one header row, since the parser reads a table's header from its first row;
- Word's automatic list numbering ("I.", "1.", "1.1.", "a)"), which `paragraph.text` drops
  but section parsing depends on, restored from numbering.xml;
- nested tables flattened into their cell's text; text boxes (w:txbxContent) kept.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docx
import regex as re
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import XmlPart
from docx.oxml.ns import qn

from vnplan.ingest.errors import IngestError
from vnplan.models import Block, Cell, Paragraph, RawDocument, SourceFormat, Table

# lxml ships no type information; elements are typed loosely on purpose.
Element = Any

W_P, W_TBL, W_TR, W_TC, W_R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:r")
W_VAL = qn("w:val")
TXBX = qn("w:txbxContent")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Elements that only wrap runs (links, tracked insertions, content controls, fields).
RUN_WRAPPERS = {
    qn(t)
    for t in (
        *("w:hyperlink", "w:ins", "w:moveTo", "w:smartTag", "w:customXml"),
        *("w:sdt", "w:sdtContent", "w:fldSimple", "w:dir", "w:bdo"),
    )
}
# Elements that wrap body-level blocks (content controls, custom XML).
BLOCK_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}
HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCTYPE_WINDOW = 4096  # a DOCTYPE comes before the root element: the head of a part shows it


def _on(element: Element | None) -> bool | None:
    """A toggle property (w:b, w:tblHeader …): None when absent, else its w:val."""
    if element is None:
        return None
    return element.get(W_VAL) not in ("0", "false", "off")


def _int(element: Element | None, default: int) -> int:
    value = None if element is None else element.get(W_VAL)
    return int(value) if value is not None and value.lstrip("-").isdigit() else default


def _clean(text: str) -> str:
    """Whitespace collapsed line by line, surrounding blank lines dropped, NFC."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return unicodedata.normalize("NFC", "\n".join(lines).strip("\n "))


# --------------------------------------------------------------------------- styles


@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    num_id: str | None
    ilvl: int | None
    outline: int | None


class _Styles:
    def __init__(self, root: Element) -> None:
        self.by_id: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        for s in root.iterchildren(qn("w:style")):
            style_id = s.get(qn("w:styleId"))
            if style_id is None:
                continue
            r_pr, p_pr = s.find(qn("w:rPr")), s.find(qn("w:pPr"))
            num_pr = None if p_pr is None else p_pr.find(qn("w:numPr"))
            name, based = s.find(qn("w:name")), s.find(qn("w:basedOn"))
            self.by_id[style_id] = _Style(
                name="" if name is None else name.get(W_VAL, ""),
                based_on=None if based is None else based.get(W_VAL),
                bold=None if r_pr is None else _on(r_pr.find(qn("w:b"))),
                italic=None if r_pr is None else _on(r_pr.find(qn("w:i"))),
                num_id=None if num_pr is None else _val(num_pr, "w:numId"),
                ilvl=None if num_pr is None else _opt_int(num_pr.find(qn("w:ilvl"))),
                outline=None if p_pr is None else _opt_int(p_pr.find(qn("w:outlineLvl"))),
            )
            if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true"):
                self.default_paragraph = style_id  # "Normal": paragraphs that name no style

    def chain(self, style_id: str | None) -> Iterator[tuple[str, _Style]]:
        """The style and the styles it is based on, nearest first (cycles cut)."""
        seen: set[str] = set()
        while style_id is not None and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style_id, style
            style_id = style.based_on

    def first(self, style_id: str | None, attribute: str) -> Any:
        for _, style in self.chain(style_id):
            value = getattr(style, attribute)
            if value is not None:
                return value
        return None

    def heading_level(self, style_id: str | None) -> int | None:
        for _, style in self.chain(style_id):
            match = HEADING_STYLE.match(style.name)
            if match:
                return int(match.group(1))
            if style.name.lower() == "title":
                return 1
            if style.outline is not None and style.outline < 9:
                return style.outline + 1
        return None


def _val(parent: Element, tag: str) -> str | None:
    child = parent.find(qn(tag))
    return None if child is None else child.get(W_VAL)


def _opt_int(element: Element | None) -> int | None:
    return None if element is None else _int(element, 0)


# --------------------------------------------------------------------------- numbering


@dataclass
class _Level:
    start: int
    fmt: str
    text: str
    restart: int | None  # w:lvlRestart: 0 never restarts, n restarts after level n (1-based)
    legal: bool  # w:isLgl: every number shown in decimal
    suffix: str
    style: str | None


@dataclass
class _Numbering:
    """numbering.xml: list definitions, and a counter per list definition (abstractNum) and level.

    The running count belongs to the abstractNum, not to the numId (ECMA-376 §17.9): numIds
    sharing one abstractNum continue one sequence, and a numId carrying a startOverride
    restarts it where that numId is first used. LibreOffice writes a list in table cells that
    way, one numId per cell, so counting per numId would number every cell "1".
    """

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId → levels
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # → (abs, starts)
    style_links: dict[str, str] = field(default_factory=dict)  # numStyleLink → style id
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId → …
    entered: set[tuple[str, int]] = field(default_factory=set)  # (numId, level) used so far

    @classmethod
    def read(cls, root: Element | None) -> _Numbering:
        numbering = cls()
        if root is None:
            return numbering
        for abstract in root.iterchildren(qn("w:abstractNum")):
            abstract_id = abstract.get(qn("w:abstractNumId"))
            link = _val(abstract, "w:numStyleLink")
            if link is not None:
                numbering.style_links[abstract_id] = link
            levels = numbering.levels.setdefault(abstract_id, {})
            for lvl in abstract.iterchildren(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = _Level(
                    start=_int(lvl.find(qn("w:start")), 1),
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    restart=_opt_int(lvl.find(qn("w:lvlRestart"))),
                    legal=bool(_on(lvl.find(qn("w:isLgl")))),
                    suffix=_val(lvl, "w:suff") or "tab",
                    style=_val(lvl, "w:pStyle"),
                )
        for num in root.iterchildren(qn("w:num")):
            starts = {
                int(o.get(qn("w:ilvl"), "0")): _int(o.find(qn("w:startOverride")), 1)
                for o in num.iterchildren(qn("w:lvlOverride"))
                if o.find(qn("w:startOverride")) is not None
            }
            numbering.nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId") or "", starts)
        return numbering

    def _abstract(self, num_id: str, styles: _Styles, depth: int = 0) -> str | None:
        entry = self.nums.get(num_id)
        if entry is None:
            return None
        abstract_id = entry[0]
        linked = self.style_links.get(abstract_id)
        if linked is not None and depth < 3:  # the list is defined by a numbering style
            style_num = styles.first(linked, "num_id")
            if style_num is not None:
                return self._abstract(style_num, styles, depth + 1)
        return abstract_id

    def label(self, num_id: str, ilvl: int | None, style_id: str | None, styles: _Styles) -> str:
        """The number Word shows for the next paragraph of this list at this level."""
        abstract_id = self._abstract(num_id, styles)
        if abstract_id is None:
            return ""
        levels = self.levels.get(abstract_id, {})
        if ilvl is None:  # a style-numbered paragraph: the level that names the style
            ilvl = next((i for i, lv in levels.items() if lv.style == style_id), 0)
        level = levels.get(ilvl)
        if level is None:
            return ""
        starts = self.nums[num_id][1]
        counters = self.counters.setdefault(abstract_id, {})
        current = counters.get(ilvl)
        if ilvl in starts and (num_id, ilvl) not in self.entered:
            counters[ilvl] = starts[ilvl]  # this instance restarts the shared sequence
        else:
            counters[ilvl] = level.start if current is None else current + 1
        self.entered.add((num_id, ilvl))
        for deeper in [k for k in counters if k > ilvl]:
            rule = levels[deeper].restart if deeper in levels else None
            if rule is None or (rule != 0 and ilvl < rule):
                del counters[deeper]
        if level.fmt == "bullet":
            # Symbol-font bullets live in the private use area: show them as a bullet.
            text = "".join("•" if "\ue000" <= ch <= "\uf8ff" else ch for ch in level.text)
        else:

            def number(match: re.Match[str]) -> str:
                k = int(match.group(1)) - 1
                lv = levels.get(k)
                value = counters.get(k, starts.get(k, lv.start if lv else 1))
                fmt = "decimal" if level.legal or lv is None else lv.fmt
                return _format(value, fmt)

            text = re.sub(r"%([1-9])", number, level.text)
        text = text.strip()
        return f"{text} " if text and level.suffix != "nothing" else text


def _format(value: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        # Word repeats the letter past z: a … z, aa … zz.
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else ""
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "none":
        return ""
    return str(value)  # decimal and every format we do not render specially


def _roman(value: int) -> str:
    out = []
    for number, symbol in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        count, value = divmod(value, number)
        out.append(symbol * count)
    return "".join(out)


# --------------------------------------------------------------------------- the body


@dataclass
class _Para:
    text: str
    bold: bool
    italic: bool
    heading_level: int | None
    boxes: list[Element]  # text boxes anchored in this paragraph


class _Reader:
    def __init__(self, styles: _Styles, numbering: _Numbering) -> None:
        self.styles = styles
        self.numbering = numbering
        self.warnings: list[str] = []
        self.tables = 0

    # ----- blocks

    def blocks(self, container: Element) -> Iterator[Block]:
        for child in container.iterchildren():
            if child.tag == W_P:
                para = self.paragraph(child)
                if para.text:
                    yield Paragraph(
                        text=para.text,
                        heading_level=para.heading_level,
                        bold=para.bold,
                        italic=para.italic,
                    )
                for box in para.boxes:
                    yield from self.blocks(box)
            elif child.tag == W_TBL:
                rows = self.table(child)
                if rows:
                    yield Table(rows=rows)
            elif child.tag in BLOCK_WRAPPERS:
                yield from self.blocks(child)

    # ----- paragraphs

    def paragraph(self, p: Element) -> _Para:
        p_pr = p.find(qn("w:pPr"))
        style_id = None if p_pr is None else _val(p_pr, "w:pStyle")
        style_id = style_id or self.styles.default_paragraph
        pieces: list[tuple[str, bool, bool]] = []
        for r in self._runs(p):
            text = _run_text(r)
            if text:
                r_pr = r.find(qn("w:rPr"))
                pieces.append(
                    (text, self._toggle(r_pr, "b", style_id), self._toggle(r_pr, "i", style_id))
                )
        label = self._label(p_pr, style_id)
        text = _clean(label + "".join(t for t, _, _ in pieces))
        visible = [(b, i) for t, b, i in pieces if t.strip()]
        outline = None if p_pr is None else _opt_int(p_pr.find(qn("w:outlineLvl")))
        level = self.styles.heading_level(style_id)
        if level is None and outline is not None and outline < 9:
            level = outline + 1
        boxes = [
            box
            for box in p.iter(TXBX)
            # A text box is written twice (DrawingML and a VML fallback): read it once; a box
            # inside a box is read with its outer box.
            if not any(a.tag in (MC_FALLBACK, TXBX) for a in _ancestors(box, p))
        ]
        return _Para(
            text=text,
            bold=bool(visible) and all(b for b, _ in visible),
            italic=bool(visible) and all(i for _, i in visible),
            heading_level=level,
            boxes=boxes,
        )

    def _runs(self, parent: Element) -> Iterator[Element]:
        for child in parent.iterchildren():
            if child.tag == W_R:
                yield child
            elif child.tag in RUN_WRAPPERS:
                yield from self._runs(child)

    def _toggle(self, r_pr: Element | None, tag: str, style_id: str | None) -> bool:
        if r_pr is not None:
            own = _on(r_pr.find(qn(f"w:{tag}")))
            if own is not None:
                return own
            char_style = _val(r_pr, "w:rStyle")
            from_char = self.styles.first(char_style, "bold" if tag == "b" else "italic")
            if from_char is not None:
                return bool(from_char)
        return bool(self.styles.first(style_id, "bold" if tag == "b" else "italic"))

    def _label(self, p_pr: Element | None, style_id: str | None) -> str:
        num_pr = None if p_pr is None else p_pr.find(qn("w:numPr"))
        num_id = None if num_pr is None else _val(num_pr, "w:numId")
        ilvl = None if num_pr is None else _opt_int(num_pr.find(qn("w:ilvl")))
        if num_id is None:  # numbered through its style ("Heading 1" linked to a list)
            num_id = self.styles.first(style_id, "num_id")
            if ilvl is None:
                ilvl = self.styles.first(style_id, "ilvl")  # None: the level naming the style
        elif ilvl is None:
            ilvl = 0
        if num_id is None or num_id == "0":  # numId 0 switches inherited numbering off
            return ""
        return self.numbering.label(num_id, ilvl, style_id, self.styles)

    # ----- tables

    def table(self, tbl: Element) -> list[list[Cell]]:
        self.tables += 1
        rows: list[list[Cell]] = []
        header_rows = 0
        merges: dict[int, Cell] = {}  # grid column → the cell that starts a vertical merge
        for row_number, tr in enumerate(tbl.iterchildren(W_TR), start=1):
            tr_pr = tr.find(qn("w:trPr"))
            before = 0 if tr_pr is None else _int(tr_pr.find(qn("w:gridBefore")), 0)
            if (
                tr_pr is not None
                and _on(tr_pr.find(qn("w:tblHeader")))
                and header_rows == len(rows)
            ):
                header_rows += 1
            row = [Cell(text="") for _ in range(before)]
            column = before
            for tc in _cells(tr):
                tc_pr = tc.find(qn("w:tcPr"))
                span = 1 if tc_pr is None else max(1, _int(tc_pr.find(qn("w:gridSpan")), 1))
                v_merge = None if tc_pr is None else tc_pr.find(qn("w:vMerge"))
                if v_merge is not None and v_merge.get(W_VAL) in (None, "continue"):
                    origin = merges.get(column)
                    if origin is None:
                        self.warnings.append(
                            f"table {self.tables} row {row_number}: a merged cell continues "
                            "a merge that never started; read as its own cell"
                        )
                        text, bold = self.cell_text(tc)
                        cell = Cell(text=text, col_span=span, bold=bold)
                    else:
                        origin.row_span += 1
                        cell = Cell(text=origin.text, col_span=span, bold=origin.bold)
                else:
                    text, bold = self.cell_text(tc)
                    cell = Cell(text=text, col_span=span, bold=bold)
                    for c in range(column, column + span):
                        merges.pop(c, None)
                    if v_merge is not None:  # w:val="restart"
                        merges[column] = cell
                row.append(cell)
                row.extend(Cell(text="") for _ in range(span - 1))
                column += span
            rows.append(row)
        if header_rows > 1:
            rows = _fold_header(rows, header_rows)
        return rows

    def cell_text(self, tc: Element) -> tuple[str, bool]:
        """The cell's paragraphs joined with '\n' (as `<br>` in the text seeds), and bold."""
        bolds: list[bool] = []
        text = _clean("\n".join(self._lines(tc, bolds)))
        return text, bool(bolds) and all(bolds)

    def _lines(self, container: Element, bolds: list[bool]) -> list[str]:
        """A line per paragraph, per text box paragraph and per nested table cell."""
        lines: list[str] = []
        for child in _block_children(container):
            if child.tag == W_P:
                para = self.paragraph(child)
                lines.append(para.text)
                if para.text:
                    bolds.append(para.bold)
                for box in para.boxes:
                    lines.extend(self._lines(box, bolds))
            else:  # a nested table: flattened into this cell, one line per cell
                lines.extend(self._flatten_table(child))
        return lines

    def _flatten_table(self, tbl: Element) -> list[str]:
        lines = []
        for tr in tbl.iterchildren(W_TR):
            for tc in _cells(tr):
                tc_pr = tc.find(qn("w:tcPr"))
                v_merge = None if tc_pr is None else tc_pr.find(qn("w:vMerge"))
                if v_merge is not None and v_merge.get(W_VAL) in (None, "continue"):
                    continue  # already read in the row that starts the merge
                text, _ = self.cell_text(tc)
                if text:
                    lines.append(text)
        return lines


def _ancestors(element: Element, stop: Element) -> Iterator[Element]:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return
        yield ancestor


def _block_children(container: Element) -> Iterator[Element]:
    for child in container.iterchildren():
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag in BLOCK_WRAPPERS:
            yield from _block_children(child)


def _cells(tr: Element) -> Iterator[Element]:
    for child in tr.iterchildren():
        if child.tag == W_TC:
            yield child
        elif child.tag in BLOCK_WRAPPERS:  # cells wrapped in a content control
            yield from _cells(child)


def _run_text(r: Element) -> str:
    out: list[str] = []
    for child in r.iterchildren():
        tag = child.tag
        if tag == qn("w:t"):
            # An entity reference left unexpanded (see `_doctypes`) is dropped, its text kept.
            out.append((child.text or "") + "".join(e.tail or "" for e in child))
        elif tag in (qn("w:tab"), qn("w:ptab")):
            out.append("\t")
        elif tag == qn("w:br"):
            # A page or column break ends a line on paper but not a line of text.
            out.append("\n" if child.get(qn("w:type")) in (None, "textWrapping") else " ")
        elif tag == qn("w:cr"):
            out.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            out.append("-")
    return "".join(out)


def _fold_header(rows: list[list[Cell]], count: int) -> list[list[Cell]]:
    """Several repeated header rows → one, each column's names joined top-down.

    A two-level header ("Cơ quan thực hiện" over "Chủ trì" | "Phối hợp") then names every
    column in one row. A column-number row ("1 2 3 …") stays a row of its own.
    """
    header = rows[:count]
    numbers = [c.text for c in header[-1] if c.text]
    keep_last = len(numbers) >= 3 and numbers == [str(i) for i in range(1, len(numbers) + 1)]
    if keep_last:
        header = header[:-1]
    if len(header) < 2:
        return rows
    width = max(len(r) for r in header)
    names: list[list[str]] = [[] for _ in range(width)]
    for row in header:
        column = 0
        while column < len(row):
            cell = row[column]
            for c in range(column, min(width, column + cell.col_span)):
                if cell.text and cell.text not in names[c]:
                    names[c].append(cell.text)
            column += cell.col_span
    folded = [Cell(text=" ".join(n), bold=True) for n in names]
    return [folded, *rows[len(header) :]]


# --------------------------------------------------------------------------- entry point


def _what_it_is(data: bytes) -> str:
    if data.startswith(OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "an encrypted (password-protected) Office file; remove the password first"
        return "an OLE2 compound file (legacy Word .doc?), not a DOCX (ZIP) package"
    head = data[:512].lstrip().lower()
    for magic, name in (
        (b"%pdf", "a PDF"),
        (b"{\\rtf", "an RTF document"),
        (b"<!doctype html", "an HTML page"),
        (b"<html", "an HTML page"),
        (b"<?xml", "an XML file"),
    ):
        if head.startswith(magic):
            return f"{name}, not a DOCX (ZIP) package"
    return "not a DOCX: the file is not a ZIP package (it does not start with 'PK')"


def _open(path: str, data: bytes) -> tuple[Any, list[str]]:
    """The python-docx Document, and warnings about what a crafted package holds."""
    if not data.startswith(b"PK"):
        raise IngestError(path, _what_it_is(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            warnings = _doctypes(archive)
    except (
        zipfile.BadZipFile,
        EOFError,
        ValueError,
        zlib.error,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise IngestError(
            path, f"truncated or damaged ZIP archive, not a readable DOCX ({exc})"
        ) from exc
    if "word/document.xml" not in names:
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        raise IngestError(
            path, f"a ZIP archive without word/document.xml, not a Word document ({shown})"
        )
    try:
        return docx.Document(io.BytesIO(data)), warnings
    except Exception as exc:  # python-docx raises KeyError, ValueError, zlib/XML errors …
        raise IngestError(
            path, f"damaged DOCX, python-docx cannot open it ({type(exc).__name__}: {exc})"
        ) from exc


def _doctypes(archive: zipfile.ZipFile) -> list[str]:
    """XML parts that declare a DOCTYPE (entities: XXE). Word writes none; python-docx's parser
    neither expands entities nor fetches anything, so the part is read without them."""
    found = [
        info.filename
        for info in archive.infolist()
        if info.filename.endswith((".xml", ".rels"))
        and b"<!DOCTYPE" in archive.open(info).read(DOCTYPE_WINDOW)
    ]
    return [
        f"{name} declares a DOCTYPE (XML entities): not expanded, nothing fetched" for name in found
    ]


def _external(document: Any) -> list[str]:
    """Relationships to outside the package (links, linked images, templates): never fetched."""
    targets = sorted(
        f"{rel.reltype.rsplit('/', 1)[-1]} {rel.target_ref}"
        for rel in document.part.rels.values()
        if rel.is_external and not rel.reltype.endswith("/hyperlink")
    )
    if not targets:
        return []
    return [f"external relationships not followed: {'; '.join(targets)}"]


def extract(path: str, data: bytes, doc_id: str) -> RawDocument:
    document, warnings = _open(path, data)
    try:
        numbering_part = document.part.part_related_by(RT.NUMBERING)
    except KeyError:
        numbering_part = None
    numbering_root = numbering_part.element if isinstance(numbering_part, XmlPart) else None
    reader = _Reader(_Styles(document.styles.element), _Numbering.read(numbering_root))
    blocks = list(reader.blocks(document.element.body))
    return RawDocument(
        doc_id=doc_id,
        source_path=path,
        source_format=SourceFormat.DOCX,
        blocks=blocks,
        warnings=warnings + _external(document) + reader.warnings,
    )
