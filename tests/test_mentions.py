"""Agency mentions in running text through the spaCy pipeline built from the registry."""

from __future__ import annotations

import pytest

from vnplan.models import AgencyRole, Document
from vnplan.normalize.mentions import find_mentions, pipeline

CASES = [
    (  # 000:65 — the body text restating an appendix row
        "Giao Văn phòng UBND Thành phố chủ trì, phối hợp với Sở Thông tin và Truyền thông và các "
        "cơ quan, đơn vị có liên quan triển khai hệ thống phần mềm dùng chung.",
        [
            "Văn phòng Ủy ban nhân dân Thành phố",
            "Sở Thông tin và Truyền thông",
            "Các cơ quan, đơn vị có liên quan",
        ],
    ),
    (  # 000:342 — names inside a task description, followed by punctuation
        "tại Ban Quản lý các công trình nhà ở và công sở thuộc Sở Xây dựng, Công ty TNHH MTV "
        "Quản lý và Phát triển nhà Hà Nội; Tổng Công ty Đầu tư Xây dựng và Phát triển nhà Hà Nội",
        [
            "Sở Xây dựng",
            "Công ty TNHH MTV Quản lý và Phát triển nhà Hà Nội",
            "Tổng Công ty Đầu tư Xây dựng và Phát triển nhà Hà Nội",
        ],
    ),
    ("Báo cáo kết quả về So Noi vu.", ["Sở Nội vụ"]),  # diacritics lost
    ("Triển khai trong Quý IV/2023 tại Hà Nội", []),  # no agency: no false place entity
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_mentions_in_text(text: str, expected: list[str]) -> None:
    mentions = find_mentions(text)
    assert [m.canonical for m in mentions] == expected
    assert all(m.role is AgencyRole.MENTIONED and m.score == 1.0 for m in mentions)


def test_pipeline_is_a_blank_vietnamese_model_with_a_registry_ruler() -> None:
    nlp = pipeline()
    assert nlp.lang == "vi"
    assert nlp.pipe_names == ["vnplan_fold_norm", "entity_ruler"]


def test_seed_tasks_carry_the_agencies_their_text_names(seed_docs: dict[str, Document]) -> None:
    task = next(t for t in seed_docs["000_76046f262c6874d6"].tasks if t.provenance.line == 342)
    assert "Công ty TNHH MTV Quản lý và Phát triển nhà Hà Nội" in task.mentioned_agencies
