"""Property tests (hypothesis) of the text-facing parsers the deadline tests do not cover.

- The agency resolver, on arbitrary text and on text built from agency words: never raises,
  and every mention's text as printed occurs in the cell (after abbreviation expansion).
- The text extractor, table, section and header parsers, on generated tab and pipe tables
  between labelled lines (số hiệu, date line, document type, section headings, recipients):
  never raise, and never lose a numbered row silently: each one becomes a task or is named
  in a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vnplan.ingest.text import blocks_from_text
from vnplan.models import AgencyRole, Paragraph
from vnplan.normalize.agencies import expand_abbreviations, resolve_cell
from vnplan.parse.header import parse_header
from vnplan.parse.sections import build_sections
from vnplan.parse.tables import parse_tables
from vnplan.textutil import squash

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

AGENCY_WORDS = [
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Văn phòng UBND TP.",
    "UBND các quận, huyện, thị xã",
    "Các Sở:",
    "Tư pháp",
    "Tài chính",
    "Sở Giao thông vận",
    "Sở Nôi vu",
    "các đơn vị có liên quan",
    "VP UBNDTP",
    "HĐND",
    "TW",
    "Công an Thành phố",
    "Ban Dân tộc",
    "và",
    "với",
    "cùng",
]
SEPARATORS = [", ", "; ", "\n", " và ", "\n- ", "\n+ ", " ", ": ", " - ", "(", ")", ".", "  "]

# Text that is no control character, surrogate or line/field separator: a cell's text.
CELL_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\t|\n\r"
    ),
    max_size=40,
)
WORD = st.sampled_from(
    ["Triển khai", "nhiệm vụ", "Xây dựng", "kế hoạch", "báo cáo", "Đề án", "chuyển đổi số", "2024"]
)
DEADLINES = ["Quý I/2024", "Thường xuyên", "Trước 30/6", "Tháng 12/2024", "Năm 2025", ""]


# --------------------------------------------------------------------------- agencies


def _agency_text() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(AGENCY_WORDS), st.sampled_from(SEPARATORS), st.text(max_size=12)
    )
    return st.lists(piece, max_size=12).map("".join)


@SETTINGS
@given(text=st.one_of(st.text(), _agency_text()), role=st.sampled_from(list(AgencyRole)))
def test_agency_resolver_keeps_what_it_names_as_printed(text: str, role: AgencyRole) -> None:
    mentions = resolve_cell(text, role)
    expanded = squash(expand_abbreviations(text))
    for mention in mentions:
        assert mention.raw and mention.raw in expanded, (mention.raw, expanded)
        assert mention.role is role
        # a registry match scores above 0; a name the registry lacks (kept as printed), a
        # group the grammar names and a cell that names no agency score by what they are
        assert mention.score > 0 or not mention.resolved or mention.kind == "group"
        assert mention.canonical is not None or mention.kind == "not_agency"


# --------------------------------------------------------------------------- tables


COLUMNS = {
    "product": "Sản phẩm",
    "support": "Cơ quan phối hợp",
    "deadline": "Thời gian hoàn thành",
    "note": "Ghi chú",
}
LABELLED = [
    "ỦY BAN NHÂN DÂN",
    "THÀNH PHỐ HÀ NỘI",
    "Số: 223/KH-UBND",
    "Số : 12 / QĐ - UBND",
    "Hà Nội, ngày 05 tháng 8 năm 2023",
    "Hà Nội, ngày 31 tháng 2 năm 2023",
    "KẾ HOẠCH",
    "QUYẾT ĐỊNH",
    "Thực hiện chuyển đổi số năm 2024",
    "(Ban hành kèm theo Kế hoạch số 223/KH-UBND ngày 05/8/2023 của UBND Thành phố)",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Mục đích",
    "1.1. Về xây dựng",
    "a) Nội dung",
    "II.",
    "Nơi nhận:",
    "- Như trên;",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Nguyễn Văn A",
    "**PHỤ LỤC**",
    "## Danh mục nhiệm vụ",
    "",
]


@dataclass
class Generated:
    text: str
    numbered_lines: list[int]  # source lines of the numbered task rows


@st.composite
def documents(draw: st.DrawFn) -> Generated:
    """Labelled lines, then a task table (tab or pipe), pieces split by blank lines or prose."""
    pipe = draw(st.booleans())
    extra = draw(st.lists(st.sampled_from(list(COLUMNS)), unique=True))
    roles = ["number", "content", "lead", *extra]
    names = ["STT", "Nội dung", "Cơ quan chủ trì", *(COLUMNS[r] for r in extra)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |" if pipe else "\t".join(cells)

    lines = draw(st.lists(st.one_of(st.sampled_from(LABELLED), CELL_TEXT), max_size=12))
    lines.append(line(names))
    if pipe:
        lines.append(line(["---"] * len(names)))
    numbered: list[int] = []
    for index in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 9)) == 0:  # a page break: the next piece may repeat the header
            lines.append(draw(st.sampled_from(["", "Trang 2", "12"])))
            if draw(st.booleans()):
                lines.append(line(names))
        mark = draw(st.sampled_from(["{}", "{}.", "{})"])).format(index + 1)
        content = f"{draw(WORD)} {draw(CELL_TEXT)}".strip()
        lead = f"{draw(st.sampled_from(AGENCY_WORDS[:12]))} {draw(CELL_TEXT)}".strip()
        others = {
            "product": draw(CELL_TEXT),
            "support": draw(st.sampled_from(["", *AGENCY_WORDS[:6]])),
            "deadline": draw(st.sampled_from(DEADLINES)),
            "note": draw(CELL_TEXT),
        }
        values = {"number": mark, "content": content, "lead": lead, **others}
        lines.append(line([values[r].replace("|", "/") for r in roles]))
        numbered.append(len(lines))
    lines.extend(draw(st.lists(st.sampled_from(LABELLED), max_size=4)))
    return Generated("\n".join(lines), numbered)


@SETTINGS
@given(doc=documents())
def test_every_numbered_row_becomes_a_task_or_a_warning(doc: Generated) -> None:
    blocks = blocks_from_text(doc.text)
    result = parse_tables(blocks, "fuzz", "fuzz.txt", "0")
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    build_sections(paragraphs, "fuzz")
    parse_header(paragraphs)
    tasks = {t.provenance.line for t in result.tasks}
    named = {int(m[1]) for w in result.warnings if (m := re.match(r"line (\d+):", w))}
    for m in filter(None, (re.match(r"lines (\d+)-(\d+):", w) for w in result.warnings)):
        named.update(range(int(m[1]), int(m[2]) + 1))
    for number in doc.numbered_lines:
        assert number in tasks or number in named, (number, doc.text)


@SETTINGS
@given(text=st.text(max_size=600))
def test_the_text_parsers_take_anything(text: str) -> None:
    blocks = blocks_from_text(text)
    parse_tables(blocks, "fuzz", "fuzz.txt", "0")
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    build_sections(paragraphs, "fuzz")
    parse_header(paragraphs)
