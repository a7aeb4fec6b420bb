"""Extractor for text and markdown-ish files (the seeds' format).

Recognises markdown headings (`##`), bold/italic runs, markdown pipe tables (`| a | b |`, with
`<br>` line breaks and HTML tags inside cells), tab-separated tables (OCR output) and tables
copied from a legal portal with one cell per line (`flattened.py`). Each table piece between
blank lines or prose is one `Table`; stitching pieces cut at page breaks is the parser's job,
since it needs to know what a header row means. Files in Windows-1258, TCVN3 or VNI bytes are
decoded and converted to Unicode (`legacy.py`).
"""

from __future__ import annotations

import html
import unicodedata

import regex as re

from vnplan.ingest import flattened, legacy
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
    """Bytes → NFC text (see `decode_text`); the encoding note is dropped."""
    return decode_text(path, data)[0]


def decode_text(path: str, data: bytes) -> tuple[str, str | None]:
    """Bytes → (NFC text, note on a legacy encoding or None).

    UTF-8 (with or without BOM) or UTF-16 with BOM are read as they are. Other bytes are tried
    as Windows-1258, TCVN3 and VNI, and the reading whose words are valid Vietnamese syllables
    wins; UTF-8 text that holds TCVN3/VNI gibberish (pasted from a ".Vn"-font document) is
    converted too. Binary files and text that no encoding makes Vietnamese raise a clear error.
    """
    note: str | None = None
    bomless = None if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_without_bom(data)
    if bomless is not None or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, note = _salvage(path, data, bomless or "utf-16", "")
        if bomless is not None:
            note = "; ".join(filter(None, [f"UTF-16 without a byte-order mark ({bomless})", note]))
    elif b"\x00" in data:
        raise IngestError(path, "binary content (NUL bytes): not a text document")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            guessed = legacy.decode_bytes(data)
            if guessed is not None:
                text, encoding = guessed
                note = f"not UTF-8: decoded as {encoding} (legacy Vietnamese encoding)"
            else:
                text, note = _mixed(data) or _salvage(
                    path, data, "utf-8-sig", ", and not Vietnamese in Windows-1258, TCVN3 or VNI"
                )
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if note is None:
        text, repaired = legacy.repair(text)
        if repaired is not None:
            note = f"text typed in {repaired} fonts: converted to Unicode"
    _reject_binary(path, text)  # after conversion: TCVN3 puts capitals on C0 control codes
    return text, note


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or '-be' when NULs sit only at odd or only at even offsets, as in UTF-16
    text of mostly Latin letters; binary files have NULs anywhere."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if even == 0 and odd * 3 > len(data) // 2:
        return "utf-16-le"
    if odd == 0 and even * 3 > len(data) // 2:
        return "utf-16-be"
    return None


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mixed(data: bytes) -> tuple[str, str] | None:
    """UTF-8 text with some lines in a legacy encoding (pasted from an old file), or None."""
    lines = data.split(b"\n")
    bad = [index for index, line in enumerate(lines) if not _utf8(line)]
    guessed = legacy.decode_bytes(b"\n".join(lines[index] for index in bad))
    if guessed is None or guessed[0].count("\n") != len(bad) - 1:
        return None
    texts = [line.decode("utf-8") if index not in bad else "" for index, line in enumerate(lines)]
    for index, text in zip(bad, guessed[0].split("\n"), strict=True):
        texts[index] = text
    note = f"mixed encodings: {len(bad)} of {len(lines)} lines not UTF-8, decoded as {guessed[1]}"
    return "\n".join(texts).removeprefix("\ufeff"), note


def _salvage(path: str, data: bytes, codec: str, tried: str) -> tuple[str, str | None]:
    """(text, note) in `codec`, where a few broken byte sequences (a cut character, a stray
    byte) are each replaced by U+FFFD and counted in the note; more than 1 % broken is not text
    in that encoding."""
    text = data.decode(codec, errors="replace")
    broken = text.count("\ufffd")
    name = codec.removesuffix("-sig").upper()
    if broken * 100 > len(text):
        _reject_binary(path, text)
        raise IngestError(path, f"not valid {name} text ({broken} invalid byte sequences){tried}")
    return text, f"{broken} invalid {name} byte sequence(s) replaced by U+FFFD" if broken else None


def _reject_binary(path: str, text: str) -> None:
    controls = sum(
        1 for ch in text[:4096] if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f"
    )
    if controls > 8:
        raise IngestError(path, "binary content (control characters): not a text document")


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


def _paragraph_items(lines: list[str]) -> list[flattened.Item]:
    """Runs of non-blank lines as items, each at its first line."""
    items: list[flattened.Item] = []
    run: list[str] = []
    first = 0
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            if not run:
                first = number
            run.append(_EMPHASIS.sub("", line).strip())
        elif run:
            items.append(
                flattened.Item(
                    text="\n".join(run), line=first, bold=run[0] != lines[first - 1].strip()
                )
            )
            run = []
    return items


def _flattened_tables(lines: list[str]) -> dict[int, tuple[int, Table]]:
    """Tables copied one cell per line, by first line number: (last line number, table).

    Blank lines between cells are skipped; a line holding only a non-breaking space is an empty
    cell. Only runs starting with a header block (STT, Nội dung, …) are taken.
    """
    heads = [
        i for i, line in enumerate(lines) if len(line) < 20 and flattened.is_number_column(line)
    ]
    if not heads:
        return {}  # no "STT" line: the common case, kept cheap
    # A browser copy puts a blank line between cells and keeps a cell's own lines together:
    # then a paragraph, not a line, is a cell.
    by_paragraph = any(i + 1 < len(lines) and not lines[i + 1].strip() for i in heads)
    items = (
        _paragraph_items(lines)
        if by_paragraph
        else [
            flattened.Item(text=_EMPHASIS.sub("", line), line=number, bold=line.startswith("**"))
            for number, line in enumerate(lines, start=1)
            if line.strip() or "\xa0" in line
        ]
    )
    found: dict[int, tuple[int, Table]] = {}
    for start, end, table in flattened.find_tables(items):
        first, last = items[start].line, items[end - 1].line
        if first is not None and last is not None:
            found[first] = (last, table)
    return found


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

    lines = text.split("\n")
    flat = _flattened_tables(lines)
    skip_to = 0
    for number, line in enumerate(lines, start=1):
        if number <= skip_to:
            continue
        if number in flat:
            flush()
            flush_paragraph()
            skip_to, table = flat[number]
            blocks.append(table)
            continue
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
    text, note = decode_text(path, data)
    return RawDocument(
        doc_id=doc_id,
        source_path=path,
        source_format=SourceFormat.TEXT,
        blocks=blocks_from_text(text),
        warnings=[note] if note else [],
    )
