"""Query results written out: an aligned text table for the terminal, CSV, JSON or Parquet.

Kept apart from `query.py`, which knows the views and the SQL, so both `vnplan query` and any
other command can print a result the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.parquet as pq

FORMATS = ("table", "csv", "json", "parquet")


def _cell(value: Any) -> str:
    """A value as text for CSV and the terminal: lists joined by '; ', nested values as JSON."""
    if value is None:
        return ""
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.timedelta):  # DATE - DATE is days in DuckDB, an interval in Arrow
        return str(value.days)
    return str(value)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())  # cell line breaks would break the table's rows
    return text if width <= 0 or len(text) <= width else text[: width - 1] + "…"


def format_table(table: pa.Table, max_width: int = 60) -> str:
    """An aligned text table; cells longer than `max_width` are cut (0: never)."""
    names = table.column_names
    rows = [[_clip(_cell(v), max_width) for v in row.values()] for row in table.to_pylist()]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    numeric = [pa.types.is_integer(t) or pa.types.is_floating(t) for t in table.schema.types]

    def line(cells: list[str]) -> str:
        padded = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(padded).rstrip()

    out = [line(names), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def format_csv(table: pa.Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([_cell(v) for v in row.values()])
    return buffer.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return value.days
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_json(table: pa.Table) -> str:
    return json.dumps(table.to_pylist(), ensure_ascii=False, indent=1, default=_json_value) + "\n"


def guess_format(output: str | None, stream: TextIO) -> str:
    """--format left out: from the output file's suffix, else a table on a terminal, else CSV."""
    if output:
        suffix = Path(output).suffix.lower().lstrip(".")
        return suffix if suffix in FORMATS else "table" if suffix == "txt" else "csv"
    return "table" if stream.isatty() else "csv"


def write_result(table: pa.Table, fmt: str, output: str | None, max_width: int = 60) -> None:
    """Write `table` in `fmt` to the file `output`, or to standard output."""
    if fmt == "parquet":
        if not output:
            raise ValueError("--format parquet needs --output FILE")
        pq.write_table(table, output)
        return
    text = {
        "table": lambda: format_table(table, max_width),
        "csv": lambda: format_csv(table),
        "json": lambda: format_json(table),
    }[fmt]()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)  # looked up now, not at import: tests and pipes replace it
