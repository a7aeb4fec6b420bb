"""Task tables of every shape: header synonyms (each on a header a real plan printed),
column-number rows, merged chủ-trì sub-rows, notes that give every row its time, and tables
that are no task table (agendas, comment summaries)."""

from __future__ import annotations

import pytest

from vnplan.models import Block, Cell, Paragraph, Table, Task
from vnplan.parse.columns import role_columns, table_header, time_note
from vnplan.parse.tables import parse_tables


def _table(*rows: list[str]) -> Table:
    return Table(rows=[[Cell(text=t) for t in row] for row in rows])


def _tasks(*blocks: Block) -> list[Task]:
    return parse_tables(list(blocks), "doc", "plan.html", "test").tasks


@pytest.mark.parametrize(
    ("header", "role"),
    [
        # vbpl NQ 92/2025/UBTVQH15, Điều 2: the bill, the body that submits it, the examiners
        ("Tên dự án", "content"),
        ("Cơ quan trình", "lead"),
        ("Cơ quan chủ trì thẩm tra", "support"),
        ("Cơ quan tham gia thẩm tra", "support"),
        # time columns as plans print them
        ("Thời gian hoàn thành", "deadline"),  # the three Hà Nội seeds
        ("Thời gian thực hiện", "deadline"),  # samples/prose/045
        ("Thời hạn\nkiểm tra", "deadline"),  # KH 1105/KH-ĐKT Lào Cai, Phụ lục I
        ("Tiến độ (Vượt/ Đạt/ Chậm)", "deadline"),  # Sở Công Thương Lào Cai, Đề án 08 template
        ("Giai đoạn thực hiện", "deadline"),  # a Prime Minister's action plan ("2025 - 2030")
        ("Thời gian trình", "deadline"),  # a legislative programme
        ("Thời điểm trình", "deadline"),
        ("Người thực hiện", "assignee"),  # an office's plan assigning its officers by name
        # a result up to a date is a result, not a time
        ("Lũy kế kết quả thực hiện đến thời điểm báo cáo", "product"),
    ],
)
def test_header_synonyms(header: str, role: str) -> None:
    assert list(role_columns([Cell(text=header)])) == [role]


VBPL_HEADER = [
    "STT",
    "Tên dự án",
    "Cơ quan trình",
    "Cơ quan chủ trì thẩm tra",
    "Cơ quan tham gia thẩm tra",
]


def test_both_examining_columns_are_support() -> None:
    header = table_header([[Cell(text=t) for t in VBPL_HEADER]])
    assert header is not None
    assert header.roles == {"number": 0, "content": 1, "lead": 2, "support": 3}
    assert header.extra == {"support": (4,)}


def test_a_note_under_the_table_gives_every_row_its_time() -> None:
    """vbpl NQ 92/2025: the table has no time column; the line under it times all four bills."""
    table = _table(
        VBPL_HEADER,
        [
            "1.",
            "Luật Giám định tư pháp (sửa đổi)",
            "Chính phủ",
            "Ủy ban Pháp luật và Tư pháp",
            "Hội đồng Dân tộc",
        ],
        [
            "2.",
            "Luật Thương mại điện tử",
            "Chính phủ",
            "Ủy ban Kinh tế và Tài chính",
            "Hội đồng Dân tộc",
        ],
    )
    note = Paragraph(
        text="* Tiến độ trình UBTVQH: Phiên họp tháng 9/2025 (áp dụng cho cả 04 dự án luật)"
    )
    tasks = _tasks(table, note)
    assert [t.task_no for t in tasks] == ["1", "2"]
    assert {t.deadline_raw for t in tasks} == {
        "Phiên họp tháng 9/2025 (áp dụng cho cả 04 dự án luật)"
    }
    assert tasks[0].support_raw == "Ủy ban Pháp luật và Tư pháp\nHội đồng Dân tộc"


def test_time_note_needs_a_time_label() -> None:
    assert time_note("Ghi chú: Thời hạn hoàn thành: Quý IV/2025") == "Quý IV/2025"
    assert time_note("Ghi chú: Thời hạn: Quý IV/2025") == "Quý IV/2025"
    assert time_note("* Cơ quan chủ trì: Sở Nội vụ") is None
    assert time_note("Thời gian thực hiện") is None


HEADER = [
    "STT",
    "Nội dung công việc",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
]


