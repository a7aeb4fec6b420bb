"""Extractor for text and markdown-ish files (the seeds' format).

Recognises markdown headings (`##`), bold/italic runs, markdown pipe tables (`| a | b |`, with
`<br>` line breaks and HTML tags inside cells) and tab-separated tables (OCR output). Each table
piece between blank lines or prose is one `Table`; stitching pieces cut at page breaks is the
parser's job, since it needs to know what a header row means.
"""

from __future__ import annotations

import html
import unicodedata

import regex as re

from vnplan.ingest.errors import IngestError
from vnplan.models import Block, Cell, Paragraph, RawDocument, SourceFormat, Table

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BOLD_CELL = re.compile(r"^\s*<b>.*</b>\s*$", re.IGNORECASE | re.DOTALL)
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.DOTALL)
_GLUED_BOLD = re.compile(r"\*\*\s*\*\*")  # "**I. MỤC ĐÍCH****1. Mục đích**": two runs glued
_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)\*(?!\s)|(?<!\S)\*(?=\S))")


def decode(path: str, data: bytes) -> str:
    """Bytes → NFC text. UTF-8 (with or without BOM) or UTF-16 with BOM; else a clear error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data:
            raise IngestError(path, "binary content (NUL bytes): not a text document")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(
                path,
                f"not valid UTF-8 text (byte {exc.start}); legacy encodings are not supported yet",
            ) from exc
    controls = sum(
        1 for ch in text[:4096] if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f"
    )
    if controls > 8:
        raise IngestError(path, "binary content (control characters): not a text document")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_cell(raw: str) -> tuple[str, bool]:
    """A cell as printed → (text, bold): `<br>` → line break, tags dropped, entities decoded."""
    bold = bool(_BOLD_CELL.match(raw))
    text = _BR.sub("\n", raw)
    text = _TAG.sub(" ", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [" ".join(part.split()) for part in text.split("\n")]
    return "\n".join(lines).strip("\n "), bold


def _pipe_cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [str(part) for part in re.split(r"(?<!\\)\|", body)]


def _is_pipe_row(line: str) -> bool:
    return line.lstrip().startswith("|") and line.count("|") >= 2


def _is_tab_row(line: str) -> bool:
    return line.count("\t") >= 2


def _paragraphs(line: str, number: int) -> list[Paragraph]:
    heading = _HEADING.match(line)
    level = len(heading.group(1)) if heading else None
    body = heading.group(2) if heading else line
    out = []
    for piece in _GLUED_BOLD.split(body):
        stripped = piece.strip()
        bold = stripped.startswith(("**", "__")) or (piece is not body and bool(stripped))
        italic = stripped.startswith("*") and not stripped.startswith("**")
        text, _ = clean_cell(_EMPHASIS.sub("", stripped))
        if text:
            out.append(
                Paragraph(text=text, line=number, heading_level=level, bold=bold, italic=italic)
            )
    return out


def blocks_from_text(text: str) -> list[Block]:
    """Split text into paragraphs and table pieces, in reading order."""
    blocks: list[Block] = []
    rows: list[list[Cell]] = []
    row_lines: list[int] = []

    def flush() -> None:
        if rows:
            blocks.append(Table(rows=list(rows), line=row_lines[0], row_lines=list(row_lines)))
            rows.clear()
            row_lines.clear()

    pending: list[str] = []  # lines of one paragraph joined by markdown hard breaks
    pending_line = 0

    def flush_paragraph() -> None:
        if pending:
            blocks.extend(_paragraphs("\n".join(pending), pending_line))
            pending.clear()

    for number, line in enumerate(text.split("\n"), start=1):
        if _is_pipe_row(line):
            flush_paragraph()
            if _PIPE_SEPARATOR.match(line):
                continue
            cells = _pipe_cells(line)
        elif _is_tab_row(line):
            flush_paragraph()
            cells = line.split("\t")
        else:
            flush()
            if line.strip():
                if not pending:
                    pending_line = number
                pending.append(line.rstrip())
                if line.endswith("  "):  # markdown hard break: the paragraph goes on
                    continue
            flush_paragraph()
            continue
        parsed = [clean_cell(c) for c in cells]
        rows.append([Cell(text=t, bold=b) for t, b in parsed])
        row_lines.append(number)
    flush()
    flush_paragraph()
    return blocks


def extract(path: str, data: bytes, doc_id: str) -> RawDocument:
    text = decode(path, data)
    return RawDocument(
        doc_id=doc_id,
        source_path=path,
        source_format=SourceFormat.TEXT,
        blocks=blocks_from_text(text),
    )
