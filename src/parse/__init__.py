"""Stage 2 — parse: a `RawDocument` into a `Document` with its header, sections and tasks.

Cells are kept as printed here; resolving agencies and dates is the normalize stage's work.
"""

from __future__ import annotations

from vnplan.models import Document, DocumentStatus, Paragraph, RawDocument
from vnplan.parse.header import parse_header
from vnplan.parse.tables import parse_tables

__all__ = ["parse_document"]


def parse_document(raw: RawDocument, version: str) -> Document:
    paragraphs = [b for b in raw.blocks if isinstance(b, Paragraph)]
    header = parse_header(paragraphs)
    tables = parse_tables(raw.blocks, raw.doc_id, raw.source_path, version)
    warnings = list(raw.warnings) + header.warnings + tables.warnings
    if not tables.tasks:
        warnings.append("no appendix task table found: the document has no task rows")
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
        page_count=raw.page_count,
        tasks=tables.tasks,
        warnings=warnings,
        pipeline_version=version,
    )
