"""The header of documents from outside Hà Nội: the issuer from the two-column heading, its
spelling from the registry, blank draft fields, the công văn subject and the signer."""

from __future__ import annotations

import pytest

from vnplan.normalize import canonical_issuer
from vnplan.parse.header import heading_issuer
from vnplan.pipeline import process_file

from conftest import SAMPLES

REAL = SAMPLES / "real"


@pytest.mark.parametrize(
    ("heading", "issuer"),
    [
        # real/trangsct_KH-SCT-LaoCai_DeAn08: a department under its province
        (["UBND TỈNH LÀO CAI", "SỞ CÔNG THƯƠNG"], "Sở Công Thương tỉnh Lào Cai"),
        # real/lamdong_UBND_bao-cao…: the body's name over two lines
        (["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG"], "Ủy ban nhân dân tỉnh Lâm Đồng"),
        # real/trangsct_CV-2265-BCT-ATMT: OCR read both columns as one line
        (["BỘ CÔNG THƯƠNG CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"], "Bộ Công Thương"),
        # district and national bodies, abbreviations as headings print them
        (["UBND HUYỆN BẢO THẮNG"], "Ủy ban nhân dân huyện Bảo Thắng"),
        (
            ["UBND HUYỆN BẢO THẮNG", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"],
            "Phòng Giáo dục và Đào tạo huyện Bảo Thắng",
        ),
        (["NGÂN HÀNG NHÀ NƯỚC VIỆT NAM"], "Ngân hàng Nhà nước Việt Nam"),
        (["TỈNH ỦY LÀO CAI"], "Tỉnh ủy Lào Cai"),
    ],
)
def test_issuer_from_the_heading(heading: list[str], issuer: str) -> None:
    assert canonical_issuer(heading_issuer(heading)) == issuer


def test_a_draft_leaves_number_and_day_blank_and_says_so() -> None:
    doc = process_file(str(REAL / "trangsct_KH-SCT-LaoCai_DeAn08_prose-chutri-phoihop.docx"))
    assert (doc.doc_number, doc.issued_date, doc.place) == (None, None, "Lào Cai")
    assert (doc.doc_type, doc.signer) == ("Kế hoạch", "Trịnh Văn Thành")
    assert doc.title == (
        "Thực hiện Đề án số 08 về phát triển công nghiệp tỉnh Lào Cai theo hướng xanh, hiện đại "
        "giai đoạn 2026-2030"
    )
    assert any("left blank" in w for w in doc.warnings)


def test_a_cong_van_subject_is_its_title() -> None:
    doc = process_file(str(REAL / "trangsct_CV-193-UBND-KT-LaoCai_giao-nhiem-vu-textpdf.pdf"))
    assert doc.doc_type == "Công văn" and doc.issuer == "Ủy ban nhân dân tỉnh Lào Cai"
    assert doc.title == (
        "tăng cường công tác quản lý, giám sát hoạt động VLNCN, TCTN trên địa bàn tỉnh"
    )
