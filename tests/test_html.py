"""The HTML extractor: the seeds' HTML pages against their text versions, and small pages for
each HTML feature (spans, line breaks, ignored parts, charsets, flattened tables)."""

from __future__ import annotations

import html as htmllib
import unicodedata
from pathlib import Path

import pytest
import regex as re

from vnplan.ingest import flattened, load
from vnplan.ingest.html import extract
from vnplan.ingest.legacy import Legacy, from_unicode
from vnplan.ingest.text import blocks_from_text
from vnplan.models import Document, Paragraph, RawDocument, Table
from vnplan.pipeline import process_file

from conftest import SAMPLES, SEEDS
from expected import appendix, assert_agrees

HTML = SAMPLES / "html"
FLAT = "003_3a026ceb35acf91e"
# --------------------------------------------------------------------------- the seeds


@pytest.mark.parametrize("stem", list(SEEDS))
def test_html_tasks_agree_with_the_text_version(stem: str, seed_docs: dict[str, Document]) -> None:
    doc = process_file(str(HTML / f"{stem}.html"))
    assert doc.source_format == "html"
    assert len(appendix(doc)) == SEEDS[stem]
    assert_agrees(seed_docs[stem], doc)


def test_flattened_html_tasks_agree_with_the_text_version(seed_docs: dict[str, Document]) -> None:
    page = (HTML / f"{FLAT}.flat.html").read_text("utf-8")
    assert "<table" not in page and "<p>&nbsp;</p>" in page  # really flattened
    assert_agrees(seed_docs[FLAT], process_file(str(HTML / f"{FLAT}.flat.html")))


TWO_ROW_HEADER = (
    '<tr><th rowspan="2">STT</th><th rowspan="2">Nội dung thực hiện</th>'
    '<th rowspan="2">Sản phẩm</th><th colspan="2">Cơ quan thực hiện</th>'
    '<th rowspan="2">Thời gian hoàn thành</th><th rowspan="2">Chú thích</th></tr>'
    "<tr><th>Chủ trì</th><th>Phối hợp</th></tr>"
)


def test_a_two_row_header_names_the_parts_of_a_spanned_column(
    tmp_path: Path, seed_docs: dict[str, Document]
) -> None:
    """Seed 003's page with its lead column split as many plans print it: "Cơ quan thực hiện"
    spanning "Chủ trì" | "Phối hợp", the other header cells merged down over both rows."""
    page = (HTML / f"{FLAT}.html").read_text("utf-8")
    header = re.search(r"<tr><th>STT</th>.*?</tr>", page)
    assert header is not None
    page = page.replace(header.group(), TWO_ROW_HEADER, 1)
    page = page.replace('colspan="5"', 'colspan="6"')  # section rows span one more column

    def add_support(row: re.Match[str]) -> str:  # an empty "Phối hợp" cell after the lead's
        cells = re.findall(r"<td>.*?</td>", row.group(), re.DOTALL)
        if len(cells) != 6:
            return str(row.group())
        support = "<td>Sở Tư pháp</td>" if cells[0] == "<td>1</td>" else "<td></td>"
        return "<tr>" + "".join(cells[:4]) + support + "".join(cells[4:]) + "</tr>"

    page = re.sub(r"<tr><td>.*?</tr>", add_support, page, flags=re.DOTALL)
    path = tmp_path / "two_rows.html"
    path.write_text(page, "utf-8")
    doc = process_file(str(path))
    want, got = appendix(seed_docs[FLAT]), appendix(doc)
    assert len(got) == len(want) == SEEDS[FLAT]
    assert [t.lead_agencies for t in got] == [t.lead_agencies for t in want]
    assert [t.deadlines for t in got] == [t.deadlines for t in want]
    assert [t.content for t in got] == [t.content for t in want]
    # the rows numbered 1 (the first of each section) were given "Sở Tư pháp" as support
    supported = [i for i, t in enumerate(got) if t.support_agencies == ["Sở Tư pháp"]]
    assert supported == [i for i, t in enumerate(want) if t.task_no == "1"] and supported
    assert all(t.support_agencies in ([], ["Sở Tư pháp"]) for t in got)