@pytest.mark.parametrize(
    "numbers",
    [
        ["(1)", "(2)", "(3)", "(4)", "(5)"],
        ["1", "2", "3", "4", "5"],
        ["A", "B", "1", "2", "3"],
        ["(A)", "(B)", "(1)", "(2)", "(3)"],
    ],
)
def test_column_number_rows_are_no_task(numbers: list[str]) -> None:
    tasks = _tasks(
        _table(HEADER, numbers, ["1", "Ban hành kế hoạch", "Sở Nội vụ", "", "Quý I/2026"])
    )
    assert [t.task_no for t in tasks] == ["1"]


def test_a_row_numbered_1_in_a_table_of_ones_is_still_a_task() -> None:
    tasks = _tasks(_table(HEADER, ["1", "Rà soát", "Sở Tư pháp", "Các sở", "2026"]))
    assert [t.content for t in tasks] == ["Rà soát"]


def test_a_table_with_no_section_rows() -> None:
    tasks = _tasks(
        _table(
            HEADER,
            ["1", "Xây dựng kế hoạch", "Sở Nội vụ", "", "Tháng 3/2026"],
            ["2", "Tổ chức tập huấn", "Sở Tư pháp", "Sở Nội vụ", "Quý II/2026"],
        )
    )
    assert [(t.task_no, t.section_path) for t in tasks] == [("1", []), ("2", [])]


def test_several_chu_tri_sub_rows_are_one_task_with_milestones() -> None:
    """A task whose number and task cells span three rows, each row its own lead and time
    (HTML and DOCX grids repeat a spanned cell in every row it spans)."""
    task = "Hoàn thiện thể chế về chuyển đổi số"
    tasks = _tasks(
        _table(
            HEADER,
            ["1", task, "Bộ Tư pháp", "", "2025"],
            ["1", task, "Bộ Khoa học và Công nghệ", "Các bộ", "2025 - 2026"],
            ["1", task, "Bộ Công an", "", "2027"],
            ["2", "Phát triển hạ tầng số", "Bộ Khoa học và Công nghệ", "", "2026"],
        )
    )
    assert [t.task_no for t in tasks] == ["1", "2"]
    first = tasks[0]
    assert (first.lead_raw, first.deadline_raw) == ("Bộ Tư pháp", "2025")
    assert [(m.content, m.lead_raw, m.deadline_raw) for m in first.milestones] == [
        (None, "Bộ Khoa học và Công nghệ", "2025 - 2026"),
        (None, "Bộ Công an", "2027"),
    ]


def test_an_agenda_is_no_task_table() -> None:
    agenda = _table(
        ["Thời gian", "Nội dung", "Đơn vị thực hiện"],
        ["8h00 - 8h30", "Đón tiếp đại biểu", "Văn phòng UBND tỉnh"],
        ["8h30 - 9h00", "Báo cáo tóm tắt Chương trình", "Sở Nông nghiệp và Môi trường"],
        ["9h00 - 11h00", "Thảo luận", "Các đại biểu"],
    )
    result = parse_tables([agenda], "doc", "plan.docx", "test")
    assert result.tasks == []
    assert any("agenda" in w for w in result.warnings)


def test_a_comment_summary_is_no_task_table() -> None:
    """Sở Nội vụ Lâm Đồng's table of comments on a draft: who commented, what, the answer."""
    table = _table(
        ["STT", "Nội dung góp ý", "Đơn vị góp ý", "Ý kiến của Sở Nội vụ"],
        ["1", "Đề nghị bổ sung giải pháp", "UBND xã D'Ran", "Thống nhất tiếp thu"],
        ["2", "Đề nghị thí điểm quy trình", "Sở Khoa học và Công nghệ", "Không tiếp thu"],
    )
    assert table_header(table.rows) is None
    assert _tasks(table) == []


def test_a_list_whose_rows_name_no_body_nor_time_is_no_task_table() -> None:
    """A header that reads like a task table's, rows that are a list of works."""
    table = _table(
        ["STT", "Nội dung", "Kết quả kiểm tra", "Cơ quan chủ trì", "Thời gian thực hiện"],
        ["1", "Hồ chứa nước Ia Mơr", "Đạt yêu cầu", "", ""],
        ["2", "Hồ chứa nước Ayun Hạ", "Đạt yêu cầu", "", ""],
    )
    result = parse_tables([table], "doc", "plan.pdf", "test")
    assert result.tasks == []
    assert any("list rather than a task table" in w for w in result.warnings)
