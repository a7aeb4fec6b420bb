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

    source_path: str = Field(description="path of the source file as given to `vnplan run`")
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
    RTF = "rtf"
    ODT = "odt"
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
    role: AgencyRole = Field(description="lead (chủ trì), support (phối hợp), monitor or mentioned")
    province: str | None = Field(
        None, description="province or city a local agency belongs to, from the issuer"
    )
    resolved: bool = Field(
        False,
        description="the registry (or the grammar, for a group) names it; false for a "
        "well-formed name the registry lacks, kept as printed",
    )
    level: str | None = Field(
        None, description="central, province, district or commune; a group: the level it addresses"
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

    canonical_name: str = Field(description="the official name, as tasks list it")
    kind: str = Field(
        description="so (Sở), ban, ubnd, group (a collective like 'Các sở, ban, ngành'), …"
    )
    level: str = Field(description="central, province, district or commune")
    aliases: list[str] = Field(
        default_factory=list, description="other spellings and abbreviations it is printed as"
    )
    valid_from: dt.date | None = Field(None, description="first day it existed under this name")
    valid_to: dt.date | None = Field(None, description="last day it existed under this name")
    successor: str | None = Field(None, description="the agency that took over its work")


class Milestone(Record):
    """A sub-row of a task ('-' rows, unnumbered rows): its own product and deadline."""

    content: str | None = Field(None, description="the sub-row's text")
    product: str | None = Field(None, description="its sản phẩm cell")
    lead_raw: str | None = Field(None, description="its chủ trì cell as printed")
    support_raw: str | None = Field(None, description="its phối hợp cell as printed")
    deadline_raw: str | None = Field(None, description="its time cell as printed")
    lead_agencies: list[str] = Field(default_factory=list, description="its lead agencies")
    support_agencies: list[str] = Field(default_factory=list, description="its support agencies")
    deadlines: list[dt.date] = Field(default_factory=list, description="its due dates")
    provenance: Provenance | None = Field(None, description="where the sub-row is")


class TaskOrigin(StrEnum):
    APPENDIX = "appendix"
    PROSE = "prose"


class Task(Record):
    """A task (nhiệm vụ) assigned by the plan, from an appendix row or a prose block."""

    task_id: str = Field(description="stable for the same input bytes and pipeline version")
    doc_id: str = Field(description="the document's id (content hash of its file)")
    origin: TaskOrigin = Field(description="appendix (a table row) or prose (running text)")
    section_path: list[str] = Field(
        default_factory=list,
        description="enclosing section rows, outermost first ('1.1. Về xây dựng …')",
    )
    task_no: str | None = Field(None, description="STT/TT as printed, null if none")
    content: str = Field(description="the task text; rows cut by a page break joined back")
    product: str | None = Field(None, description="sản phẩm / kết quả, null if none")
    leader_raw: str | None = Field(
        None, description="the leader cell (lãnh đạo phụ trách) as printed"
    )
    assignee_raw: str | None = Field(
        None,
        description="named officers who carry the task out (người thực hiện), as printed",
    )
    lead_raw: str | None = Field(None, description="the chủ trì cell as printed")
    support_raw: str | None = Field(None, description="the phối hợp cell as printed")
    monitor_raw: str | None = Field(None, description="the theo dõi, đôn đốc cell as printed")
    deadline_raw: str | None = Field(None, description="the time cell (thời hạn) as printed")
    note: str | None = Field(None, description="ghi chú / chú thích cell")
    milestones: list[Milestone] = Field(
        default_factory=list,
        description="sub-rows ('-' rows, unnumbered rows) with their own deadlines",
    )
    provenance: Provenance = Field(description="file, page, line, table and row of the task")
    duplicate_of: str | None = Field(
        None, description="prose tasks: the appendix task that states the same work"
    )
    # Filled by normalize:
    leader_names: list[str] = Field(
        default_factory=list, description="people named in the leader cell, no titles"
    )
    leaders: list[Leader] = Field(
        default_factory=list, description="the leader cell as people with title and role"
    )
    assignees: list[str] = Field(
        default_factory=list, description="people named to carry the task out, no titles"
    )
    agencies: list[AgencyMention] = Field(
        default_factory=list, description="every agency mention, resolved, with its role"
    )
    lead_agencies: list[str] = Field(
        default_factory=list,
        description="cơ quan chủ trì: canonical names (unresolved mentions as printed)",
    )
    support_agencies: list[str] = Field(
        default_factory=list,
        description="cơ quan phối hợp: canonical names (unresolved mentions as printed)",
    )
    mentioned_agencies: list[str] = Field(
        default_factory=list, description="registry agencies named in the task text"
    )
    deadline_items: list[Deadline] = Field(
        default_factory=list, description="every time phrase of the time cell, typed"
    )
    deadlines: list[dt.date] = Field(
        default_factory=list,
        description="every due date stated (a period gives its last day), milestones included",
    )
    due_date: dt.date | None = Field(None, description="the latest of deadlines, null if none")
    recurring: bool = Field(
        False, description="ongoing or periodic: 'thường xuyên', 'hằng tháng', 'định kỳ' …"
    )


class Section(Record):
    """A heading of the section tree (mục): 'I.', '1.', '1.1.', 'a)'."""

    section_id: str = Field(description="id of the section within its document")
    parent_id: str | None = Field(None, description="the enclosing section, null at the top")
    label: str = Field(description="the number as printed: 'I.', '1.1.', 'a)'")
    title: str = Field(description="the heading text after the label")
    level: int = Field(description="depth in the tree, 1 for the outermost")
    text: str | None = Field(None, description="the section's own paragraphs, not its children's")


class Target(Record):
    """A target (chỉ tiêu): "Chỉ số SIPAS … đạt tối thiểu 85%"."""

    text: str = Field(description="the target as printed")
    comparator: str = Field(description="'>=', '<=' or '='")
    value: float = Field(description="the number the target states")
    unit: str = Field(description="'%', '% decrease', 'lớp', '/18' (a share of 18) …")
    year: int | None = Field(None, description="the year the target is for")
    year_assumed: bool = Field(False, description="no year stated: the plan's year used")
    section_path: list[str] = Field(
        default_factory=list, description="enclosing sections, outermost first"
    )
    line: int | None = Field(None, description="1-based source line")


class Citation(Record):
    """A legal document the plan cites (văn bản dẫn chiếu): type, number, date, issuer."""

    doc_type: str = Field(description="Nghị quyết, Quyết định, Kế hoạch, Kết luận, …")
    number: str = Field(description="số hiệu as printed, spaces removed: 76/NQ-CP")
    date: dt.date | None = Field(None, description="the cited document's date")
    issuer: str | None = Field(None, description="who issued it, when the citation says")
    raw: str = Field(description="the citation as printed")
    line: int | None = Field(None, description="1-based source line")


class DocumentStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class Document(Record):
    """One source file and what was read from it; a failed file is a Document too."""

    doc_id: str = Field(description="content hash (SHA-256, 16 hex) of the source file")
    source_path: str = Field(description="path of the source file as given")
    source_format: SourceFormat = Field(description="text, docx, pdf, pdf_scanned, html, doc …")
    status: DocumentStatus = Field(
        DocumentStatus.OK, description="ok, partial (some rows lost) or failed (see error)"
    )
    doc_number: str | None = Field(None, description="số hiệu, e.g. 6745/QĐ-UBND")
    doc_type: str | None = Field(None, description="Quyết định, Kế hoạch, …")
    issuer: str | None = Field(None, description="cơ quan ban hành")
    place: str | None = Field(None, description="place of issue (địa danh)")
    issued_date: dt.date | None = Field(None, description="ngày ban hành")
    title: str | None = Field(None, description="trích yếu")
    signer: str | None = Field(None, description="người ký")
    signer_title: str | None = Field(None, description="signing capacity: TM. … / KT. CHỦ TỊCH …")
    recipients: list[str] = Field(default_factory=list, description="Nơi nhận")
    captions: list[str] = Field(
        default_factory=list,
        description="'kèm theo Quyết định số …' captions linking an attached plan or appendix",
    )
    page_count: int | None = Field(None, description="pages, null where the format has none")
    sections: list[Section] = Field(default_factory=list, description="the section tree")
    tasks: list[Task] = Field(default_factory=list, description="appendix and prose tasks")
    targets: list[Target] = Field(default_factory=list, description="chỉ tiêu")
    citations: list[Citation] = Field(default_factory=list, description="documents it cites")
    warnings: list[str] = Field(
        default_factory=list,
        description="fallbacks used, rows repaired or skipped, unresolved agencies",
    )
    error: str | None = Field(None, description="why a failed file failed, naming it")
    pipeline_version: str = Field(description="vnplan version that read it")
