"""Appendix task tables (bảng phân công nhiệm vụ) → tasks.

A logical table is stitched from the pieces a page break cut it into: a piece that repeats the
header (same roles) or starts without one continues the table before it. Within it each row is
one of: the column-number row ("1 2 3 … 7"), a repeated header, a section row (I / 1.1. / a),
a numbered task row, a milestone row ("-" or unnumbered: a sub-item of the task above), or a
continuation row (the first row of a piece with an empty number cell, finishing the row the
page break cut).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import regex as re

from vnplan.models import Block, Cell, Milestone, Provenance, Table, Task, TaskOrigin
from vnplan.parse.columns import header_roles, is_agenda, table_header, time_note
from vnplan.textutil import fold, squash

ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
# A section label as printed in the number cell: "I", "II.", "1", "1.1.", "I.3." (OCR'd 1.3.), "a)".
SECTION_LABEL = re.compile(
    rf"^(?P<label>(?=[IVX\d])(?:{ROMAN}|\d{{1,2}})(?:\.\d{{1,2}})*\.?|[a-zđ]\))(?:\s+(?P<title>\S.*))?$",
    re.DOTALL,
)
TASK_NUMBER = re.compile(r"^\d{1,5}[.)]?$")  # a long table numbers past 999
MILESTONE_MARK = re.compile(r"^[-–+•*]$")
# Words that mark a time phrase: used only to spot a row whose cells OCR shifted left.
TIME_PHRASE = re.compile(
    r"thuong xuyen|hang (?:thang|quy|nam)|dinh ky|\bquy [ivx1-4]+\b|\bthang \d|\bnam \d{4}"
    r"|\d{1,2}/\d{4}"
)


@dataclass
class Row:
    """One data row, cells keyed by role."""

    kind: str  # task | milestone
    cells: dict[str, str]
    line: int | None
    number: str | None
    section_path: list[str]
    milestones: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    page: int | None = None
    page_end: int | None = None


@dataclass
class TableResult:
    tasks: list[Task]
    warnings: list[str]
    skipped_rows: int = 0


def section_level(label: str) -> int:
    """Depth of a section label: I/1 → 1, 1.1. → 2, 1.1.1. → 3, a) → innermost."""
    if label.endswith(")"):
        return 9
    parts = [p for p in label.rstrip(".").split(".") if p]
    return len(parts)


def _is_roman(label: str) -> bool:
    return bool(re.fullmatch(ROMAN, label.rstrip(".")) and label.rstrip("."))


def _section_parts(number: str, content: str) -> list[tuple[str, str]] | None:
    """Sections named by a section row, outermost first, or None if the row is not one."""
    found: list[tuple[str, str]] = []
    pending_label: str | None = None
    for text in (number, content):
        text = squash(text)
        if not text:
            continue
        if pending_label is not None:
            found.append((pending_label, text))
            pending_label = None
            continue
        match = SECTION_LABEL.match(text)
        if match is None:
            return None
        label, title = match.group("label"), match.group("title")
        if text is content and not _is_roman(label) and not label.endswith(")") and not found:
            return None  # "2023" or "1. Đánh giá…" in the content cell is text, not a label
        if title:
            found.append((label, title))
        else:
            pending_label = label
    if pending_label is not None:
        found.append((pending_label, ""))
    return found or None


# A column-number cell: "1", "(1)", "A", "(B)"; letters number the text columns before the
# figures ("A B 1 2 3").
_COLUMN_NUMBER = re.compile(r"^\(?(?:(?P<letter>[A-Z])|(?P<digit>\d{1,2}))\)?$")


def _is_column_number_row(texts: list[str]) -> bool:
    """The row under a header that numbers its columns: "1 2 3 …", "(1) (2) (3) …", "A B 1 2"."""
    values = [squash(t) for t in texts if t.strip()]
    if len(values) < 3:
        return False
    letters: list[str] = []
    digits: list[str] = []
    for value in values:
        match = _COLUMN_NUMBER.match(value)
        if match is None or (match.group("letter") and digits):
            return False
        (letters if match.group("letter") else digits).append(
            match.group("letter") or match.group("digit")
        )
    return letters == [chr(ord("A") + i) for i in range(len(letters))] and digits == [
        str(i) for i in range(1, len(digits) + 1)
    ]


def _repair_shift(cells: dict[str, str], roles: dict[str, int], width: int) -> str | None:
    """Undo OCR that dropped an empty cell: the time phrase sits left of an empty time column.

    Returns a warning when it moved cells.
    """
    if "deadline" not in roles or cells.get("deadline"):
        return None
    by_index = {index: role for role, index in roles.items()}
    deadline_at = roles["deadline"]
    filled = [i for i in range(width) if cells.get(by_index.get(i, ""), "")]
    if not filled:
        return None
    last = filled[-1]
    if last >= deadline_at or by_index.get(last) in (None, "number", "content", "leader", "lead"):
        return None
    if not TIME_PHRASE.search(fold(cells[by_index[last]])):
        return None
    shift = deadline_at - last
    start = roles.get("lead", roles.get("content", 0)) + 1
    ordered = [by_index.get(i) for i in range(width)]
    values = [cells.get(r, "") if r else "" for r in ordered]
    moved = values[:start] + [""] * shift + values[start : width - shift]
    for index, role in enumerate(ordered):
        if role:
            cells[role] = moved[index]
    return f"cells shifted right by {shift} from column {start + 1} (an empty cell was lost)"


def _texts(row: list[Cell], width: int) -> list[str]:
    texts = [c.text for c in row][:width]
    return texts + [""] * (width - len(texts))


@dataclass
class _Piece:
    table: Table
    roles: dict[str, int]
    start: int  # index of the first data row
    extra: dict[str, tuple[int, ...]] = field(default_factory=dict)  # a role's further columns
    time_note: str | None = None  # the time a note right under the table gives every row


def _logical_tables(blocks: list[Block], warnings: list[str]) -> list[list[_Piece]]:
    """Group table pieces into logical tables (stitched across page breaks).

    A piece without a header that text cut from the task table above is not guessed at; when
    it has numbered rows as wide as that table's, a warning names it, so no row goes silently.
    """
    tables: list[list[_Piece]] = []
    current: list[_Piece] | None = None
    roles: dict[str, int] | None = None
    for block in blocks:
        if not isinstance(block, Table):
            if block.text.strip().isdigit():
                continue  # a page number between two pieces does not end the table
            if current is not None and "deadline" not in current[-1].roles:
                current[-1].time_note = time_note(block.text)
            current = None
            continue
        if not block.rows:
            continue
        header = table_header(block.rows)
        if header is not None:
            found = header.roles
            piece = _Piece(block, found, header.start, header.extra)
            if current is not None and found == roles:
                current.append(piece)
            else:
                roles = found
                current = [piece]
                tables.append(current)
        elif current is not None and roles is not None:
            # a piece that did not repeat the header
            current.append(_Piece(block, roles, 0, current[-1].extra))
        elif roles is not None and _numbered(block, max(roles.values()) + 1):
            lines = block.row_lines
            where = f"lines {lines[0]}-{lines[-1]}: " if lines else _page(block.page)
            warnings.append(
                f"{where}a table piece without a header, cut off from the task table above "
                "by text: its rows are not read as tasks"
            )
    return tables


def _page(page: int | None) -> str:
    return f"page {page}: " if page is not None else ""


def _where(table: Table, row_index: int) -> str:
    """A row's place for a warning: its source line, else its page and row, else its row."""
    if table.row_lines:
        return f"line {table.row_lines[row_index]}"
    if table.page is not None:
        return f"page {table.page} row {row_index + 1}"
    return f"table row {row_index + 1}"


