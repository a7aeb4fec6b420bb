"""Sections, prose tasks, targets and citations, each shape pinned to a real example."""

from __future__ import annotations

import datetime as dt

import pytest

from vnplan.models import Document, Task
from vnplan.parse.prose import request_addressee
from vnplan.parse.sections import split_label
from vnplan.pipeline import process_file

from conftest import SAMPLES

PROSE_PLAN = SAMPLES / "prose" / "045_ke_hoach_chuyen_doi_so.txt"


@pytest.fixture(scope="module")
def plan() -> Document:
    return process_file(str(PROSE_PLAN))


def prose(doc: Document) -> list[Task]:
    return [t for t in doc.tasks if t.origin.value == "prose"]


def at(doc: Document, line: int) -> Task:
    return next(t for t in doc.tasks if t.provenance.line == line and t.origin.value == "prose")


def test_section_tree_of_a_decision_with_its_plan(seed_docs: dict[str, Document]) -> None:
    sections = seed_docs["001_d1ea71c28f9b4230"].sections
    by_id = {s.section_id: s for s in sections}
    # "**I. MỤC ĐÍCH, YÊU CẦU****1. Mục đích**" (001:63): two labels glued on one line
    mục_đích = next(s for s in sections if s.title == "Mục đích")
    assert (mục_đích.label, by_id[mục_đích.parent_id or ""].label) == ("1.", "I.")
    # "## **4. Cải cách tổ chức bộ máy**" then "##### **4.2. Nội dung/nhiệm vụ**": levels by label
    task_list = next(s for s in sections if s.label == "4.2.")
    assert by_id[task_list.parent_id or ""].title == "Cải cách tổ chức bộ máy"
    parts = [s.title for s in sections if s.level == 1]
    assert parts[0] == "QUYẾT ĐỊNH" and "Nơi nhận:" in parts  # the decision, its recipients
    assert parts.index("KẾ HOẠCH") < parts.index("PHỤ LỤC")  # then the plan and its appendix


def test_footnotes_and_rules_are_not_section_text(seed_docs: dict[str, Document]) -> None:
    sections = seed_docs["000_76046f262c6874d6"].sections
    assert not any(s.label == "1" for s in sections)  # "<sup>1</sup> Quyết định số 06/…"
    assert not any((s.text or "").startswith("---") for s in sections)


def test_items_under_a_task_heading_are_tasks(seed_docs: dict[str, Document]) -> None:
    doc = seed_docs["001_d1ea71c28f9b4230"]
    task = next(t for t in prose(doc) if t.content.startswith("Tiếp tục sắp xếp tinh gọn"))
    assert task.section_path[-1] == "4.2. Nội dung/nhiệm vụ"  # 001:164, names no agency
    assert task.lead_agencies == []


def test_organisation_part_assigns_work_per_agency(seed_docs: dict[str, Document]) -> None:
    doc = seed_docs["000_76046f262c6874d6"]
    first = at(doc, 236)  # "#### 1. Sở Nội vụ" then "a) Triển khai các nội dung …"
    assert first.lead_agencies == ["Sở Nội vụ"] and first.support_agencies == []
    joint = at(doc, 252)  # under "2. Sở Tài chính": "b) Phối hợp với Sở Nội vụ báo cáo …"
    assert (joint.lead_agencies, joint.support_agencies) == (["Sở Nội vụ"], ["Sở Tài chính"])
    sentence = next(t for t in prose(doc) if t.content.startswith("Công ty TNHH một thành viên"))
    # "X chủ trì, phối hợp với Y xây dựng …" (000:273)
    assert sentence.lead_agencies == ["Công ty TNHH MTV Cây xanh Hà Nội"]
    assert sentence.support_agencies == ["Công ty TNHH MTV Công viên Thống Nhất"]


