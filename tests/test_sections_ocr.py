"""Section labels OCR damaged are still labels, and a plan read with no task says so."""

from __future__ import annotations

import pytest

from vnplan.ingest import load
from vnplan.models import Document, DocumentStatus, Paragraph
from vnplan.parse.plans import expect_tasks, plan_evidence
from vnplan.parse.sections import build_sections, split_label
from vnplan.pipeline import process_file

from conftest import SAMPLES

REAL = SAMPLES / "real"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("HI. TÔ CHỨC THỰC HIỆN", "III."),  # a scanned Kế hoạch's OCR of "III."
        ("Il. NHIỆM VỤ, GIẢI PHÁP", "II."),
        ("l. Mục đích", "1."),
        ("III. TỔ CHỨC THỰC HIỆN", "III."),
    ],
)
def test_ocr_damaged_labels_are_labels(text: str, label: str) -> None:
    parted = split_label(text)
    assert parted is not None and parted[0] == label


@pytest.mark.parametrize("text", ["H. Nguyễn Văn A", "Hà Nội. Ngày", "lHH. x"])
def test_words_are_not_repaired_into_labels(text: str) -> None:
    assert split_label(text) is None


def test_an_ocr_I_under_an_open_part_is_a_1() -> None:
    texts = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "I. Mục đích",
        "Nâng cao chất lượng.",
        "2. Yêu cầu",
        "HI. TÔ CHỨC THỰC HIỆN",
    ]
    tree = build_sections([Paragraph(text=t) for t in texts], "doc")
    assert [(s.label, s.level) for s in tree.sections] == [
        ("I.", 1),
        ("1.", 2),
        ("2.", 2),
        ("III.", 1),
    ]


def _without_tasks(doc: Document) -> Document:
    return doc.model_copy(update={"tasks": [], "status": DocumentStatus.OK, "warnings": []})


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("trangsct_CV-2265-BCT-ATMT_scanned.pdf", "a công văn assigning work"),  # OCR'd scan
        ("trangsct_KH-1105-DKT-SCT-LaoCai_broken-tounicode.pdf", "a Kế hoạch"),  # "1105KH-ĐKT"
        ("trangsct_KH-SCT-LaoCai_DeAn08_prose-chutri-phoihop.docx", "a Kế hoạch"),
    ],
)
def test_a_plan_read_with_no_task_is_partial(name: str, reason: str) -> None:
    path = REAL / name
    doc = expect_tasks(_without_tasks(process_file(str(path))), load(path).blocks)
    assert doc.status == DocumentStatus.PARTIAL
    assert any(reason in w and "no task was found" in w for w in doc.warnings)


@pytest.mark.parametrize(
    "name",
    [
        "trangsct_TB-thamdinh-SCT-LaoCai_nonplan-tables.doc",  # an appraisal notice
        "lamdong_SNV_tong-hop-gop-y_KH-CCHC-2026_textpdf-table.pdf",  # a table of comments
        "lamdong_UBND_bao-cao-tong-ket-ma-tuy-2025_NFD-heavy.docx",  # a report
    ],
)
def test_documents_that_assign_nothing_stay_ok(name: str) -> None:
    blocks = load(REAL / name).blocks
    assert plan_evidence(blocks) is None