def _numbered(table: Table, width: int) -> bool:
    """Rows as wide as a task table's with a task number first: task rows, by their look."""
    return any(
        len(row) >= width and row and TASK_NUMBER.match(squash(row[0].text)) for row in table.rows
    )


def _spanned_subrow(task: Row, number: str, content: str) -> bool:
    """A row repeating the task above's number and task text: a sub-row of a merged task."""
    return (
        bool(number)
        and task.number == number.rstrip(".)")
        and bool(squash(content))
        and squash(content) == squash(task.cells.get("content", ""))
    )


def _cell_map(
    texts: list[str], roles: dict[str, int], extra: dict[str, tuple[int, ...]] | None = None
) -> dict[str, str]:
    """Role → the row's text in that role's column (its further columns' text on new lines)."""
    cells: dict[str, str] = {}
    for role, index in roles.items():
        columns = (index, *(extra or {}).get(role, ()))
        parts = [texts[i].strip() for i in columns if i < len(texts) and texts[i].strip()]
        cells[role] = (
            "\n".join(parts) if len(columns) > 1 else (texts[index] if index < len(texts) else "")
        )
    return cells


def _join(a: str, b: str) -> str:
    if a and b and len(a) > 1 and a[-1] in "-/" and not a[-2].isspace():
        return a + b  # cut after "24-" or "Sở/": the page break fell inside the word
    return f"{a} {b}".strip() if a and b else a or b


