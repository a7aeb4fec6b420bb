"""Ingest and tables on the real documents of samples/real/ (provinces, a ministry, the
National Assembly): what each is in samples/real/README.md."""

from __future__ import annotations

from typing import cast

import pytest

from vnplan.ingest import load
from vnplan.ingest.pdf_text import CellText, Fonts, Glyph, PageChars
from vnplan.models import Document, Paragraph, Table
from vnplan.pipeline import process_file

from conftest import SAMPLES

REAL = SAMPLES / "real"
CV_193 = REAL / "trangsct_CV-193-UBND-KT-LaoCai_giao-nhiem-vu-textpdf.pdf"


@pytest.fixture(scope="module")
def cv_193() -> Document:
    return process_file(str(CV_193))


def test_white_boxes_behind_words_are_no_table(cv_193: Document) -> None:
    """CV 193 draws a white box behind every word: their edges are no ruling lines, so the
    letter reads as paragraphs (it ended in an IndexError reading a 'cell' of spaces)."""
    assert cv_193.status != "failed"
    raw = load(CV_193)
    assert not [b for b in raw.blocks if isinstance(b, Table)]
    texts = [b.text for b in raw.blocks if isinstance(b, Paragraph)]
    assert "2. Công an tỉnh" in texts
    assert any(t.startswith("a) Rà soát các quy định hiện hành về quản lý VLNCN") for t in texts)


def test_a_cell_box_holding_only_drawn_spaces_has_no_line() -> None:
    """A blank cell's padding drawn as spaces prints no line (and needs no font)."""
    spaces = [Glyph(" ", i, (10.0 + 3 * i, 10.0, 13.0 + 3 * i, 20.0), 18.0, 10.0) for i in range(3)]
    chars = PageChars(spaces, printable=0, map_errors=0, sampled=0, fonts=cast(Fonts, None))
    assert CellText(chars).lines((0.0, 0.0, 100.0, 100.0)) == []


VBPL = REAL / "vbpl_NQ-92-2025-UBTVQH15_task-table.html"


def test_the_vbpl_page_reads_its_article_table_as_tasks() -> None:
    """The rendered vbpl.vn page (1 MB of scripts and styles): the table inside Điều 2 gives
    each bill to the body that submits it and the committees that examine it; the line under
    the table times all four."""
    raw = load(VBPL)
    texts = [b.text for b in raw.blocks if isinstance(b, Paragraph)]
    assert "Điều 2. Tổ chức thực hiện" in texts
    assert not [t for t in texts if "function(" in t or "{" in t]  # no script or style text
    doc = process_file(str(VBPL))
    assert [t.task_no for t in doc.tasks if t.origin == "appendix"] == ["1", "2", "3", "4"]
    first = doc.tasks[0]
    assert first.content.startswith("Luật An ninh mạng")
    assert first.lead_raw == "Chính phủ"
    assert first.support_raw == (
        "Ủy ban Quốc phòng, An ninh và Đối ngoại\nHội đồng Dân tộc, các Ủy ban khác của Quốc hội"
    )
    assert first.deadline_raw is not None and first.deadline_raw.startswith(
        "Phiên họp tháng 9/2025"
    )


KH_1105 = REAL / "trangsct_KH-1105-DKT-SCT-LaoCai_broken-tounicode.pdf"


def test_a_broken_tounicode_map_is_read_by_ocr() -> None:
    """KH 1105/KH-ĐKT: its text layer maps glyphs to the wrong letters ("ĈӕL YӟL…"): every
    page is read by OCR instead, so the text and the Phụ lục I schedule are Vietnamese."""
    raw = load(KH_1105)
    assert any("broken ToUnicode" in w and "OCR" in w for w in raw.warnings)
    texts = [b.text for b in raw.blocks if isinstance(b, Paragraph)]
    joined = "\n".join(texts)
    assert not set("ĈӕӟӢѬѪӜӪƬӊ") & set(joined)  # none of the broken map's letters
    assert "4. Phân công nhiệm vụ" in texts
    assert "Lào Cai" in joined
    [schedule] = [b for b in raw.blocks if isinstance(b, Table) and b.page == 4]
    assert schedule.rows[0][0].text == "TT"
    assert "Thời gian công bố" in schedule.rows[0][3].text
    companies = [row[1].text.replace("\n", " ") for row in schedule.rows[1:]]
    assert companies[0].startswith("Công ty cổ phần xây dựng giao thông")
    assert "Tổng công ty xây dựng Trường Sơn" in companies
    assert [row[4].text for row in schedule.rows[1:]] == ["02 ngày"] * 5
