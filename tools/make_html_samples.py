"""Build HTML and legacy-encoding samples from the seed texts (samples/*.txt, never edited).

For each seed:
- samples/html/<seed>.html: the page a legal portal would serve. Paragraphs keep their bold,
  italic, headings and line breaks; each appendix task table is ONE <table>: its page pieces
  stitched, the header row written once, a row cut by a page break joined back into one row,
  a numbered row whose task cell is empty (vertically merged in the original) merged with the
  row above through rowspan, and a section row's title spanning the empty columns (colspan).

For FLAT_SEED also samples/html/<seed>.flat.html: the same page with each task table flattened
the way portals do it, one cell per <p> (header names first, an empty cell as a lone &nbsp;).

For LEGACY_SEED also samples/legacy/<seed>.tcvn3.txt: the seed text in TCVN3 bytes (TCVN
5712:1993, with the VN1 capitals), as a file typed with the ABC ".Vn" fonts is saved.

Output is deterministic, so rerunning the script leaves the files unchanged.

    .venv/bin/python tools/make_html_samples.py [SEED.txt …]
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass, field
from pathlib import Path

import regex as re

from vnplan.ingest import legacy
from vnplan.ingest.text import blocks_from_text, decode
from vnplan.models import Block, Paragraph, Table
from vnplan.parse.columns import header_roles

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
HTML_OUT = SAMPLES / "html"
LEGACY_OUT = SAMPLES / "legacy"
FLAT_SEED = "003_3a026ceb35acf91e"
LEGACY_SEED = "003_3a026ceb35acf91e"

TASK_NUMBER = re.compile(r"^\d{1,3}[.)]?$")
# A row with an empty number cell that is a section row, not the rest of a cut row: the parser
# reads "VII Hiện đại hóa hành chính" in the task cell as section VII (seed 003).
SECTION_IN_TASK_CELL = re.compile(r"^(?:[IVX]+\.?|[a-zđ]\))\s+\S")
MERGEABLE = ("content", "product", "leader")  # the cells a vertically merged task row shares


@dataclass
class _Row:
    cells: list[str]
    bold: list[bool]
    spans: dict[int, int] = field(default_factory=dict)  # column → rowspan
    hidden: set[int] = field(default_factory=set)  # columns covered by the row above's rowspan


@dataclass
class _Logical:
    header: list[str]
    roles: dict[str, int]
    rows: list[_Row] = field(default_factory=list)


def _texts(table: Table, index: int, width: int) -> tuple[list[str], list[bool]]:
    row = table.rows[index]
    texts = [c.text for c in row][:width] + [""] * (width - len(row))
    bold = [c.bold for c in row][:width] + [False] * (width - len(row))
    return texts, bold


def _join(a: str, b: str) -> str:
    return f"{a} {b}".strip() if a and b else a or b


def _add_piece(logical: _Logical, table: Table, start: int, continued: bool) -> None:
    width = len(logical.header)
    first = True
    for index in range(start, len(table.rows)):
        texts, bold = _texts(table, index, width)
        if not any(t.strip() for t in texts):
            continue
        if header_roles(table.rows[index]) == logical.roles:
            continue  # a repeated header row
        number = texts[logical.roles.get("number", 0)].strip()
        content = texts[logical.roles["content"]] if "content" in logical.roles else ""
        if first and continued and not number and logical.rows:
            own = {logical.roles.get("number", 0), logical.roles.get("content", 1)}
            others = [t for i, t in enumerate(texts) if t.strip() and i not in own]
            if others or not SECTION_IN_TASK_CELL.match(content):
                # The rest of the row the page break cut: back into that row, cell by cell.
                above = logical.rows[-1]
                above.cells = [_join(a, b) for a, b in zip(above.cells, texts, strict=True)]
                first = False
                continue
        first = False
        logical.rows.append(_Row(texts, bold))


def _merge_vertically(logical: _Logical) -> None:
    """A numbered row with an empty task cell shares the cells above it: rowspan, as printed."""
    for above, row in zip(logical.rows, logical.rows[1:], strict=False):
        number = row.cells[logical.roles.get("number", 0)].strip()
        content_at = logical.roles.get("content")
        if not TASK_NUMBER.match(number) or content_at is None or row.cells[content_at].strip():
            continue
        for role in MERGEABLE:
            column = logical.roles.get(role)
            if column is None or row.cells[column].strip() or not above.cells[column].strip():
                continue
            if column in above.hidden:
                continue
            above.spans[column] = above.spans.get(column, 1) + 1
            row.hidden.add(column)
            row.cells[column] = above.cells[column]


def _structure(blocks: list[Block]) -> list[Paragraph | _Logical | Table]:
    """Paragraphs and logical tables (pieces stitched); tables that are not task tables as is."""
    out: list[Paragraph | _Logical | Table] = []
    current: _Logical | None = None
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            nxt = blocks[index + 1] if index + 1 < len(blocks) else None
            if current is not None and block.text.strip().isdigit() and isinstance(nxt, Table):
                continue  # a page number between two pieces of one table
            current = None
            out.append(block)
            continue
        if not block.rows:
            continue
        roles = header_roles(block.rows[0])
        if roles is not None:
            if current is not None and roles == current.roles:
                _add_piece(current, block, 1, continued=True)
                continue
            current = _Logical([c.text for c in block.rows[0]], roles)
            _add_piece(current, block, 1, continued=False)
            out.append(current)
        elif current is not None:
            _add_piece(current, block, 0, continued=True)
        else:
            out.append(block)
    for item in out:
        if isinstance(item, _Logical):
            _merge_vertically(item)
    return out


def _inline(text: str, bold: bool = False, italic: bool = False) -> str:
    body = "<br>\n".join(html.escape(line, quote=False) for line in text.split("\n"))
    if italic:
        body = f"<i>{body}</i>"
    if bold:
        body = f"<b>{body}</b>"
    return body


def _paragraph(para: Paragraph) -> str:
    body = _inline(para.text, para.bold, para.italic)
    if para.heading_level:
        return f"<h{para.heading_level}>{body}</h{para.heading_level}>"
    return f"<p>{body}</p>"


def _cell(text: str, bold: bool, tag: str = "td", attrs: str = "") -> str:
    return f"<{tag}{attrs}>{_inline(text, bold)}</{tag}>"


def _table(logical: _Logical) -> str:
    width = len(logical.header)
    lines = ["<table>", "<tr>" + "".join(_cell(h, False, "th") for h in logical.header) + "</tr>"]
    for row in logical.rows:
        filled = [i for i, t in enumerate(row.cells) if t.strip()]
        cells: list[str] = []
        if filled and filled[-1] <= 1 and not row.spans and not row.hidden:
            # A section row: its last printed cell spans the empty columns after it.
            last = filled[-1]
            cells = [_cell(row.cells[i], row.bold[i]) for i in range(last)]
            span = width - last
            cells.append(_cell(row.cells[last], row.bold[last], attrs=f' colspan="{span}"'))
        else:
            for i, text in enumerate(row.cells):
                if i in row.hidden:
                    continue
                span = row.spans.get(i, 1)
                attrs = f' rowspan="{span}"' if span > 1 else ""
                cells.append(_cell(text, row.bold[i], attrs=attrs))
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _flat_table(logical: _Logical) -> str:
    """One cell per <p>, as portals flatten a table; merged cells cannot be shown, so stay empty."""
    lines = [f"<p>{_inline(h)}</p>" for h in logical.header]
    for row in logical.rows:
        for i, text in enumerate(row.cells):
            shown = "" if i in row.hidden else text
            lines.append(
                f"<p>{_inline(shown, row.bold[i])}</p>" if shown.strip() else "<p>&nbsp;</p>"
            )
    return '<div class="content1">\n' + "\n".join(lines) + "\n</div>"


def _plain_table(table: Table) -> str:
    rows = ["<tr>" + "".join(_cell(c.text, c.bold) for c in row) + "</tr>" for row in table.rows]
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def render(stem: str, blocks: list[Block], flat: bool = False) -> str:
    body: list[str] = []
    for item in _structure(blocks):
        if isinstance(item, Paragraph):
            body.append(_paragraph(item))
        elif isinstance(item, _Logical):
            body.append(_flat_table(item) if flat else _table(item))
        else:
            body.append(_plain_table(item))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(stem)}</title>\n"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px}</style>\n"
        "</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def main(argv: list[str]) -> int:
    seeds = [Path(a) for a in argv] or sorted(SAMPLES.glob("*.txt"))
    HTML_OUT.mkdir(exist_ok=True)
    LEGACY_OUT.mkdir(exist_ok=True)
    for seed in seeds:
        text = decode(str(seed), seed.read_bytes())
        blocks = blocks_from_text(text)
        outputs = {HTML_OUT / f"{seed.stem}.html": render(seed.stem, blocks).encode()}
        if seed.stem == FLAT_SEED:
            flat = render(seed.stem, blocks, flat=True)
            outputs[HTML_OUT / f"{seed.stem}.flat.html"] = flat.encode()
        if seed.stem == LEGACY_SEED:
            tcvn3 = legacy.from_unicode(text, legacy.Legacy.TCVN3)
            outputs[LEGACY_OUT / f"{seed.stem}.tcvn3.txt"] = tcvn3
        for path, data in outputs.items():
            path.write_bytes(data)
            print(f"{path.relative_to(ROOT)}: {len(data)} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