def _rows(pieces: list[_Piece], warnings: list[str], skipped: list[str]) -> list[Row]:
    rows: list[Row] = []
    sections: list[tuple[int, str, str]] = []  # (level, label, title)
    after_section = False  # the last row read was a section row
    for piece_index, piece in enumerate(pieces):
        roles = piece.roles
        width = max([*roles.values(), *(i for c in piece.extra.values() for i in c)]) + 1
        first_data = True
        for row_index in range(piece.start, len(piece.table.rows)):
            row = piece.table.rows[row_index]
            line = piece.table.row_lines[row_index] if piece.table.row_lines else None
            where = _where(piece.table, row_index)  # for warnings: never "line None"
            page = piece.table.page
            texts = _texts(row, max(width, len(row)))
            after_break = first_data and piece_index > 0
            if not any(t.strip() for t in texts):
                continue
            # A repeated header and column-number row (PDF pages repeat both) are not data:
            # the row after them is still the first one the page break may have cut.
            if _is_column_number_row(texts) or header_roles(row) == roles:
                continue
            first_data = False
            cells = _cell_map(texts, roles, piece.extra)
            number = squash(cells.get("number", ""))
            content = cells.get("content", "")
            others = [v for r, v in cells.items() if r not in ("number", "content") and v.strip()]
            if not others and (number or content):
                parts = _section_parts(number, content)
                if parts is not None:
                    for label, title in parts:
                        level = section_level(label)
                        sections = [s for s in sections if s[0] < level]
                        sections.append((level, label, title))
                    after_section = True
                    continue
            if after_break and not number and after_section and sections:
                level, label, title = sections[-1]  # a section title the page break cut
                sections[-1] = (level, label, _join(title, squash(content)))
                continue
            after_section = False
            section_path = [f"{label} {title}".strip() for _, label, title in sections]
            if after_break and not number and rows:
                target = rows[-1].milestones[-1] if rows[-1].milestones else rows[-1]
                for role, value in cells.items():
                    target.cells[role] = _join(target.cells.get(role, ""), value)
                target.page_end = piece.table.page
                continue
            if rows and _spanned_subrow(rows[-1], number, content):
                # The number and task cells span this row (the grid repeats them): another
                # chủ-trì part of the same task, with its own agencies and time.
                cells["content"] = ""
                rows[-1].milestones.append(
                    Row("milestone", cells, line, None, section_path, page=page)
                )
            elif TASK_NUMBER.match(number):
                shifted = _repair_shift(cells, roles, width)
                record = Row("task", cells, line, number.rstrip(".)"), section_path, page=page)
                if shifted:
                    record.warnings.append(f"{where}: {shifted}")
                if not content.strip():
                    if rows:  # vertically merged task cell: the task is the one above
                        above = rows[-1].cells
                        for role in ("content", "product", "leader"):
                            if not cells.get(role) and above.get(role):
                                cells[role] = above[role]
                    else:
                        warnings.append(f"{where}: numbered row {number} has no task text")
                rows.append(record)
            elif (MILESTONE_MARK.match(number) or not number) and rows:
                rows[-1].milestones.append(
                    Row("milestone", cells, line, number or None, section_path, page=page)
                )
            elif content.strip():
                record = Row("task", cells, line, number or None, section_path, page=page)
                record.warnings.append(f"{where}: unrecognised number cell {number!r}")
                rows.append(record)
            else:
                skipped.append(f"{where}: row skipped, no task text: {' | '.join(texts)!r}")
    note = next((p.time_note for p in pieces if p.time_note), None)
    if note is not None:
        for record in rows:
            record.cells.setdefault("deadline", note)
    return rows


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = squash(value)
    return text or None