def test_text_copied_from_a_flattened_page_agrees_too(
    tmp_path: Path, seed_docs: dict[str, Document]
) -> None:
    """What a clerk gets by copying the portal page into a .txt: one cell per line."""
    page = (HTML / f"{FLAT}.flat.html").read_text("utf-8")
    body = page[page.index("<body>") :]
    lines = []
    for match in re.finditer(r"<(p|h\d)>(.*?)</\1>", body, re.DOTALL):
        text = re.sub(r"<br>\n?", " ", match.group(2))
        lines.append(htmllib.unescape(re.sub(r"<[^>]+>", "", text)))
    copied = tmp_path / "copied.txt"
    copied.write_text("\n".join(lines) + "\n", "utf-8")
    assert_agrees(seed_docs[FLAT], process_file(str(copied)))


def test_the_sample_pages_use_rowspan_and_colspan() -> None:
    page = (HTML / "001_d1ea71c28f9b4230.html").read_text("utf-8")
    # 001:342-343: task 5's task, product and leader cells are merged with task 4's
    assert '<td rowspan="2">Ban hành Kế hoạch kiểm tra CCHC</td>' in page
    # 001:333: section row "I | Chỉ đạo điều hành" spans the empty columns
    assert '<td colspan="6"><b>Chỉ đạo điều hành</b></td>' in page


# --------------------------------------------------------------------------- small pages


def _raw(page: str, charset_bytes: bytes | None = None) -> RawDocument:
    return extract("page.html", charset_bytes or page.encode("utf-8"), "id")


