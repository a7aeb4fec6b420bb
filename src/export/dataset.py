"""Write the dataset: tasks, documents, task_agencies as Parquet, one JSON per document.

Export decides no content: it lays out what the models hold. Column names are a contract
(DESIGN.md); rows are ordered by source path and table position, so the same input gives
byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vnplan.models import AgencyRecord, AgencyRole, Document, Task

STRINGS = pa.list_(pa.string())
DATES = pa.list_(pa.date32())

MILESTONE = pa.struct(
    [
        ("content", pa.string()),
        ("product", pa.string()),
        ("lead_agencies", STRINGS),
        ("support_agencies", STRINGS),
        ("deadline_raw", pa.string()),
        ("deadlines", DATES),
        ("line", pa.int32()),
    ]
)

TASKS_SCHEMA = pa.schema(
    [
        ("task_id", pa.string()),
        ("doc_id", pa.string()),
        ("source_path", pa.string()),
        ("origin", pa.string()),
        ("section_path", STRINGS),
        ("task_no", pa.string()),
        ("content", pa.string()),
        ("product", pa.string()),
        ("leader_raw", pa.string()),
        ("leader_names", STRINGS),
        ("assignee_raw", pa.string()),
        ("assignees", STRINGS),
        ("lead_agencies", STRINGS),
        ("support_agencies", STRINGS),
        ("monitor_agencies", STRINGS),
        ("mentioned_agencies", STRINGS),
        ("lead_raw", pa.string()),
        ("support_raw", pa.string()),
        ("monitor_raw", pa.string()),
        ("deadline_raw", pa.string()),
        ("deadlines", DATES),
        ("due_date", pa.date32()),
        ("recurring", pa.bool_()),
        ("milestones", pa.list_(MILESTONE)),
        ("note", pa.string()),
        ("page_start", pa.int32()),
        ("page_end", pa.int32()),
        ("line", pa.int32()),
        ("table_index", pa.int32()),
        ("row_index", pa.int32()),
        ("duplicate_of", pa.string()),
        ("pipeline_version", pa.string()),
    ]
)

DOCUMENTS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_path", pa.string()),
        ("source_format", pa.string()),
        ("status", pa.string()),
        ("doc_number", pa.string()),
        ("doc_type", pa.string()),
        ("issuer", pa.string()),
        ("place", pa.string()),
        ("issued_date", pa.date32()),
        ("title", pa.string()),
        ("signer", pa.string()),
        ("signer_title", pa.string()),
        ("page_count", pa.int32()),
        ("task_count", pa.int32()),
        ("appendix_task_count", pa.int32()),
        ("prose_task_count", pa.int32()),
        ("pipeline_version", pa.string()),
        ("error", pa.string()),
        ("warnings", STRINGS),
        ("warning_count", pa.int32()),
    ]
)

SECTIONS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("section_id", pa.string()),
        ("parent_id", pa.string()),
        ("label", pa.string()),
        ("title", pa.string()),
        ("level", pa.int32()),
        ("text", pa.string()),
    ]
)

TARGETS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("text", pa.string()),
        ("comparator", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("year", pa.int32()),
        ("year_assumed", pa.bool_()),
        ("section_path", STRINGS),
        ("line", pa.int32()),
    ]
)

CITATIONS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("doc_type", pa.string()),
        ("number", pa.string()),
        ("date", pa.date32()),
        ("issuer", pa.string()),
        ("raw", pa.string()),
        ("line", pa.int32()),
    ]
)

TASK_AGENCIES_SCHEMA = pa.schema(
    [
        ("task_id", pa.string()),
        ("doc_id", pa.string()),
        ("role", pa.string()),
        ("canonical_name", pa.string()),
        ("agency_kind", pa.string()),
        ("raw_mention", pa.string()),
        ("match_score", pa.float64()),
        ("resolved", pa.bool_()),
        ("province", pa.string()),
    ]
)


AGENCIES_SCHEMA = pa.schema(
    [
        ("canonical_name", pa.string()),
        ("kind", pa.string()),
        ("level", pa.string()),
        ("aliases", STRINGS),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
        ("successor", pa.string()),
        ("mention_count", pa.int32()),
        ("task_count", pa.int32()),
    ]
)


def mention_counts(source: Path) -> dict[str, tuple[int, int]]:
    """canonical name → (mentions, distinct tasks) over the task_agencies table on disk.

    DuckDB aggregates the files as it streams them (and spills past its memory limit), so the
    count costs the same few MB whether the dataset holds a thousand tasks or millions.
    """
    files = sorted(source.glob(f"{PARTITION_KEY}=*/{PART_FILE}"))
    if not files:
        return {}
    import duckdb  # only here: export's one aggregate over the whole dataset

    with duckdb.connect() as con:
        con.execute("SET threads TO 1")  # one small aggregate: no pool of threads and buffers
        rows = con.execute(
            "SELECT canonical_name, count(*), count(DISTINCT task_id) FROM read_parquet(?) "
            "WHERE canonical_name IS NOT NULL AND canonical_name <> '' GROUP BY 1",
            [[str(f) for f in files]],
        ).fetchall()
    return {name: (int(mentions), int(tasks)) for name, mentions, tasks in rows}


def agency_table_rows(
    registry: list[AgencyRecord], counts: dict[str, tuple[int, int]]
) -> list[dict[str, Any]]:
    """The registry entries the dataset uses, with how often; successors of used ones too.

    `counts` (canonical name → mentions, tasks) comes from the task_agencies table on disk,
    so that an incremental run need not load every document.
    """
    by_name = {r.canonical_name: r for r in registry}
    used = [name for name in by_name if name in counts]
    successors = {by_name[n].successor for n in used if by_name[n].successor in by_name}
    rows = []
    for name in sorted(set(used) | {s for s in successors if s}):
        mentions, tasks = counts.get(name, (0, 0))
        rows.append({**by_name[name].model_dump(), "mention_count": mentions, "task_count": tasks})
    return rows


def task_row(doc: Document, task: Task) -> dict[str, Any]:
    monitor = [a.canonical or a.raw for a in task.agencies if a.role is AgencyRole.MONITOR]
    return {
        "task_id": task.task_id,
        "doc_id": task.doc_id,
        "source_path": doc.source_path,
        "origin": task.origin.value,
        "section_path": task.section_path,
        "task_no": task.task_no,
        "content": task.content,
        "product": task.product,
        "leader_raw": task.leader_raw,
        "leader_names": task.leader_names,
        "assignee_raw": task.assignee_raw,
        "assignees": task.assignees,
        "lead_agencies": task.lead_agencies,
        "support_agencies": task.support_agencies,
        "monitor_agencies": list(dict.fromkeys(monitor)),
        "mentioned_agencies": task.mentioned_agencies,
        "lead_raw": task.lead_raw,
        "support_raw": task.support_raw,
        "monitor_raw": task.monitor_raw,
        "deadline_raw": task.deadline_raw,
        "deadlines": task.deadlines,
        "due_date": task.due_date,
        "recurring": task.recurring,
        "milestones": [
            {
                "content": m.content,
                "product": m.product,
                "lead_agencies": m.lead_agencies,
                "support_agencies": m.support_agencies,
                "deadline_raw": m.deadline_raw,
                "deadlines": m.deadlines,
                "line": m.provenance.line if m.provenance else None,
            }
            for m in task.milestones
        ],
        "note": task.note,
        "page_start": task.provenance.page,
        "page_end": task.provenance.page_end,
        "line": task.provenance.line,
        "table_index": task.provenance.table_index,
        "row_index": task.provenance.row_index,
        "duplicate_of": task.duplicate_of,
        "pipeline_version": doc.pipeline_version,
    }


def document_row(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "source_format": doc.source_format.value,
        "status": doc.status.value,
        "doc_number": doc.doc_number,
        "doc_type": doc.doc_type,
        "issuer": doc.issuer,
        "place": doc.place,
        "issued_date": doc.issued_date,
        "title": doc.title,
        "signer": doc.signer,
        "signer_title": doc.signer_title,
        "page_count": doc.page_count,
        "task_count": len(doc.tasks),
        "appendix_task_count": sum(1 for t in doc.tasks if t.origin.value == "appendix"),
        "prose_task_count": sum(1 for t in doc.tasks if t.origin.value == "prose"),
        "pipeline_version": doc.pipeline_version,
        "error": doc.error,
        "warnings": doc.warnings,
        "warning_count": len(doc.warnings),
    }


def agency_rows(task: Task) -> list[dict[str, Any]]:
    return [
        {
            "task_id": task.task_id,
            "doc_id": task.doc_id,
            "role": mention.role.value,
            "canonical_name": mention.canonical,
            "agency_kind": mention.kind,
            "raw_mention": mention.raw,
            "match_score": mention.score,
            "resolved": mention.resolved,
            "province": mention.province,
        }
        for mention in task.agencies
    ]


SCHEMA_VERSION = 2  # bump when a column changes meaning or type; README has the notes
PARTITION_KEY = "issued_year"
DEFAULT_PARTITION = "0"  # documents with no known date (and failed files): issued_year=0
PART_FILE = "part-0.parquet"


def partition_of(doc: Document) -> str:
    """The partition a document's rows go to: the year it was issued."""
    return str(doc.issued_date.year) if doc.issued_date else DEFAULT_PARTITION