def _raw(value: str | None) -> str | None:
    """A cell kept as printed (line breaks kept) for *_raw fields; None when empty."""
    if value is None or not value.strip():
        return None
    return value.strip()


def task_id_for(doc_id: str, version: str, table_index: int, row_index: int) -> str:
    key = f"{doc_id}:{version}:{table_index}:{row_index}".encode()
    return hashlib.sha256(key).hexdigest()[:16]


ASSIGNING = ("lead", "support", "leader", "assignee", "deadline")  # what a task row gives its work


def _assigns(row: Row) -> bool:
    """Whether a row, or a milestone under it, names who does the work or by when."""
    return any(
        (part.cells.get(role) or "").strip()
        for part in (row, *row.milestones)
        for role in ASSIGNING
    )


def parse_tables(blocks: list[Block], doc_id: str, source_path: str, version: str) -> TableResult:
    """Every task of every appendix task table in `blocks`, in source order."""
    tasks: list[Task] = []
    warnings: list[str] = []
    skipped: list[str] = []
    for table_index, pieces in enumerate(_logical_tables(blocks, warnings)):
        rows = _rows(pieces, warnings, skipped)
        if rows and not any(_assigns(r) for r in rows):
            warnings.append(
                f"table {table_index + 1}: no row names a body, a person or a time, a list"
                " rather than a task table: its rows are not read as tasks"
            )
            continue
        if is_agenda([r.cells.get("deadline", "") for r in rows]):
            warnings.append(
                f"table {table_index + 1}: its times are hours of a day, a programme or agenda:"
                " its rows are not read as tasks"
            )
            continue
        for row_index, row in enumerate(rows):
            warnings.extend(row.warnings)
            cells = row.cells
            milestones = [
                Milestone(
                    content=_clean(m.cells.get("content")),
                    product=_clean(m.cells.get("product")),
                    lead_raw=_raw(m.cells.get("lead")),
                    support_raw=_raw(m.cells.get("support")),
                    deadline_raw=_raw(m.cells.get("deadline")),
                    provenance=Provenance(
                        source_path=source_path,
                        line=m.line,
                        page=m.page,
                        page_end=m.page_end or m.page,
                        table_index=table_index,
                        row_index=row_index,
                    ),
                )
                for m in row.milestones
            ]
            tasks.append(
                Task(
                    task_id=task_id_for(doc_id, version, table_index, row_index),
                    doc_id=doc_id,
                    origin=TaskOrigin.APPENDIX,
                    section_path=row.section_path,
                    task_no=row.number,
                    content=_clean(cells.get("content")) or "",
                    product=_clean(cells.get("product")),
                    leader_raw=_raw(cells.get("leader")),
                    assignee_raw=_raw(cells.get("assignee")),
                    lead_raw=_raw(cells.get("lead")),
                    support_raw=_raw(cells.get("support")),
                    monitor_raw=_raw(cells.get("monitor")),
                    deadline_raw=_raw(cells.get("deadline")),
                    note=_clean(cells.get("note")),
                    milestones=milestones,
                    provenance=Provenance(
                        source_path=source_path,
                        line=row.line,
                        page=row.page,
                        page_end=row.page_end or row.page,
                        table_index=table_index,
                        row_index=row_index,
                    ),
                )
            )
    return TableResult(tasks=tasks, warnings=warnings + skipped, skipped_rows=len(skipped))
