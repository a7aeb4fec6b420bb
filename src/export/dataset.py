"""Write the dataset: tasks, documents, task_agencies as Parquet, one JSON per document.

Export decides no content: it lays out what the models hold. Column names are a contract
(DESIGN.md); rows are ordered by source path and table position, so the same input gives
byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
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


def agency_table_rows(registry: list[AgencyRecord], docs: list[Document]) -> list[dict[str, Any]]:
    """The registry entries the dataset uses, with how often; successors of used ones too."""
    mentions: dict[str, int] = {}
    tasks: dict[str, set[str]] = {}
    for doc in docs:
        for task in doc.tasks:
            for mention in task.agencies:
                if mention.canonical:
                    mentions[mention.canonical] = mentions.get(mention.canonical, 0) + 1
                    tasks.setdefault(mention.canonical, set()).add(task.task_id)
            for milestone in task.milestones:
                for name in milestone.lead_agencies + milestone.support_agencies:
                    tasks.setdefault(name, set()).add(task.task_id)
    by_name = {r.canonical_name: r for r in registry}
    used = [name for name in by_name if name in tasks]
    successors = [by_name[n].successor for n in used if by_name[n].successor in by_name]
    rows = []
    for name in sorted(set(used) | {s for s in successors if s}):
        record = by_name[name]
        rows.append(
            {
                **record.model_dump(),
                "mention_count": mentions.get(name, 0),
                "task_count": len(tasks.get(name, ())),
            }
        )
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
            "resolved": mention.canonical is not None,
            "province": mention.province,
        }
        for mention in task.agencies
    ]


def _write_parquet(rows: list[dict[str, Any]], schema: pa.Schema, path: Path) -> None:
    table = pa.Table.from_pylist(rows, schema=schema)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)  # a reader never sees half a file


def write_dataset(
    documents: Iterable[Document], out: Path, registry: list[AgencyRecord] | None = None
) -> dict[str, int]:
    """Write every table of the dataset under `out`; returns row counts per table.

    `registry` is the agency registry the documents were resolved against; the entries they
    use go to agencies.parquet.
    """
    docs = sorted(documents, key=lambda d: (d.source_path, d.doc_id))
    out.mkdir(parents=True, exist_ok=True)
    tasks = [task_row(d, t) for d in docs for t in d.tasks]
    agencies = [row for d in docs for t in d.tasks for row in agency_rows(t)]
    _write_parquet(tasks, TASKS_SCHEMA, out / "tasks.parquet")
    _write_parquet([document_row(d) for d in docs], DOCUMENTS_SCHEMA, out / "documents.parquet")
    _write_parquet(agencies, TASK_AGENCIES_SCHEMA, out / "task_agencies.parquet")
    _write_parquet(
        [{"doc_id": d.doc_id, **s.model_dump()} for d in docs for s in d.sections],
        SECTIONS_SCHEMA,
        out / "sections.parquet",
    )
    _write_parquet(
        [{"doc_id": d.doc_id, **t.model_dump()} for d in docs for t in d.targets],
        TARGETS_SCHEMA,
        out / "targets.parquet",
    )
    _write_parquet(
        [{"doc_id": d.doc_id, **c.model_dump()} for d in docs for c in d.citations],
        CITATIONS_SCHEMA,
        out / "citations.parquet",
    )
    registry_rows = agency_table_rows(registry or [], docs)
    _write_parquet(registry_rows, AGENCIES_SCHEMA, out / "agencies.parquet")

    staging = Path(tempfile.mkdtemp(prefix=".json-", dir=out))
    staging.chmod(0o755)
    for doc in docs:
        text = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=1)
        (staging / f"{doc.doc_id}.json").write_text(text + "\n", encoding="utf-8")
    target = out / "json"
    if target.exists():
        old = out / f".json-old-{os.getpid()}"
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old)
    else:
        os.replace(staging, target)
    return {
        "documents": len(docs),
        "tasks": len(tasks),
        "task_agencies": len(agencies),
        "agencies": len(registry_rows),
    }