def _grid(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def _tables(raw: RawDocument) -> list[Table]:
    return [b for b in raw.blocks if isinstance(b, Table)]


def _paragraphs(raw: RawDocument) -> list[Paragraph]:
    return [b for b in raw.blocks if isinstance(b, Paragraph)]


def test_rowspan_text_belongs_to_every_row_and_colspan_keeps_columns() -> None:
    page = """<table>
    <tr><th>STT</th><th>Nhiệm vụ</th><th>Cơ quan chủ trì</th><th>Thời gian</th></tr>
    <tr><td>I</td><td colspan="3"><b>Chỉ đạo điều hành</b></td></tr>
    <tr><td>4</td><td rowspan="2">Ban hành Kế hoạch kiểm tra CCHC</td><td>Sở Nội vụ</td>
        <td rowspan="3">Tháng 2/2024</td></tr>
    <tr><td>5</td><td>UBND các quận</td></tr>
    <tr><td>6</td><td>Tổ chức Hội nghị</td><td>Sở Nội vụ</td></tr>
    </table>"""  # 001:333 and 342-344, cut down
    [table] = _tables(_raw(page))
    assert _grid(table) == [
        ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian"],
        ["I", "Chỉ đạo điều hành", "", ""],
        ["4", "Ban hành Kế hoạch kiểm tra CCHC", "Sở Nội vụ", "Tháng 2/2024"],
        ["5", "Ban hành Kế hoạch kiểm tra CCHC", "UBND các quận", "Tháng 2/2024"],
        ["6", "Tổ chức Hội nghị", "Sở Nội vụ", "Tháng 2/2024"],
    ]
    assert (table.rows[1][1].col_span, table.rows[1][1].bold) == (3, True)
    assert (table.rows[2][1].row_span, table.rows[2][3].row_span) == (2, 3)
    assert table.rows[0][0].bold  # <th>


def test_spans_are_clamped_to_the_table() -> None:
    page = (
        "<table><tr><td rowspan='0'>a</td><td colspan='99999'>b</td></tr>"
        "<tr><td>c</td></tr></table>"
    )
    [table] = _tables(_raw(page))
    assert table.rows[0][0].row_span == 2 and table.rows[1][0].text == "a"
    assert table.rows[0][1].col_span == 1000 and len(table.rows[1]) == 1001


def test_br_and_paragraphs_in_cells_are_line_breaks() -> None:
    page = (
        "<table><tr><td>Sở Nội vụ<br><br>- Sở, Ban, Ngành<BR/>- UBND các quận</td>"
        "<td><p>Trước ngày 05/02/2024</p><p>&nbsp;</p><p>Trước ngày 22/2/2024</p></td></tr>"
        "</table>"
    )  # 001:336, the lead and time cells
    [table] = _tables(_raw(page))
    assert _grid(table) == [
        [
            "Sở Nội vụ\n\n- Sở, Ban, Ngành\n- UBND các quận",
            "Trước ngày 05/02/2024\n\nTrước ngày 22/2/2024",
        ]
    ]


def test_unclosed_cells_rows_and_paragraphs_close_as_html_says() -> None:
    page = "<p>Số: 6745/QĐ-UBND<p>Hà Nội<table><tr><td>1<td>a<tr><td>2<td>b</table><p>Nơi nhận:"
    raw = _raw(page)
    assert [p.text for p in _paragraphs(raw)] == ["Số: 6745/QĐ-UBND", "Hà Nội", "Nơi nhận:"]
    assert _grid(_tables(raw)[0]) == [["1", "a"], ["2", "b"]]


def test_scripts_styles_comments_and_head_are_ignored() -> None:
    page = """<!DOCTYPE html><html><head><title>Trang</title><style>p {color: red}</style>
    <script>document.write("<p>không</p>")</script></head><body>
    <!-- <p>ẩn</p> --><noscript>bật JavaScript</noscript>
    <!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->
    <p class=MsoNormal><![if !supportLists]>1.<![endif]> Mục đích<o:p></o:p></p>
    </body></html>"""
    assert [p.text for p in _paragraphs(_raw(page))] == ["1. Mục đích"]


def test_headings_bold_and_italic() -> None:
    page = (
        "<h3><b>1.3. Về công tác pháp chế và chính sách</b></h3>"  # 000:73
        "<p><strong>QUYẾT ĐỊNH</strong></p>"
        "<p><span style='font-weight:700'>ỦY BAN NHÂN DÂN</span></p>"
        "<p><i>Căn cứ Luật Tổ chức chính quyền địa phương năm 2015;</i></p>"
        "<p><b>Điều 1.</b> Phê duyệt Kế hoạch</p>"
    )
    paras = _paragraphs(_raw(page))
    assert [(p.heading_level, p.bold, p.italic) for p in paras] == [
        (3, True, False),
        (None, True, False),
        (None, True, False),
        (None, False, True),
        (None, False, False),
    ]


def test_text_leaves_as_nfc_with_entities_decoded() -> None:
    nfd = unicodedata.normalize("NFD", "Sở Nội vụ")
    raw = _raw(f"<p>{nfd} &amp; Sở T&#432; pháp&nbsp;&gt;</p>")
    assert _paragraphs(raw)[0].text == "Sở Nội vụ & Sở Tư pháp >"


def test_declared_windows_1258_charset() -> None:
    text = "Ủy ban nhân dân thành phố Hà Nội"
    data = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258"><p>'
    data += from_unicode(text, Legacy.CP1258) + b"</p>"
    assert _paragraphs(_raw("", data))[0].text == text


def test_a_page_typed_in_vn_fonts_is_converted() -> None:
    # The portal declares windows-1252 and shows the ".VnTime" text as the browser reads it.
    # The ".VnTimeH" capitals font draws capitals from the lowercase codes: text cannot tell,
    # so that line comes out in lowercase (TCVN3's known limit).
    lines = [
        "cộng hòa xã hội chủ nghĩa việt nam",  # typed in .VnTimeH, shown in capitals
        "Độc lập - Tự do - Hạnh phúc",
        "Sở Nội vụ chủ trì, phối hợp các sở, ban, ngành",
        "Ủy ban nhân dân các quận, huyện, thị xã",  # Ủ: a VN1 capital, 0x9E
    ]
    tcvn3 = [from_unicode(line, Legacy.TCVN3).decode("cp1252") for line in lines]
    page = '<meta charset="windows-1252">' + "".join(
        f'<p><font face=".VnTime">{htmllib.escape(t)}</font></p>' for t in tcvn3
    )
    raw = _raw("", page.encode("cp1252"))
    assert [p.text for p in _paragraphs(raw)] == lines
    assert any("TCVN3" in w for w in raw.warnings)


def test_undeclared_legacy_bytes_are_guessed() -> None:
    text = "Các sở, ban, ngành chủ trì xây dựng kế hoạch thực hiện trong năm 2024"
    raw = _raw("", b"<p>" + from_unicode(text, Legacy.VNI) + b"</p>")
    assert _paragraphs(raw)[0].text == text
    assert any("VNI" in w for w in raw.warnings)


# --------------------------------------------------------------------------- flattened tables

# 003:327-331, as a portal flattens it: header names, then cells six at a time.
FLAT_003 = [
    "STT",
    "Nội dung thực hiện",
    "Sản phẩm",
    "Cơ quan, đơn vị chủ trì",
    "Thời gian hoàn thành",
    "Chú thích",
    "I",
    "Công tác chỉ đạo, điều hành CCHC",
    "\xa0",
    "\xa0",
    "\xa0",
    "\xa0",
    "1",
    "Xây dựng, ban hành, triển khai Kế hoạch CCHC năm 2019 của cơ quan, đơn vị",
    "Kế hoạch của UBND TP",
    "Sở, cơ quan ngang Sở, UBND quận, huyện, thị xã",
    "01/2019",
    "\xa0",
    "2",
    "Xây dựng Kế hoạch thông tin và tuyên truyền CCHC năm 2019 của Thành phố",
    "Kế hoạch của UBND TP",
    "Sở Thông tin và Truyền thông",
    "Quý I/2019",
    "\xa0",
]


def _items(texts: list[str]) -> list[flattened.Item]:
    return [flattened.Item(text=t, line=i + 1) for i, t in enumerate(texts)]


def test_flattened_rebuild_on_a_real_example() -> None:
    items = _items([*FLAT_003, "Nơi nhận:", "- Như trên;"])
    [(start, end, table)] = flattened.find_tables(items)
    assert (start, end) == (0, len(FLAT_003))  # the prose after the table is left alone
    assert _grid(table) == [
        FLAT_003[0:6],
        ["I", "Công tác chỉ đạo, điều hành CCHC", "", "", "", ""],
        [FLAT_003[12], *FLAT_003[13:17], ""],
        [FLAT_003[18], *FLAT_003[19:23], ""],
    ]
    assert table.row_lines == [1, 7, 13, 19]


def test_flattened_section_row_printed_in_the_number_cell() -> None:
    # 000:340, "2.2. Về tổ chức bộ máy" in the STT cell, the row's other cells empty
    header = ["STT", "Nội dung công việc", "Cơ quan chủ trì tham mưu", "Thời gian hoàn thành"]
    row = ["2.2. Về tổ chức bộ máy", "\xa0", "\xa0", "\xa0"]
    task = ["1", "Dánh giá hiệu quả hoạt động", "Sở Nội vụ", "Quý IV/2023"]
    prose = ["1. Giao Sở Nội vụ theo dõi", "việc thực hiện", "Kế hoạch", "này."]
    [(_, end, table)] = flattened.find_tables(_items(header + row + task + prose))
    assert end == 12  # "1. Giao …" with text in the next cells is prose, not a section row
    assert _grid(table)[1] == ["2.2. Về tổ chức bộ máy", "", "", ""]


def test_flattened_header_tolerates_a_column_the_vocabulary_lacks() -> None:
    header = ["STT", "Nội dung", "Kinh phí", "Cơ quan chủ trì", "Thời gian"]
    row = ["1", "Xây dựng phần mềm", "500 triệu", "Sở Y tế", "Tháng 5/2024"]
    [(_, _, table)] = flattened.find_tables(_items(header + row))
    assert _grid(table) == [header, row]


def test_no_header_block_no_table() -> None:
    assert flattened.find_tables(_items(FLAT_003[6:])) == []  # rows without their header
    assert flattened.find_tables(_items(FLAT_003[:6])) == []  # a header without rows
    assert flattened.find_tables(_items(["STT", "Họ và tên", "Ghi chú", "1", "A", "B"])) == []


def test_text_with_one_cell_per_line_is_rebuilt() -> None:
    text = "PHỤ LỤC\n\n" + "\n".join(FLAT_003) + "\n\nNơi nhận:\n"
    blocks = blocks_from_text(text)
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Table", "Paragraph"]
    table = blocks[1]
    assert isinstance(table, Table)
    assert len(table.rows) == 4 and table.line == 3 and table.row_lines[1] == 9


def test_a_doc_that_is_html_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "plan.doc"  # what portals serve as "Tải về file Word"
    path.write_bytes((HTML / f"{FLAT}.html").read_bytes())
    raw = load(path)
    assert raw.source_format == "html" and any(isinstance(b, Table) for b in raw.blocks)


def test_portal_machinery_and_hidden_elements_are_not_text() -> None:
    """A portal page's menus, breadcrumbs, tab strips and footer, and what it hides, are no
    part of the document (the vbpl.vn page wraps its Nghị quyết in all of these)."""
    page = (
        '<nav><a href="/">Trang chủ</a> &gt; Văn bản</nav>'
        '<div role="tablist"><div role="tab">Thuộc tính</div></div>'
        '<div style="display: none">Lược đồ</div><div hidden>Tải về</div>'
        '<span aria-hidden="true">x</span>'
        "<p>Điều 2. Tổ chức thực hiện</p>"
        "<footer>Đơn vị chủ quản: Bộ Tư pháp</footer>"
    )
    raw = extract("page.html", page.encode(), "doc")
    assert [b.text for b in raw.blocks if isinstance(b, Paragraph)] == ["Điều 2. Tổ chức thực hiện"]
