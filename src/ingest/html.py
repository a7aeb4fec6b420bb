"""Extractor for HTML pages: legal portals (thuvienphapluat, vbpl) and Word's "Save as Web Page".

Paragraphs come from block elements (p, div, li, h1–h6 with their level), bold and italic from
b/strong, i/em or an inline style. Tables are rebuilt on a grid: a cell spanning rows gives its
text to every row it spans (so a vertically merged "Cơ quan chủ trì" belongs to each task), a
cell spanning columns keeps its text in its first column and leaves the others empty (so a
section row stays a section row); the spanning cell records row_span/col_span. `<br>` is a line
break; scripts, styles, comments and the <head> are ignored. Tables flattened to one cell per
paragraph are rebuilt into rows (`flattened.py`), and text typed in TCVN3/VNI fonts is converted
(`legacy.py`). All text leaves as NFC.

The standard library's html.parser is enough: it tokenizes tag soup without failing, and the
few tree rules real pages need (an open <p>, <td> or <tr> closed by the next one, void elements)
are below; lxml or BeautifulSoup would add a dependency for no gain on these pages.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

import regex as re

from vnplan.ingest import flattened, legacy
from vnplan.ingest.errors import IngestError
from vnplan.models import Block, Cell, Paragraph, RawDocument, SourceFormat, Table


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VOID = _words("area base br col embed hr img input link meta param source track wbr")
# Never text of the document: page machinery, form controls, embedded objects.
SKIP = _words(
    "head title script style noscript template object iframe svg math button select textarea "
    "option xml nav footer"  # a portal's menus, breadcrumbs and site footer are no document
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


# Page machinery by its ARIA role: menus, tab strips, the site's banner and footer.
MACHINERY_ROLES = _words("navigation banner contentinfo menu menubar toolbar tablist search")


def _hidden(node: _Node) -> bool:
    """An element the browser does not show (hidden, aria-hidden, display:none), or page
    machinery by its role."""
    attrs = node.attrs
    return (
        "hidden" in attrs
        or attrs.get("role", "").lower() in MACHINERY_ROLES
        or attrs.get("aria-hidden", "").lower() == "true"
        or bool(_HIDDEN_STYLE.search(attrs.get("style", "")))
    )


BLOCKS = _words(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section "
    "summary ul"
)
HEADINGS = {f"h{n}": n for n in range(1, 7)}
# A new block closes an open <p> (HTML's "p in button scope" rule), but never across a cell.
CLOSES_P = BLOCKS - {"body", "html", "caption", "dialog"} | {"table"}
TABLE_PARTS = _words("table thead tbody tfoot tr td th caption colgroup col")
_WS = re.compile(r"[ \t\r\n\f]+")  # HTML whitespace; NBSP is not, it marks flattened empty cells
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)", re.I)
_NORMAL_WEIGHT = re.compile(r"font-weight\s*:\s*(normal|lighter|[1-4]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*(italic|oblique)", re.I)
MAX_SPAN = 1000  # HTML's own limit on colspan; a larger value is a broken page


# --------------------------------------------------------------------------- tree


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """Tag soup → a tree, closing the elements HTML closes implicitly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {})
        self.stack: list[_Node] = [self.root]

    def _close(self, tags: set[str] | frozenset[str], boundaries: set[str]) -> None:
        """Pop up to and including the nearest open element in `tags`, not crossing a boundary."""
        for index in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[index].tag
            if tag in tags:
                del self.stack[index:]
                return
            if tag in boundaries:
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in CLOSES_P:
            self._close({"p"}, {"td", "th", "table", "caption", "button"})
        if tag == "li":
            self._close({"li"}, {"ul", "ol", "td", "th", "table"})
        if tag in ("dd", "dt"):
            self._close({"dd", "dt"}, {"dl", "td", "th", "table"})
        if tag in HEADINGS:
            self._close(set(HEADINGS), {"td", "th", "table", "div"})
        if tag in ("td", "th"):
            self._close({"td", "th"}, {"tr", "table"})
        if tag == "tr":
            self._close({"tr"}, {"table", "thead", "tbody", "tfoot"})
        if tag in ("thead", "tbody", "tfoot"):
            self._close({"thead", "tbody", "tfoot"}, {"table"})
        node = _Node(tag, {name.lower(): value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in VOID and self.stack[-1].tag == tag.lower():
            self.stack.pop()  # XHTML "<p/>": opened and closed at once

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in VOID:
            return
        if tag == "table":
            boundaries: set[str] = set()
        elif tag in TABLE_PARTS:
            boundaries = {"table"}
        else:
            boundaries = {"td", "th", "table"}
        self._close({tag}, boundaries)

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """`<![…]>`: CDATA and Word's `<![if …]>` as the standard library reads them; any other
        keyword, on which it raises AssertionError (Python < 3.13), skipped up to its `>`
        like a bogus comment, as browsers do."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end < 0 else end + 1


# --------------------------------------------------------------------------- text flow


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    italic: bool = False
    heading: int | None = None
    pre: bool = False

    def inside(self, node: _Node) -> _Style:
        style = self
        tag = node.tag
        if tag in ("b", "strong", "th"):
            style = replace(style, bold=True)
        if tag in ("i", "em", "cite"):
            style = replace(style, italic=True)
        if tag in HEADINGS:
            style = replace(style, heading=HEADINGS[tag])
        if tag in ("pre", "listing", "plaintext"):
            style = replace(style, pre=True)
        css = node.attrs.get("style", "")
        if css:
            if _BOLD_STYLE.search(css):
                style = replace(style, bold=True)
            elif _NORMAL_WEIGHT.search(css):
                style = replace(style, bold=False)
            if _ITALIC_STYLE.search(css):
                style = replace(style, italic=True)
        return style


@dataclass
class _Para:
    """A paragraph before cleaning: NBSP kept (an empty flattened cell is a lone NBSP)."""

    text: str
    bold: bool = False
    italic: bool = False
    heading: int | None = None


_Raw = _Para | Table


def _tidy(text: str) -> str:
    """Collapse spaces in each line (NBSP included), drop blank lines at both ends, NFC."""
    lines = [" ".join(part.split()) for part in text.split("\n")]
    return unicodedata.normalize("NFC", "\n".join(lines).strip("\n "))


class _Flow:
    """Walks the tree, cutting text into paragraphs at block elements; tables become grids."""

    def __init__(self) -> None:
        self.out: list[_Raw] = []
        self.segments: list[tuple[str, _Style]] = []

    def flush(self, keep_empty: bool = False) -> None:
        """End the current paragraph. An empty leaf block (<p>&nbsp;</p>) is kept when asked."""
        text = "".join(t for t, _ in self.segments)
        lines = [line.strip(" \t\r\n\f") for line in text.split("\n")]
        text = "\n".join(lines).strip("\n")
        inked = [s for t, s in self.segments if t.strip()]
        self.segments = []
        if not text.strip() and not keep_empty:
            return
        self.out.append(
            _Para(
                text=text,
                bold=bool(inked) and all(s.bold for s in inked),
                italic=bool(inked) and all(s.italic for s in inked),
                heading=inked[0].heading if inked else None,
            )
        )

    def walk(self, node: _Node, style: _Style) -> None:
        for child in node.children:
            if isinstance(child, str):
                text = child if style.pre else _WS.sub(" ", child)
                self.segments.append((text, style))
                continue
            tag = child.tag
            if tag in SKIP or _hidden(child):
                continue
            if tag == "br":
                self.segments.append(("\n", style))
            elif tag == "table":
                self.flush()
                self.out.extend(_table(child, style))
            elif tag in BLOCKS or tag in ("td", "th", "tr"):
                self.flush()
                emitted = len(self.out)
                self.walk(child, style.inside(child))
                # A leaf block emits itself even when empty: in a flattened table it is a cell.
                self.flush(keep_empty=len(self.out) == emitted and tag in ("p", "div", "li"))
            else:
                self.walk(child, style.inside(child))


# --------------------------------------------------------------------------- tables


def _table_rows(table: _Node) -> list[_Node]:
    rows: list[_Node] = []
    for child in table.children:
        if isinstance(child, str):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child.children if isinstance(c, _Node) and c.tag == "tr")
    return rows


def _span(value: str | None) -> int:
    digits = re.match(r"\s*(\d+)", value or "")
    return int(digits.group(1)) if digits else 1


def _cell_content(node: _Node, style: _Style) -> tuple[str, bool]:
    """A cell's text (paragraphs and <br> as line breaks, nested tables as lines) and boldness."""
    flow = _Flow()
    flow.walk(node, style.inside(node))
    flow.flush()
    lines: list[str] = []
    bold: list[bool] = []
    for item in flow.out:
        if isinstance(item, Table):
            lines.extend(cell.text for row in item.rows for cell in row if cell.text)
        else:
            lines.append(item.text)
            if item.text.strip():
                bold.append(item.bold)
    return _tidy("\n".join(lines)), bool(bold) and all(bold)


def _table(node: _Node, style: _Style) -> list[_Raw]:
    """A <table> → its caption paragraphs and one `Table` on a rectangular grid."""
    out: list[_Raw] = []
    for child in node.children:
        if isinstance(child, _Node) and child.tag == "caption":
            text, bold = _cell_content(child, style)
            if text:
                out.append(_Para(text=text, bold=bold))
    rows = _table_rows(node)
    grid: dict[tuple[int, int], Cell] = {}
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.children:
            if not isinstance(td, _Node) or td.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text, bold = _cell_content(td, style)
            row_span = _span(td.attrs.get("rowspan"))
            # rowspan="0" runs to the end of the table; no span runs past it.
            row_span = len(rows) - r if row_span == 0 else min(row_span, len(rows) - r)
            col_span = max(1, min(_span(td.attrs.get("colspan")), MAX_SPAN))
            grid[(r, c)] = Cell(text=text, row_span=row_span, col_span=col_span, bold=bold)
            for dr in range(row_span):
                for dc in range(col_span):
                    if dr == dc == 0:
                        continue
                    # A merged cell's text belongs to every row it spans, in its first column.
                    copied = text if dc == 0 else ""
                    grid.setdefault((r + dr, c + dc), Cell(text=copied, bold=bold and dc == 0))
            c += col_span
    if not rows:
        return out
    width = max((c for _, c in grid), default=-1) + 1
    table_rows = [[grid.get((r, c), Cell(text="")) for c in range(width)] for r in range(len(rows))]
    table_rows = [row for row in table_rows if row]
    if table_rows:
        out.append(Table(rows=table_rows))
    return out


# --------------------------------------------------------------------------- decoding


def decode(path: str, data: bytes) -> tuple[str, list[str]]:
    """Bytes → text: BOM, then the declared charset, then UTF-8, then Vietnamese legacy guesses."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), []
    if b"\x00" in data:
        raise IngestError(path, "binary content (NUL bytes): not an HTML page")
    warnings: list[str] = []
    declared = _META_CHARSET.search(data[:8192])
    name = declared.group(1).decode("ascii").lower() if declared else None
    if name and legacy.codec_exists(name):
        codec = codecs.lookup(name).name
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # browsers read these labels as Windows-1252, and so do pages
        try:
            return data.decode(codec), warnings
        except UnicodeDecodeError:
            warnings.append(f"declared charset {name!r} does not fit the bytes")
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError:
        pass
    guessed = legacy.decode_bytes(data)
    if guessed is not None:
        text, encoding = guessed
        warnings.append(f"not UTF-8: decoded as {encoding} (legacy Vietnamese encoding)")
        return text, warnings
    warnings.append("not UTF-8 and no charset declared: read as Windows-1252")
    return data.decode("cp1252", errors="replace"), warnings


def _repair(blocks: list[_Raw]) -> tuple[list[_Raw], legacy.Legacy | None]:
    """Convert the whole page when its text is TCVN3/VNI read as Latin-1 (".Vn"/"VNI-" fonts)."""
    texts = [b.text for b in blocks if isinstance(b, _Para)]
    texts += [c.text for b in blocks if isinstance(b, Table) for row in b.rows for c in row]
    verdict = legacy.detect("\n".join(texts))
    encoding = verdict.encoding
    if encoding is None:
        return blocks, None

    def convert(text: str) -> str:
        return legacy.to_unicode(text, encoding)

    repaired: list[_Raw] = []
    for block in blocks:
        if isinstance(block, _Para):
            repaired.append(replace(block, text=convert(block.text)))
        else:
            rows = [
                [c.model_copy(update={"text": convert(c.text)}) for c in row] for row in block.rows
            ]
            repaired.append(block.model_copy(update={"rows": rows}))
    return repaired, encoding


def _finish(raw: list[_Raw]) -> list[Block]:
    """Rebuild flattened tables from runs of paragraphs, then clean every paragraph."""
    blocks: list[Block] = []
    run: list[_Para] = []

    def flush_run() -> None:
        items = [flattened.Item(text=p.text, bold=p.bold) for p in run]
        found = {start: (end, table) for start, end, table in flattened.find_tables(items)}
        index = 0
        while index < len(run):
            if index in found:
                end, table = found[index]
                blocks.append(table)
                index = end
                continue
            para = run[index]
            text = _tidy(para.text)
            if text:
                blocks.append(
                    Paragraph(
                        text=text, heading_level=para.heading, bold=para.bold, italic=para.italic
                    )
                )
            index += 1
        run.clear()

    for item in raw:
        if isinstance(item, _Para):
            run.append(item)
        else:
            flush_run()
            blocks.append(item)
    flush_run()
    return blocks


def extract(path: str, data: bytes, doc_id: str) -> RawDocument:
    text, warnings = decode(path, data)
    builder = _TreeBuilder()
    builder.feed(unicodedata.normalize("NFC", text))
    builder.close()
    flow = _Flow()
    flow.walk(builder.root, _Style())
    flow.flush()
    raw, encoding = _repair(flow.out)
    if encoding is not None:
        warnings.append(f"text typed in {encoding} fonts: converted to Unicode")
    return RawDocument(
        doc_id=doc_id,
        source_path=path,
        source_format=SourceFormat.HTML,
        blocks=_finish(raw),
        warnings=warnings,
    )
