"""The vocabulary of vnplan: every record that flows between stages.

ingest produces a `RawDocument` (blocks in reading order); parse turns it into a `Document`
with `Section`s and `Task`s holding the cells as printed; normalize fills the resolved fields
(agencies, deadlines, leaders); export writes them out. These models are the single source of
truth: `schemas/` is generated from them (`vnplan schema`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# --------------------------------------------------------------------------- ingest output


class Provenance(Record):
    """Where a record comes from, so an analyst can open the source at that spot."""

    source_path: str
    page: int | None = Field(None, description="1-based page, null where the format has no pages")
    page_end: int | None = Field(None, description="last page when a row runs over a page break")
    line: int | None = Field(None, description="1-based line in a text source")
    table_index: int | None = Field(None, description="0-based index of the logical table")
    row_index: int | None = Field(None, description="0-based data row within the logical table")


class Paragraph(Record):
    """A paragraph of running text (đoạn văn), with the style hints the format gave."""

    kind: Literal["paragraph"] = "paragraph"
    text: str
    page: int | None = None
    line: int | None = None
    heading_level: int | None = Field(None, description="1 for a top heading, null for body")
    bold: bool = False
    italic: bool = False
    confidence: float | None = Field(None, description="OCR: mean word confidence 0–100")


class Cell(Record):
    """One table cell (ô). Line breaks inside the cell are kept as '\\n'."""

    text: str
    row_span: int = 1
    col_span: int = 1
    bold: bool = False
    confidence: float | None = Field(None, description="OCR: mean word confidence 0–100")


class Table(Record):
    """One table piece as the source laid it out (bảng); a page break starts a new piece."""

    kind: Literal["table"] = "table"
    rows: list[list[Cell]]
    page: int | None = None
    line: int | None = Field(None, description="line of the first row in a text source")
    row_lines: list[int] = Field(default_factory=list, description="source line of each row")


Block = Annotated[Paragraph | Table, Field(discriminator="kind")]


class SourceFormat(StrEnum):
    TEXT = "text"
    DOCX = "docx"
    PDF = "pdf"
    PDF_SCANNED = "pdf_scanned"
    HTML = "html"
    DOC = "doc"
    UNKNOWN = "unknown"


class RawDocument(Record):
    """What every extractor returns: blocks in reading order, NFC text, nothing format-specific."""

    doc_id: str
    source_path: str
    source_format: SourceFormat
    blocks: list[Block]
    page_count: int | None = None
    warnings: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- parse + normalize


class AgencyRole(StrEnum):
    LEAD = "lead"  # cơ quan chủ trì
    SUPPORT = "support"  # cơ quan phối hợp
    MONITOR = "monitor"  # cơ quan theo dõi, đôn đốc
    MENTIONED = "mentioned"  # named in the task's text, no role stated


class AgencyMention(Record):
    """One agency named in a cell or sentence, resolved against the registry when possible."""

    raw: str = Field(description="the mention as printed")
    canonical: str | None = Field(None, description="registry name; null when unresolved")
    kind: str | None = Field(None, description="registry kind: so, ban, group, …")
    score: float = Field(0.0, description="1.0 exact alias, lower for partial matches")
    role: AgencyRole
    province: str | None = Field(
        None, description="province or city a local agency belongs to, from the issuer"
    )


class DeadlineKind(StrEnum):
    DATE = "date"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    RANGE = "range"
    RELATIVE = "relative"  # "Sau 03 tháng kể từ khi có văn bản hướng dẫn": no concrete date
    RECURRING = "recurring"
    CONDITIONAL = "conditional"
    NONE = "none"


class Deadline(Record):
    """One time expression (thời hạn) found in a time cell, typed."""

    kind: DeadlineKind
    raw: str
    start: dt.date | None = None
    end: dt.date | None = Field(None, description="the due date: a period gives its last day")
    recurrence: str | None = Field(None, description="monthly, quarterly, yearly, continuous, …")
    year_assumed: bool = Field(False, description="the phrase gave no year: the plan's year used")
    offset: str | None = Field(None, description="relative deadlines: ISO 8601 duration, e.g. P3M")
    condition: str | None = Field(None, description="conditional deadlines: what they wait for")


class Leader(Record):
    """A leader named in the leader cell (lãnh đạo phụ trách): a person, or a role only."""

    name: str | None = Field(None, description="the person, null for a role-only entry")
    title: str | None = Field(None, description="'Phó Chủ tịch UBND Thành phố', 'Tổ trưởng …'")
    role: AgencyRole = Field(AgencyRole.LEAD, description="'Chủ trì' → lead, 'Phối hợp' → support")
    raw: str


class AgencyRecord(Record):
    """A registry entry as published in agencies.parquet (cơ quan, đơn vị)."""

    canonical_name: str
    kind: str
    level: str = Field(description="central, province, district or commune")
    aliases: list[str] = Field(default_factory=list)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = Field(None, description="last day it existed under this name")
    successor: str | None = Field(None, description="the agency that took over its work")


class Milestone(Record):
    """A sub-row of a task ('-' rows, unnumbered rows): its own product and deadline."""

    content: str | None = None
    product: str | None = None
    lead_raw: str | None = None
    support_raw: str | None = None
    deadline_raw: str | None = None
    lead_agencies: list[str] = Field(default_factory=list)
    support_agencies: list[str] = Field(default_factory=list)
    deadlines: list[dt.date] = Field(default_factory=list)
    provenance: Provenance | None = None


class TaskOrigin(StrEnum):
    APPENDIX = "appendix"
    PROSE = "prose"


class Task(Record):
    """A task (nhiệm vụ) assigned by the plan, from an appendix row or a prose block."""

    task_id: str
    doc_id: str
    origin: TaskOrigin
    section_path: list[str] = Field(default_factory=list)
    task_no: str | None = None
    content: str
    product: str | None = None
    leader_raw: str | None = None
    lead_raw: str | None = None
    support_raw: str | None = None
    monitor_raw: str | None = None
    deadline_raw: str | None = None
    note: str | None = Field(None, description="ghi chú / chú thích cell")
    milestones: list[Milestone] = Field(default_factory=list)
    provenance: Provenance
    duplicate_of: str | None = Field(
        None, description="prose tasks: the appendix task that states the same work"
    )
    # Filled by normalize:
    leader_names: list[str] = Field(default_factory=list)
    leaders: list[Leader] = Field(default_factory=list)
    agencies: list[AgencyMention] = Field(default_factory=list)
    lead_agencies: list[str] = Field(default_factory=list)
    support_agencies: list[str] = Field(default_factory=list)
    mentioned_agencies: list[str] = Field(
        default_factory=list, description="registry agencies named in the task text"
    )
    deadline_items: list[Deadline] = Field(default_factory=list)
    deadlines: list[dt.date] = Field(default_factory=list)
    due_date: dt.date | None = None
    recurring: bool = False


class Section(Record):
    """A heading of the section tree (mục): 'I.', '1.', '1.1.', 'a)'."""

    section_id: str
    parent_id: str | None = None
    label: str
    title: str
    level: int
    text: str | None = Field(None, description="the section's own paragraphs, not its children's")


class Target(Record):
    """A target (chỉ tiêu): "Chỉ số SIPAS … đạt tối thiểu 85%"."""

    text: str = Field(description="the target as printed")
    comparator: str = Field(description="'>=', '<=' or '='")
    value: float
    unit: str = Field(description="'%', '% decrease', 'lớp', '/18' (a share of 18) …")
    year: int | None = None
    year_assumed: bool = Field(False, description="no year stated: the plan's year used")
    section_path: list[str] = Field(default_factory=list)
    line: int | None = None


class Citation(Record):
    """A legal document the plan cites (văn bản dẫn chiếu): type, number, date, issuer."""

    doc_type: str = Field(description="Nghị quyết, Quyết định, Kế hoạch, Kết luận, …")
    number: str = Field(description="số hiệu as printed, spaces removed: 76/NQ-CP")
    date: dt.date | None = None
    issuer: str | None = None
    raw: str
    line: int | None = None


class DocumentStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class Document(Record):
    """One source file and what was read from it; a failed file is a Document too."""

    doc_id: str
    source_path: str
    source_format: SourceFormat
    status: DocumentStatus = DocumentStatus.OK
    doc_number: str | None = Field(None, description="số hiệu, e.g. 6745/QĐ-UBND")
    doc_type: str | None = Field(None, description="Quyết định, Kế hoạch, …")
    issuer: str | None = None
    place: str | None = None
    issued_date: dt.date | None = None
    title: str | None = Field(None, description="trích yếu")
    signer: str | None = None
    signer_title: str | None = Field(None, description="signing capacity: TM. … / KT. CHỦ TỊCH …")
    recipients: list[str] = Field(default_factory=list, description="Nơi nhận")
    captions: list[str] = Field(
        default_factory=list,
        description="'kèm theo Quyết định số …' captions linking an attached plan or appendix",
    )
    page_count: int | None = None
    sections: list[Section] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    error: str | None = None
    pipeline_version: str