def test_agency_heading_outside_the_organisation_part(seed_docs: dict[str, Document]) -> None:
    doc = seed_docs["003_3a026ceb35acf91e"]
    task = at(doc, 282)  # "d) Sở Tài chính" then "- Chủ trì, phối hợp các cơ quan có liên quan …"
    assert task.lead_agencies == ["Sở Tài chính"]
    assert task.support_agencies == ["Các cơ quan, đơn vị có liên quan"]


def test_prose_restating_an_appendix_row_is_linked_not_silent(
    seed_docs: dict[str, Document],
) -> None:
    doc = seed_docs["000_76046f262c6874d6"]
    rows = {t.task_id: t for t in doc.tasks if t.origin.value == "appendix"}
    task = next(
        t for t in prose(doc) if t.content.startswith("Giao Văn phòng UBND Thành phố chủ trì")
    )
    assert task.duplicate_of in rows  # 000:65 restates appendix row 6 of 1.2.
    assert rows[task.duplicate_of].provenance.line == 310
    assert any("restate an appendix row" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("seed", "restated"),
    # 001: 15, not 16, since the closing "Trên đây là Kế hoạch …" (001:326) left item 4's text;
    # its words "Kế hoạch" had linked the media item to "Ban hành Kế hoạch tuyên truyền CCHC"
    [("000_76046f262c6874d6", 44), ("001_d1ea71c28f9b4230", 15), ("003_3a026ceb35acf91e", 5)],
)
def test_restated_prose_counts_per_seed(
    seed_docs: dict[str, Document], seed: str, restated: int
) -> None:
    # the counts the pair-by-pair scoring gave before it became one vectorized cdist call
    assert sum(1 for t in prose(seed_docs[seed]) if t.duplicate_of) == restated


def test_labelled_blocks_in_any_order(plan: Document) -> None:
    first = at(plan, 46)
    assert first.content.startswith("Nâng cấp Trung tâm dữ liệu tỉnh")
    assert first.lead_agencies == ["Sở Khoa học và Công nghệ"]
    assert first.support_agencies == [
        "Sở Tài chính",
        "Sở Nội vụ",
        "Ủy ban nhân dân các xã, phường, đặc khu",
    ]
    assert first.deadlines == [dt.date(2025, 9, 30)]
    second = at(plan, 56)  # "Cơ quan chủ trì" first, the task text over two paragraphs
    assert second.lead_agencies == ["Sở Nông nghiệp và Môi trường"]
    assert second.content.endswith(
        "Hoàn thiện việc số hóa hồ sơ địa chính của các xã, phường còn lại."
    )
    assert second.support_agencies == ["Văn phòng Ủy ban nhân dân tỉnh", "Công an tỉnh"]
    assert second.deadlines == [dt.date(2025, 11, 30)]


def test_plus_items_with_their_own_time_become_milestones(plan: Document) -> None:
    task = at(plan, 68)
    assert [m.deadlines for m in task.milestones] == [
        [dt.date(2025, 6, 30)],
        [dt.date(2025, 9, 30)],
    ]
    assert task.due_date == dt.date(2025, 12, 31)  # "Thời gian thực hiện: Năm 2025"


def test_general_tasks_name_no_agency_and_still_count(plan: Document) -> None:
    general = [t for t in prose(plan) if t.section_path[-1:] == ["II. NHIỆM VỤ, GIẢI PHÁP CHUNG"]]
    assert len(general) == 3 and all(t.lead_agencies == [] for t in general)


def test_a_time_inside_a_sentence_is_the_deadline(plan: Document) -> None:
    assert at(plan, 86).deadlines == [dt.date(2025, 12, 15)]  # "… trước ngày 15/12/2025."


def test_prose_plan_header_and_totals(plan: Document) -> None:
    assert (plan.doc_number, plan.doc_type, plan.issuer) == (
        "45/KH-UBND",
        "Kế hoạch",
        "Ủy ban nhân dân tỉnh Bắc Ninh",
    )
    assert plan.signer == "Nguyễn Văn Phong" and plan.issued_date == dt.date(2025, 2, 20)
    assert len(prose(plan)) == 9 and plan.recipients[0] == "Bộ Khoa học và Công nghệ"


