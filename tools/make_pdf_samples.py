"""Render samples/docx/<seed>.docx to samples/pdf/<seed>.pdf with LibreOffice (headless).

The PDF is what a clerk's office publishes: the Word file printed to PDF, with a text layer.
Before printing, a copy of the DOCX (the committed one is left as it is) gets the page set-up
Vietnamese administrative documents use (Nghị định 30/2020/NĐ-CP): Times New Roman (printed
with Liberation Serif, same metrics, when installed: Debian fonts-liberation), A4, margins
2/2/3/1.5 cm, the page number centred in the top margin from page 2 on, and the appendix task
table on landscape pages, its columns sized to their text so words are not broken.
A running footer ("… – Trang 3/46") is added too, as portals' PDF exports have one: it is what
the extractor must strip so the parser can stitch the table pieces across page breaks.

Output is byte-stable: LibreOffice's creation date and document ID are overwritten in place
(same length, so the cross-reference offsets stay valid).

    .venv/bin/python tools/make_pdf_samples.py [SEED.docx …]
    .venv/bin/python tools/make_pdf_samples.py --bench OUT.pdf [--pages 500] [--seed STEM]

`--bench` builds a long PDF for bench/bench_pdf.py by repeating a seed PDF's pages (pypdfium2
`import_pages`); it is written where asked and never committed.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re as bytes_re
import shutil
import subprocess
import sys
import tempfile
from copy import deepcopy
from pathlib import Path
from typing import Any

import docx
import pypdfium2 as pdfium
import regex as re
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph

ROOT = Path(__file__).resolve().parent.parent
DOCX = ROOT / "samples" / "docx"
OUT = ROOT / "samples" / "pdf"
SOFFICE = "soffice"
FOOTER = "Kế hoạch – bản PDF mẫu của vnplan"  # the running footer text before "– Trang n/N"
# A caption line above the appendix table: "PHỤ LỤC", "CÁC NHIỆM VỤ …", "(Kèm theo …)".
CAPTION = re.compile(r"^(?:\(|\p{Lu}+(?:\s+\p{Lu}+){1,})")

LANDSCAPE_TEXT_CM = 29.7 - 3 - 1.5  # A4 landscape less the left and right margins
CHAR_TWIPS = 130  # a wide letter of the body font at 11 pt, in twips (1/20 pt)
# lxml elements are untyped.
Element = Any


# --------------------------------------------------------------------------- page set-up


def _field(paragraph: DocxParagraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that LibreOffice fills in when it lays the pages out."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _appendix_start(body: Element) -> Element | None:
    """The first element of the appendix: the caption paragraphs right above the first table."""
    children = list(body.iterchildren())
    tables = [i for i, child in enumerate(children) if child.tag == qn("w:tbl")]
    if not tables:
        return None
    start = tables[0]
    while start > 0 and children[start - 1].tag == qn("w:p"):
        text = "".join(t.text or "" for t in children[start - 1].iter(qn("w:t"))).strip()
        if not CAPTION.match(text):
            break
        start -= 1
    return children[start]


def _a4(section: Any, landscape: bool) -> None:
    short, long = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.header_distance = section.footer_distance = Cm(1)


def _split_appendix(document: DocxDocument) -> None:
    """Body on A4 portrait; from the appendix caption on, A4 landscape (a new section)."""
    body = document.element.body
    final = body.find(qn("w:sectPr"))
    start = _appendix_start(body)
    _a4(document.sections[0], landscape=start is not None)
    if start is None:
        return
    # A section ends at the paragraph holding its sectPr: give one to an empty paragraph put
    # just before the appendix, as Word does for "Insert ▸ Break ▸ Next page".
    portrait = deepcopy(final)
    for child in list(portrait):
        if child.tag in (qn("w:headerReference"), qn("w:footerReference"), qn("w:titlePg")):
            portrait.remove(child)
    paragraph = OxmlElement("w:p")
    properties = OxmlElement("w:pPr")
    properties.append(portrait)
    paragraph.append(properties)
    start.addprevious(paragraph)
    _a4(document.sections[0], landscape=False)


def _cell_text(tc: Element) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _column_widths(tbl: Element, total: int) -> list[int]:
    """Grid column widths (twips) summing to `total`: each column fits its longest word, and
    the room left goes by the square root of the column's mean text length, so a long task
    column gets more without starving the agency columns."""
    grid = tbl.find(qn("w:tblGrid"))
    count = len(grid.findall(qn("w:gridCol")))
    lengths: list[list[int]] = [[] for _ in range(count)]
    longest = [2] * count
    for tr in tbl.iter(qn("w:tr")):
        column = 0
        for tc in tr.iterchildren(qn("w:tc")):
            span_element = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            span = 1 if span_element is None else int(span_element.get(qn("w:val")))
            text = _cell_text(tc)
            if span == 1 and column < count and text.strip():
                lengths[column].append(len(text))
                longest[column] = max(longest[column], *(len(w) for w in text.split()))
            column += span
    floors = [(n + 2) * CHAR_TWIPS for n in longest]
    weights = [math.sqrt(sum(v) / len(v)) if v else 1.0 for v in lengths]
    spare = max(0, total - sum(floors))
    widths = [f + int(spare * w / sum(weights)) for f, w in zip(floors, weights, strict=True)]
    widths[-1] += total - sum(widths)
    return widths


def _fit_tables(document: DocxDocument) -> None:
    """Tables stretched to the text width of their (landscape) page, columns by content."""
    total = int(Cm(LANDSCAPE_TEXT_CM).twips)
    for tbl in document.element.body.iter(qn("w:tbl")):
        widths = _column_widths(tbl, total)
        width = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(total))
        for column, value in zip(tbl.find(qn("w:tblGrid")), widths, strict=True):
            column.set(qn("w:w"), str(value))
        for tr in tbl.iter(qn("w:tr")):
            column = 0
            for tc in tr.iterchildren(qn("w:tc")):
                properties = tc.find(qn("w:tcPr"))
                span_element = properties.find(qn("w:gridSpan"))
                span = 1 if span_element is None else int(span_element.get(qn("w:val")))
                cell_width = properties.find(qn("w:tcW"))
                if cell_width is not None:
                    cell_width.set(qn("w:type"), "dxa")
                    cell_width.set(qn("w:w"), str(sum(widths[column : column + span])))
                column += span


def _running_lines(document: DocxDocument) -> None:
    """Page number top centre from page 2 (first page has none), a footer on every page."""
    first = document.sections[0]
    first.different_first_page_header_footer = True
    header = first.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(header, "PAGE")
    for footer in (first.footer, first.first_page_footer):
        line = footer.paragraphs[0]
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = line.add_run(f"{FOOTER} – Trang ")
        run.font.size = Pt(9)
        _field(line, "PAGE")
        line.add_run("/").font.size = Pt(9)
        _field(line, "NUMPAGES")
    for later in document.sections[1:]:  # the appendix repeats the body's running lines
        later.different_first_page_header_footer = False
        later.header.is_linked_to_previous = True
        later.footer.is_linked_to_previous = True


def _times_new_roman(document: DocxDocument) -> None:
    """Every run in Times New Roman, the font Nghị định 30/2020 prescribes (LibreOffice prints
    it with Liberation Serif, which has the same metrics, when installed): the template's theme
    fonts (Calibri, Calibri Light) would fall back to whatever the machine has."""
    parts = [document.styles.element, document.element]
    for root in parts:
        for fonts in root.iter(qn("w:rFonts")):
            for name in list(fonts.attrib):
                if name.endswith("Theme"):
                    del fonts.attrib[name]
            for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(slot), "Times New Roman")
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    if defaults is not None:
        properties = defaults.find(qn("w:rPr"))
        if properties is not None and properties.find(qn("w:rFonts")) is None:
            fonts = OxmlElement("w:rFonts")
            for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                fonts.set(qn(slot), "Times New Roman")
            properties.insert(0, fonts)


def prepare(source: Path, target: Path) -> None:
    document = docx.Document(str(source))
    _times_new_roman(document)
    _split_appendix(document)
    _fit_tables(document)
    _running_lines(document)
    document.save(str(target))


# --------------------------------------------------------------------------- rendering


def render(sources: list[Path], outdir: Path, work: Path) -> list[Path]:
    """DOCX files → PDFs in `outdir`, one LibreOffice run with a private profile."""
    profile = work / "profile"  # a private profile: parallel runs do not share a lock file
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return [outdir / f"{s.stem}.pdf" for s in sources]


_DATE = bytes_re.compile(rb"D:\d{14}")
_ID = bytes_re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = bytes_re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")


def stable_pdf(data: bytes) -> bytes:
    """Creation date and document ID replaced by fixed values of the same length."""
    data = _DATE.sub(b"D:20240101000000", data)  # the time zone after it stays as written
    data = _CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1))), data)
    digest = hashlib.sha256(_ID.sub(b"", data)).hexdigest().upper().encode()

    def fixed_id(match: bytes_re.Match[bytes]) -> bytes:
        first, second = match.group(1), match.group(2)
        return (
            match.group(0)
            .replace(first, digest[: len(first)])
            .replace(second, digest[: len(second)])
        )

    return _ID.sub(fixed_id, data)


def build(sources: list[Path]) -> list[Path]:
    if shutil.which(SOFFICE) is None:
        raise SystemExit("LibreOffice (soffice) is not installed: apt-get install libreoffice")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vnplan-pdf-") as tmp:
        work = Path(tmp)
        prepared = []
        for source in sources:
            target = work / source.name
            prepare(source, target)
            prepared.append(target)
        written = []
        for pdf in render(prepared, work, work):
            final = OUT / pdf.name
            final.write_bytes(stable_pdf(pdf.read_bytes()))
            written.append(final)
    return written


# --------------------------------------------------------------------------- benchmark file


def build_long(target: Path, pages: int, stem: str) -> None:
    """A `pages`-page PDF made by repeating samples/pdf/<stem>.pdf's pages, for the benchmark."""
    seed = pdfium.PdfDocument(str(OUT / f"{stem}.pdf"))
    long = pdfium.PdfDocument.new()
    try:
        while len(long) < pages:
            count = min(len(seed), pages - len(long))
            long.import_pages(seed, list(range(count)))
        long.save(str(target))
    finally:
        long.close()
        seed.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docx", nargs="*", type=Path, help="DOCX files (default: samples/docx)")
    parser.add_argument("--bench", type=Path, help="write a long PDF for the benchmark here")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--seed", default="001_d1ea71c28f9b4230")
    args = parser.parse_args(argv)
    if args.bench is not None:
        build_long(args.bench, args.pages, args.seed)
        print(f"{args.bench}: {args.pages} pages from {args.seed}.pdf")
        return 0
    sources = args.docx or sorted(DOCX.glob("*.docx"))
    for pdf in build(sources):
        with pdfium.PdfDocument(str(pdf)) as document:
            count = len(document)
        size = pdf.stat().st_size // 1024
        print(f"{pdf.relative_to(ROOT)}: {count} pages, {size} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