def document_tables(doc: Document) -> dict[str, list[dict[str, Any]]]:
    """Every row one document contributes, per partitioned table."""
    return {
        "documents": [document_row(doc)],
        "tasks": [task_row(doc, t) for t in doc.tasks],
        "task_agencies": [row for t in doc.tasks for row in agency_rows(t)],
        "sections": [{"doc_id": doc.doc_id, **s.model_dump()} for s in doc.sections],
        "targets": [{"doc_id": doc.doc_id, **t.model_dump()} for t in doc.targets],
        "citations": [{"doc_id": doc.doc_id, **c.model_dump()} for c in doc.citations],
    }


PARTITIONED: dict[str, pa.Schema] = {
    "documents": DOCUMENTS_SCHEMA,
    "tasks": TASKS_SCHEMA,
    "task_agencies": TASK_AGENCIES_SCHEMA,
    "sections": SECTIONS_SCHEMA,
    "targets": TARGETS_SCHEMA,
    "citations": CITATIONS_SCHEMA,
}


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a reader sees the old one or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_parquet(rows: list[dict[str, Any]], schema: pa.Schema, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")  # dot files: readers skip them
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def partition_dir(out: Path, table: str, partition: str) -> Path:
    return out / f"{table}.parquet" / f"{PARTITION_KEY}={partition}"


def migrate_layout(out: Path) -> None:
    """Remove single-file tables of schema version 1 (0.1.0): tables are folders now."""
    for name in PARTITIONED:
        path = out / f"{name}.parquet"
        if path.is_file():
            path.unlink()


ROW_GROUP = 16_384  # rows a table gathers before writing them as one Parquet row group (tasks
# rows carry long texts: 16k of them are tens of MB)


CHUNK = 2_048  # rows gathered as dicts before they become Arrow columns


class _PartWriter:
    """One table's part file, written a row group at a time to a dot-file, then renamed.

    Rows become Arrow columns CHUNK at a time (far smaller than the row dicts; converting each
    document's few rows alone costs more than the rows), and go out as one row group once
    ROW_GROUP rows have gathered.
    """

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.schema = path, schema
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")  # dot files: readers skip
        self.rows: list[dict[str, Any]] = []
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.count = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)
        self.count += len(rows)
        if len(self.rows) + self.pending_rows >= ROW_GROUP:
            self._flush()
        elif len(self.rows) >= CHUNK:
            self._columns()

    def _columns(self) -> None:
        if self.rows:
            self.pending.append(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.pending_rows += len(self.rows)
            self.rows = []

    def _flush(self) -> None:
        self._columns()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        table = pa.concat_tables(self.pending) if self.pending else self.schema.empty_table()
        self.writer.write_table(table, row_group_size=max(1, table.num_rows))
        self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        if self.rows or self.pending or self.writer is None:  # an empty part is still a file
            self._flush()
        assert self.writer is not None
        self.writer.close()
        os.replace(self.tmp, self.path)


def write_partition(
    out: Path, partition: str, docs: Iterable[Document], *, ordered: bool = False
) -> dict[str, int]:
    """(Re)write every table's part of one partition; returns row counts per table.

    Rows go out in (source_path, doc_id) order. With `ordered`, `docs` is already in that
    order and is read once, lazily: a partition of any size holds one document and one row
    group per table in memory, not the whole year.
    """
    if not ordered:
        docs = sorted(docs, key=lambda d: (d.source_path, d.doc_id))
    writers = {
        name: _PartWriter(partition_dir(out, name, partition) / PART_FILE, schema)
        for name, schema in PARTITIONED.items()
    }
    for doc in docs:
        for name, part in document_tables(doc).items():
            writers[name].add(part)
    for writer in writers.values():
        writer.close()
    return {name: writer.count for name, writer in writers.items()}


def remove_partition(out: Path, partition: str) -> None:
    for name in PARTITIONED:
        shutil.rmtree(partition_dir(out, name, partition), ignore_errors=True)


def write_agencies(out: Path, registry: list[AgencyRecord]) -> int:
    """agencies.parquet from the registry and the task_agencies table on disk."""
    rows = agency_table_rows(registry, mention_counts(out / "task_agencies.parquet"))
    _write_parquet(rows, AGENCIES_SCHEMA, out / "agencies.parquet")
    return len(rows)


def document_json(doc: Document) -> bytes:
    # pydantic's serializer writes the same bytes as json.dumps(ensure_ascii=False, indent=1),
    # several times faster (a test pins the equality).
    return doc.model_dump_json(indent=1).encode() + b"\n"


def write_document_json(out: Path, doc: Document) -> None:
    write_atomic(out / "json" / f"{doc.doc_id}.json", document_json(doc))


def write_dataset_info(
    out: Path, version: str, counts: dict[str, int], partitions: list[str]
) -> None:
    """dataset.json, written last: what a complete dataset holds (no timestamps: reruns match)."""
    info = {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": version,
        "partition_key": PARTITION_KEY,
        "partitions": sorted(partitions),
        "tables": dict(sorted(counts.items())),
    }
    write_atomic(out / "dataset.json", (json.dumps(info, indent=1) + "\n").encode())


def write_dataset(
    documents: Iterable[Document], out: Path, registry: list[AgencyRecord] | None = None
) -> dict[str, int]:
    """Write the whole dataset for `documents` under `out`; returns row counts per table.

    Tables are hive-partitioned by issued year (`tasks.parquet/issued_year=2023/part-0.parquet`);
    partitions and JSON files of documents no longer present are removed. Incremental runs use
    the pieces below directly (vnplan.batch).
    """
    docs = sorted(documents, key=lambda d: (d.source_path, d.doc_id))
    out.mkdir(parents=True, exist_ok=True)
    migrate_layout(out)
    by_partition: dict[str, list[Document]] = {}
    for doc in docs:
        by_partition.setdefault(partition_of(doc), []).append(doc)
    if not by_partition:
        by_partition[DEFAULT_PARTITION] = []  # an empty dataset still has readable tables
    counts: dict[str, int] = dict.fromkeys(PARTITIONED, 0)
    for partition, members in sorted(by_partition.items()):
        for name, n in write_partition(out, partition, members).items():
            counts[name] += n
    for table in PARTITIONED:
        for stale in (out / f"{table}.parquet").glob(f"{PARTITION_KEY}=*"):
            if stale.name.split("=", 1)[1] not in by_partition:
                shutil.rmtree(stale)
    keep = {f"{d.doc_id}.json" for d in docs}
    for doc in docs:
        write_document_json(out, doc)
    for old in (out / "json").glob("*.json"):
        if old.name not in keep:
            old.unlink()
    counts["agencies"] = write_agencies(out, registry or [])
    version = docs[0].pipeline_version if docs else ""
    write_dataset_info(out, version, counts, list(by_partition))
    return counts