def test_targets(plan: Document, seed_docs: dict[str, Document]) -> None:
    got = [(t.comparator, t.value, t.unit, t.year) for t in plan.targets]
    assert got == [
        ("=", 100.0, "%", 2025),
        (">=", 80.0, "%", 2025),
        (">=", 30.0, "% decrease", 2025),  # "Giảm tối thiểu 30% … so với năm 2023"
    ]
    sipas = next(t for t in seed_docs["001_d1ea71c28f9b4230"].targets if "SIPAS" in t.text)
    assert (sipas.comparator, sipas.value, sipas.unit, sipas.year) == (">=", 85.0, "%", 2024)
    assert sipas.year_assumed  # no year in the sentence: the plan's year (title "năm 2024")


def test_citations(seed_docs: dict[str, Document]) -> None:
    cited = {(c.doc_type, c.number): c for c in seed_docs["000_76046f262c6874d6"].citations}
    conclusion = cited["Kết luận", "1269-TB/TU"]
    assert (conclusion.doc_type, conclusion.date, conclusion.issuer) == (
        "Kết luận",
        dt.date(2023, 8, 2),
        "Ban Thường vụ Thành ủy",
    )
    assert cited["Nghị định", "158/2018/NĐ-CP"].issuer == "Chính phủ"
    assert cited["Quyết định", "06/QĐ-TTg"].issuer == "Thủ tướng Chính phủ"
    assert ("Thông báo", "1269-TB/TU") in cited  # the same text cited as a notice: kept apart


def test_closing_formula_belongs_to_no_task(seed_docs: dict[str, Document]) -> None:
    doc = seed_docs["001_d1ea71c28f9b4230"]  # 001:326 "Trên đây là Kế hoạch CCHC …"
    assert not any("Trên đây là" in t.content for t in prose(doc))


def test_caption_that_disagrees_with_the_header_is_kept_and_warned(
    seed_docs: dict[str, Document],
) -> None:
    doc = seed_docs["003_3a026ceb35acf91e"]
    assert doc.issued_date == dt.date(2018, 12, 28)
    assert any("2018-12-18" in w and "both kept" in w for w in doc.warnings)  # 003:59 says 18/12
    assert "Kèm theo Kế hoạch số 7028 /KH-UBND ngày 28 tháng 12 năm 2018" in doc.captions


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("1.2. Nội dung/nhiệm vụ", "1.2."),  # 001:84
        ("1.2... Nội dung/nhiệm vụ", "1.2."),  # the same line in 001's scan: a speck read as ".."
        ("II. CHỈ TIÊU VÀ NỘI DUNG/NHIỆM VỤ", "II."),
        ("a) Sở Tài chính", "a)"),
    ],
)
def test_section_labels_as_printed_and_as_ocr_reads_them(text: str, label: str) -> None:
    assert split_label(text) == (label, text.split(" ", 1)[1])


def test_a_bare_number_is_a_footnote_not_a_label() -> None:
    assert split_label("1 Quyết định số 15") is None


REAL = SAMPLES / "real"


@pytest.fixture(scope="module")
def de_an_08() -> Document:
    return process_file(str(REAL / "trangsct_KH-SCT-LaoCai_DeAn08_prose-chutri-phoihop.docx"))


def test_closing_lines_assign_every_item_of_their_group(de_an_08: Document) -> None:
    # III.1 closes with "Lãnh đạo phụ trách: Phó giám đốc Hoàng Văn Thuân, …" and
    # "Đơn vị chủ trì: Phòng Quản lý Công nghiệp; Đơn vị phối hợp: …": six items, one group
    group = [t for t in prose(de_an_08) if t.section_path[-1].startswith("1. Tái cơ cấu")]
    assert len(group) == 6
    for task in group:
        assert task.lead_agencies == ["Phòng Quản lý Công nghiệp"]
        assert task.support_agencies == ["Phòng Quản lý Năng lượng", "Phòng Quản lý Thương mại"]
        assert task.leader_names == ["Hoàng Văn Thuân", "Nguyễn Đình Chiến"]
    assert not any("Đơn vị chủ trì" in t.content for t in prose(de_an_08))


