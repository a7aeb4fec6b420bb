"""Where the tables of a dataset live, for readers (query, report, analysts' code).

Writers are in `vnplan.export`; everything that reads an output folder goes through these
functions, so the on-disk layout can grow (partitioned files) without touching the readers.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

TABLES = (
    "tasks",
    "documents",
    "task_agencies",
    "agencies",
    "sections",
    "targets",
    "citations",
)


def table_path(out: Path, name: str) -> Path:
    """The file or folder holding table `name` in dataset `out`."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; the dataset has {', '.join(TABLES)}")
    return out / f"{name}.parquet"


def read_table(out: Path, name: str) -> pa.Table:
    """One table of the dataset as Arrow, whether one file or a partitioned folder."""
    path = table_path(out, name)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such table; run `vnplan run … --out {out}` first")
    return ds.dataset(str(path), format="parquet", partitioning="hive").to_table()


def duckdb_source(out: Path, name: str) -> str:
    """A DuckDB table expression reading table `name` (a file, or a hive-partitioned folder)."""
    path = table_path(out, name)
    target = f"{path}/**/*.parquet" if path.is_dir() else str(path)
    quoted = target.replace("'", "''")
    return f"read_parquet('{quoted}', hive_partitioning = true, union_by_name = true)"
