"""Stage 2 — parse: a `RawDocument` into a `Document` with its header, sections and tasks.

Cells are kept as printed here; resolving agencies and dates is the normalize stage's work.
"""

from __future__ import annotations

from vnplan.models import Document, DocumentStatus, Paragraph, RawDocument, Task
from vnplan.parse.duplicates import DUPLICATE_SCORE, best_matches
from vnplan.parse.header import heading_lines, parse_header
from vnplan.parse.prose import prose_tasks
from vnplan.parse.sections import build_sections
from vnplan.parse.tables import parse_tables
from vnplan.parse.targets import citations, targets
from vnplan.textutil import fold

__all__ = ["DUPLICATE_SCORE", "link_duplicates", "parse_document"]


def link_duplicates(prose: list[Task], appendix: list[Task]) -> list[Task]:
    """Point each prose task that restates an appendix row at it, so none duplicates silently.

    Only the rows a prose task could reach DUPLICATE_SCORE against are scored (see
    `vnplan.parse.duplicates`): the same links as scoring every pair, near-linear in the tasks.
    """
    if not prose or not appendix:
        return list(prose)
    matches = best_matches(
        [fold(t.content) for t in prose],
        [fold(t.content) for t in appendix],
        [t.task_id for t in appendix],
    )
    return [
        task if row is None else task.model_copy(update={"duplicate_of": row})
        for task, row in zip(prose, matches, strict=True)
    ]


def parse_document(raw: RawDocument, version: str) -> Document:
    paragraphs = [b for b in raw.blocks if isinstance(b, Paragraph)]
    heading, signature = heading_lines(raw.blocks)
    header = parse_header(paragraphs, heading, signature)
    tables = parse_tables(raw.blocks, raw.doc_id, raw.source_path, version)
    tree = build_sections(paragraphs, raw.doc_id)
    prose = link_duplicates(
        prose_tasks(paragraphs, tree, raw.doc_id, raw.source_path, version), tables.tasks
    )
    warnings = list(raw.warnings) + header.warnings + tables.warnings
    if not tables.tasks:
        warnings.append("no appendix task table found: the document has no task rows")
    linked = sum(1 for t in prose if t.duplicate_of)
    if linked:
        warnings.append(f"{linked} prose task(s) restate an appendix row (see duplicate_of)")
    return Document(
        doc_id=raw.doc_id,
        source_path=raw.source_path,
        source_format=raw.source_format,
        # A row that could not be read leaves the document incomplete: say so.
        status=DocumentStatus.PARTIAL if tables.skipped_rows else DocumentStatus.OK,
        doc_number=header.doc_number,
        doc_type=header.doc_type,
        issuer=header.issuer,
        place=header.place,
        issued_date=header.issued_date,
        title=header.title,
        signer=header.signer,
        signer_title=header.signer_title,
        recipients=header.recipients,
        captions=header.captions,
        page_count=raw.page_count,
        sections=tree.sections,
        tasks=tables.tasks + prose,
        targets=targets(paragraphs, tree),
        citations=citations(raw.blocks),
        warnings=warnings,
        pipeline_version=version,
    )
