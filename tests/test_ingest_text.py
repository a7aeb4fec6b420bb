"""The text extractor on the seeds and on small inputs cut from them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from vnplan.ingest import IngestError, load
from vnplan.ingest.text import blocks_from_text, clean_cell
from vnplan.models import Paragraph, Table

from conftest import SAMPLES


def test_pipe_table_cells_keep_br_as_line_breaks_and_drop_separator_rows() -> None:
    text = (  # 001:332-336
        "| TT | Nhiệm vụ | Cơ quan, đơn vị chủ trì |\n"
        "|----|--|---|\n"
        "| <b>I</b> | <b>Chỉ đạo điều hành</b> | |\n"
        "| 1 | Ban hành Kế hoạch | Sở Nội vụ<br><br>- Sở, Ban, Ngành |\n"
    )
    [table] = blocks_from_text(text)
    assert isinstance(table, Table)
    assert [[c.text for c in row] for row in table.rows] == [
        ["TT", "Nhiệm vụ", "Cơ quan, đơn vị chủ trì"],
        ["I", "Chỉ đạo điều hành", ""],
        ["1", "Ban hành Kế hoạch", "Sở Nội vụ\n\n- Sở, Ban, Ngành"],
    ]
    assert table.rows[1][0].bold
    assert table.row_lines == [1, 3, 4]


def test_tab_table_pieces_are_split_at_blank_lines() -> None:
    text = "STT\tNội dung\tSản phẩm\n1\tA\tB\n\nSTT\tNội dung\tSản phẩm\n2\tC\tD\n"
    blocks = blocks_from_text(text)
    assert [type(b) for b in blocks] == [Table, Table]


def test_markdown_hard_breaks_join_one_paragraph() -> None:
    text = "**Về việc ban hành Kế hoạch năm 2024  \ncủa thành phố Hà Nội**\n"  # 001:9-10
    [para] = blocks_from_text(text)
    assert isinstance(para, Paragraph)
    assert para.text == "Về việc ban hành Kế hoạch năm 2024\ncủa thành phố Hà Nội"
    assert para.bold


def test_two_bold_labels_glued_on_one_line_become_two_paragraphs() -> None:
    blocks = blocks_from_text("**I. MỤC ĐÍCH, YÊU CẦU****1. Mục đích**\n")  # 001:63
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
    ]


def test_headings_keep_their_level() -> None:
    [para] = blocks_from_text("### **1.3. Về công tác pháp chế và chính sách**\n")  # 000:73
    assert isinstance(para, Paragraph)
    assert (para.heading_level, para.text) == (3, "1.3. Về công tác pháp chế và chính sách")


def test_entities_and_tags_in_cells() -> None:
    # 000:362, OCR left tags and an entity in the cell
    assert clean_cell("<b>Dâystrong&gt; mạnh tự chủ</b>") == ("Dâystrong> mạnh tự chủ", True)


def test_text_leaves_ingest_as_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Sở Nội vụ")  # decomposed marks, as some tools write
    path = tmp_path / "nfd.txt"
    path.write_text(f"STT\tNội dung\tCơ quan chủ trì\tThời gian\n1\tViệc\t{nfd}\tQuý I/2024\n")
    raw = load(path)
    table = raw.blocks[0]
    assert isinstance(table, Table)
    assert table.rows[1][2].text == "Sở Nội vụ"


def test_seed_blocks_are_found() -> None:
    raw = load(SAMPLES / "001_d1ea71c28f9b4230.txt")
    tables = [b for b in raw.blocks if isinstance(b, Table)]
    assert len(tables) == 9  # the appendix cut into 9 pieces by page breaks
    assert all(t.rows[0][0].text == "TT" for t in tables)  # each repeats the header
    assert raw.doc_id == load(SAMPLES / "001_d1ea71c28f9b4230.txt").doc_id


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file (0 bytes)"),
        (b"\x00\x01\x02binary\x00", "binary content"),
        ("Sở Nội vụ".encode("cp1258", errors="replace") + b"\xff\xfe\xfa", "not valid UTF-8"),
    ],
)
def test_unreadable_files_raise_a_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        load(path)
    assert str(path) in str(info.value) and reason in str(info.value)


def test_directory_and_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="is a directory"):
        load(tmp_path)
    odd = tmp_path / "plan.xyz"
    odd.write_text("x")
    with pytest.raises(IngestError, match=r"unsupported format '\.xyz'"):
        load(odd)