def test_unit_colon_items_are_led_by_the_unit(de_an_08: Document) -> None:
    # V. Tổ chức thực hiện: "1. Phòng Quản lý Công nghiệp: Là đầu mối chủ trì …"
    first = next(t for t in prose(de_an_08) if t.content.startswith("Là đầu mối chủ trì"))
    assert first.lead_agencies == ["Phòng Quản lý Công nghiệp"]


def test_a_list_of_measures_assigns_no_one(de_an_08: Document) -> None:
    # IV. Giải pháp: 15 measures, no unit, no person, no time
    assert not any(t.section_path[0].startswith("IV.") for t in prose(de_an_08))


def test_a_letters_request_is_a_task_led_by_its_addressee() -> None:
    doc = process_file(str(REAL / "trangsct_CV-2265-BCT-ATMT_scanned.pdf"))
    [task] = doc.tasks
    assert task.content.startswith("Bộ Công Thương đề nghị Ủy ban nhân dân các tỉnh, thành phố")
    assert task.lead_agencies == ["Ủy ban nhân dân các tỉnh, thành phố"]
    assert (doc.doc_type, doc.issuer, doc.place) == ("Công văn", "Bộ Công Thương", "Hà Nội")
    assert doc.signer == "Trương Thanh Hoài"


def test_a_conditional_closing_request_is_no_task() -> None:
    # "Trong quá trình triển khai, nếu phát sinh khó khăn, vướng mắc, đề nghị Công ty báo cáo …"
    doc = process_file(str(REAL / "trangsct_TB-thamdinh-SCT-LaoCai_nonplan-tables.doc"))
    assert doc.tasks == []
    assert (doc.issuer, doc.signer) == ("Sở Công Thương tỉnh Lào Cai", "Hoàng Văn Thuân")


def test_an_officers_item_names_its_assignee_not_an_agency() -> None:
    # KH 1105/KH-ĐKT, 4.1: "Ông. Hoàng Văn Thuân - Trưởng đoàn: Phụ trách chung; …" (OCR'd)
    doc = process_file(str(REAL / "trangsct_KH-1105-DKT-SCT-LaoCai_broken-tounicode.pdf"))
    first = next(t for t in doc.tasks if t.assignees)
    assert first.assignees == ["Hoàng Văn Thuân"] and first.lead_agencies == []
    assert first.content.startswith("Phụ trách chung")


@pytest.mark.parametrize(
    ("sentence", "lead"),
    [
        # real/trangsct_CV-2265-BCT-ATMT: the ministry's request to the provinces
        (
            "Bộ Công Thương đề nghị Ủy ban nhân dân các tỉnh, thành phố hướng dẫn, tổ chức thực "
            "hiện cấp giấy phép",
            "Ủy ban nhân dân các tỉnh, thành phố",
        ),
        # "giao" inside "Giáo dục" is no request word; the request's addressee is lower case
        ("Sở Giáo dục và Đào tạo đề nghị các trường tổ chức tuyên truyền", "các trường"),
        # "các tổ chức" after a quantifier is a noun, not the verb "tổ chức"
        (
            "Đề nghị Ủy ban MTTQ Việt Nam tỉnh và các tổ chức chính trị - xã hội tuyên truyền",
            "Ủy ban MTTQ Việt Nam tỉnh và các tổ chức chính trị - xã hội",
        ),
        ("Giao Sở Tài chính chủ trì, phối hợp với các đơn vị thẩm định", "Sở Tài chính"),
        # a closing formula and work already given are no request
        ("Trong quá trình triển khai, nếu phát sinh khó khăn, đề nghị Sở Nội vụ báo cáo", None),
        ("Các nhiệm vụ được giao Sở Nội vụ thực hiện theo kế hoạch", None),
    ],
)
def test_request_sentences(sentence: str, lead: str | None) -> None:
    assert request_addressee(sentence) == lead
