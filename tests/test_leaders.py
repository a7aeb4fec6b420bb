"""Leader cells → people (name, title, role) and role-only entries; cells from the seeds."""

from __future__ import annotations

import pytest

from vnplan.models import AgencyRole
from vnplan.normalize.leaders import leader_names, parse_leaders

LEAD, SUPPORT = AgencyRole.LEAD, AgencyRole.SUPPORT

CASES = [
    (  # 001:336
        "Đ/c Trần Sỹ Thanh,\nChủ tịch UBND Thành phố",
        [("Trần Sỹ Thanh", "Chủ tịch UBND Thành phố", LEAD)],
    ),
    (  # 001:386 — title before the name
        "Đ/c Phó Chủ tịch UBND Thành phố Hà Minh Hải",
        [("Hà Minh Hải", "Phó Chủ tịch UBND Thành phố", LEAD)],
    ),
    (  # 000:303 — roles labelled, a role-only supporter
        "Chủ trì: D/c Lê Hồng Sơn; "
        "Phối hợp: Các d/c Phó Chủ tịch UBND TP phụ trách ngành, lĩnh vực",
        [
            ("Lê Hồng Sơn", None, LEAD),
            (None, "Phó Chủ tịch UBND TP phụ trách ngành, lĩnh vực", SUPPORT),
        ],
    ),
    (  # 000:318 — two leaders with their posts, one supporter
        "Chủ trì: D/c Lê Hồng Sơn, Tổ trưởng Tổ công tác; D/c Hà Minh Hải, Tổ phó Tổ công tác;  "
        "Phối hợp: D/c Vũ Thu Hà, phụ trách ngành, lĩnh vực",
        [
            ("Lê Hồng Sơn", "Tổ trưởng Tổ công tác", LEAD),
            ("Hà Minh Hải", "Tổ phó Tổ công tác", LEAD),
            ("Vũ Thu Hà", "phụ trách ngành, lĩnh vực", SUPPORT),
        ],
    ),
    (  # 000:348 — names listed after the shared title
        "Các d/c Phó Chủ tịch UBND TP: Dương Đức Tuấn, Nguyễn Mạnh Quyền phụ trách ngành, lĩnh vực",
        [
            ("Dương Đức Tuấn", "Phó Chủ tịch UBND TP, phụ trách ngành, lĩnh vực", LEAD),
            ("Nguyễn Mạnh Quyền", "Phó Chủ tịch UBND TP, phụ trách ngành, lĩnh vực", LEAD),
        ],
    ),
    (  # 000:299 — a role, no person
        "Các Phó Chủ tịch UBND Thành phố phụ trách ngành, lĩnh vực",
        [(None, "Các Phó Chủ tịch UBND Thành phố phụ trách ngành, lĩnh vực", LEAD)],
    ),
    ("D/c Nguyễn Mạnh Quyền", [("Nguyễn Mạnh Quyền", None, LEAD)]),  # 000:300, OCR "D/c"
    ("Chủ tịch UBND Thành phố", [(None, "Chủ tịch UBND Thành phố", LEAD)]),  # 001:394
]


@pytest.mark.parametrize(("cell", "want"), CASES)
def test_leader_cell(cell: str, want: list[tuple[str | None, str | None, AgencyRole]]) -> None:
    assert [(x.name, x.title, x.role) for x in parse_leaders(cell)] == want


def test_names_only_people_without_repeats() -> None:
    cell = "Chủ trì: Đ/c Lê Hồng Sơn; Phối hợp: Các đ/c Phó Chủ tịch UBND TP; Đ/c Lê Hồng Sơn"
    assert leader_names(cell) == ["Lê Hồng Sơn"]


def test_every_seed_leader_cell_names_someone_or_a_role(seed_docs: dict) -> None:  # type: ignore[type-arg]
    for doc in seed_docs.values():
        for task in doc.tasks:
            if task.leader_raw:
                assert task.leaders, (task.provenance.line, task.leader_raw)
