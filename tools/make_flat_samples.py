"""Build samples/flat/: each seed's page as copying it from a legal portal in a browser gives it.

Portals publish an appendix table as a run of paragraphs, and a browser copy of the page keeps
one paragraph per cell with a blank line between paragraphs; an empty cell leaves nothing, and a
cell's lines (its "- Sở …" agency bullets, a "<br>") stay lines of their own. So the table's
shape is lost: only the header's column count and what each paragraph holds tell where a row
ends and which column a paragraph is.

From samples/html/<seed>.html (the seed as one stitched table per appendix, see
make_html_samples.py), for each seed:
- samples/flat/<seed>.txt: the copied text, one paragraph per block of text, blank lines between;
- samples/flat/<seed>.html: the portal's page, every paragraph (and every cell line) a <p>, the
  section rows' bold kept.

Output is deterministic, so rerunning the script leaves the files unchanged.

    .venv/bin/python tools/make_flat_samples.py
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = SAMPLES / "flat"
SEEDS = ("000_76046f262c6874d6", "001_d1ea71c28f9b4230", "003_3a026ceb35acf91e")
BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table"}
SKIP = {"head", "style", "script", "title"}


@dataclass
class Piece:
    text: str
    bold: bool


class _Flattener(HTMLParser):
    """Paragraphs in reading order; inside a table, every line of every cell its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[Piece] = []
        self.buffer: list[str] = []
        self.bold = 0
        self.bold_seen = False
        self.table = 0
        self.skip = 0

    def _flush(self) -> None:
        lines = ("".join(self.buffer)).split("\n")
        text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
        if text:
            self.pieces.append(Piece(text, self.bold_seen))
        self.buffer = []
        self.bold_seen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.skip += 1
        elif tag == "table":
            self._flush()
            self.table += 1
        elif tag == "br":
            # a line break: in a cell its own line ("- Sở …" bullets), in prose a space
            self.buffer.append("\n" if self.table else " ")
        elif tag in BLOCK:
            self._flush()
        elif tag in ("b", "strong"):
            self.bold += 1
            self.bold_seen = True

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip -= 1
        elif tag == "table":
            self._flush()
            self.table -= 1
        elif tag in BLOCK:
            self._flush()
        elif tag in ("b", "strong"):
            self.bold -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.buffer.append(data)


def flatten(page: str) -> list[Piece]:
    parser = _Flattener()
    parser.feed(page)
    parser.close()
    parser._flush()
    return parser.pieces


def to_text(pieces: list[Piece]) -> str:
    return "\n\n".join(p.text for p in pieces) + "\n"


def to_html(pieces: list[Piece], title: str) -> str:
    def paragraph(piece: Piece) -> str:
        text = "<br>".join(html.escape(line) for line in piece.text.split("\n"))
        return f"<p><b>{text}</b></p>" if piece.bold else f"<p>{text}</p>"

    body = "\n".join(paragraph(p) for p in pieces)
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for seed in SEEDS:
        pieces = flatten((SAMPLES / "html" / f"{seed}.html").read_text("utf-8"))
        (OUT / f"{seed}.txt").write_text(to_text(pieces), "utf-8")
        (OUT / f"{seed}.html").write_text(to_html(pieces, seed), "utf-8")
        print(f"{seed}: {len(pieces)} paragraphs")


if __name__ == "__main__":
    main()
