"""The grammar of agency phrases (data/agency_grammar.toml), each rule pinned to a real cell.

Cells come from the seeds (file:line) and from the real documents in samples/real/ (file and
where in it); a property test checks that cutting a cell never loses or repeats a word.
"""

from __future__ import annotations

import pytest
import regex as re
from hypothesis import given, settings
from hypothesis import strategies as st

from vnplan.models import AgencyRole
from vnplan.normalize.agencies import NOT_AGENCY, expand_abbreviations, names, resolve_cell
from vnplan.normalize.phrases import grammar, split_phrases
from vnplan.textutil import fold

LEAD = AgencyRole.LEAD

GROUPS = [
    # real/trangsct_KH-SCT-LaoCai_DeAn08 (I.2 Yêu cầu): quantifier + three generic nouns + qualifier
    ("các sở, ngành, địa phương liên quan", "Các sở, ngành, địa phương liên quan", "province"),
    # real/trangsct_CV-2265-BCT-ATMT (Kính gửi): the level a ministry's letter addresses
    ("Ủy ban nhân dân các tỉnh, thành phố", "Ủy ban nhân dân các tỉnh, thành phố", "province"),
    # real/trangsct_CV-193-UBND-KT-LaoCai (heading 6): a group with a long qualifier
    (
        "Các tổ chức, doanh nghiệp hoạt động trong lĩnh vực có liên quan",
        "Các tổ chức, doanh nghiệp hoạt động trong lĩnh vực có liên quan",
        None,
    ),
    # commune level after 1 July 2025 (registry group)
    ("UBND các xã, phường, đặc khu", "Ủy ban nhân dân các xã, phường, đặc khu", "commune"),
    ("Các bộ, cơ quan ngang bộ", "Các bộ, cơ quan ngang bộ", "central"),
]


def test_groups_are_one_agency_of_kind_group_with_their_level() -> None:
    for cell, canonical, level in GROUPS:
        [mention] = resolve_cell(cell, LEAD)
        assert (mention.canonical, mention.kind) == (canonical, "group"), cell
        if level:
            assert mention.level == level, cell


def test_group_canonical_folds_the_case_of_generic_nouns() -> None:
    a = names(resolve_cell("Các Sở, Ban, Ngành, địa phương", LEAD))
    b = names(resolve_cell("các sở, ban, ngành, địa phương", LEAD))
    assert a == b == ["Các sở, ban, ngành, địa phương"]


def test_closing_lines_of_a_task_group() -> None:
    # real/trangsct_KH-SCT-LaoCai_DeAn08 (III.1): "Đơn vị phối hợp: Phòng …, Phòng …"
    assert names(resolve_cell("Phòng Quản lý Năng lượng, Phòng Quản lý Thương mại.", LEAD)) == [
        "Phòng Quản lý Năng lượng",
        "Phòng Quản lý Thương mại",
    ]
    assert names(resolve_cell("Phòng Quản lý Năng lượng, Văn phòng Sở.", LEAD)) == [
        "Phòng Quản lý Năng lượng",
        "Văn phòng Sở",
    ]


def test_a_name_with_commas_or_line_breaks_is_not_cut() -> None:
    # seed 000:355 with the province written out
    assert names(resolve_cell("Trung tâm Xúc tiến đầu tư, thương mại, du lịch", LEAD)) == [
        "Trung tâm Xúc tiến đầu tư, thương mại, du lịch"
    ]
    # a narrow column wraps a national body's name over three lines
    [m] = resolve_cell("Liên đoàn Thương\nmại và Công nghiệp\nViệt Nam", LEAD)
    assert (m.canonical, m.resolved) == ("Liên đoàn Thương mại và Công nghiệp Việt Nam", True)


def test_heads_after_separators_start_new_agencies() -> None:
    # real/trangsct_CV-193-UBND-KT-LaoCai (heading 4): two bodies joined by "và"
    cell = "Công an tỉnh và Bộ Chỉ huy Bộ đội Biên phòng tỉnh"
    assert names(resolve_cell(cell, LEAD, "Lào Cai")) == [
        "Công an tỉnh",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    ]
    # "với" before a quantifier (the group is the seeds' "Các sở, ban, ngành", SPEC.md)
    assert names(resolve_cell("Sở Công Thương với các sở, ngành liên quan", LEAD)) == [
        "Sở Công Thương",
        "Các sở, ban, ngành",
    ]


def test_the_issuers_own_province_is_dropped_another_kept() -> None:
    assert names(resolve_cell("Sở Tài chính tỉnh Lào Cai", LEAD, "Lào Cai")) == ["Sở Tài chính"]
    assert names(resolve_cell("UBND tỉnh Lào Cai", LEAD, None)) == ["Ủy ban nhân dân tỉnh Lào Cai"]
    [m] = resolve_cell("UBND tỉnh Lào Cai", LEAD, "Lào Cai")
    assert (m.canonical, m.province) == ("Ủy ban nhân dân tỉnh", "Lào Cai")


def test_nationwide_registry_names() -> None:
    cases = {
        "Bộ KH&CN": "Bộ Khoa học và Công nghệ",
        "Ủy ban Pháp luật và Tư pháp của Quốc hội": "Ủy ban Pháp luật và Tư pháp",
        "Hội đồng Dân tộc": "Hội đồng Dân tộc",  # real/vbpl_NQ-92-2025-UBTVQH15 (Điều 2)
        "Ủy ban Thường vụ Quốc hội": "Ủy ban Thường vụ Quốc hội",
        "Bộ Công Thương": "Bộ Công Thương",  # real/trangsct_CV-2265 (issuer)
    }
    for cell, canonical in cases.items():
        [m] = resolve_cell(cell, LEAD)
        assert (m.canonical, m.resolved) == (canonical, True), cell


def test_unknown_well_formed_name_is_one_unresolved_agency() -> None:
    # real/trangsct_CV-193-UBND-KT-LaoCai (heading 4), the name as printed there
    [m] = resolve_cell("Ban Chỉ huy Bộ đội Biên phòng tỉnh Lào Cai", LEAD)
    assert m.resolved is False and m.kind == "ban"
    assert m.canonical == "Ban Chỉ huy Bộ đội Biên phòng tỉnh Lào Cai"


def test_a_cited_assignment_is_not_an_agency_and_the_number_stays_as_printed() -> None:
    cell = "Theo phân công tại Quyết định số 12/QĐ-UBND ngày 05/01/2024 của Chủ tịch UBND tỉnh"
    [m] = resolve_cell(cell, LEAD)
    assert m.kind == NOT_AGENCY and m.canonical is None
    assert "12/QĐ-UBND" in m.raw and names([m]) == []
    assert expand_abbreviations("Số: 193/UBND-KT") == "Số: 193/UBND-KT"


def test_a_title_stands_for_its_agency_and_alone_is_no_agency() -> None:
    assert names(resolve_cell("Giám đốc Sở Tài chính", LEAD)) == ["Sở Tài chính"]
    [m] = resolve_cell("Phó Giám đốc phụ trách", LEAD)
    assert m.kind == NOT_AGENCY


def test_every_head_of_the_grammar_starts_a_phrase_after_a_comma() -> None:
    for head in grammar().heads:
        printed = head[:1].upper() + head[1:]
        cell = f"Các cơ quan liên quan, {printed} Xyz"
        assert len(split_phrases(cell)) == 2, head


WORD = re.compile(r"\p{L}+")
PIECES = st.sampled_from(
    [
        "Các cơ quan",
        "đơn vị",
        "địa phương liên quan",
        "Sở Tài chính",
        "Ủy ban nhân dân tỉnh",
        "huyện",
        "Trung tâm Xúc tiến đầu tư",
        "thương mại",
        "Liên đoàn Thương",
        "mại và Công nghiệp",
        "Phòng Quản lý Năng lượng",
        "các sở, ngành",
        "Bộ Công an",
    ]
)
SEPARATORS = st.sampled_from([", ", "; ", " và ", " với ", "\n", "\n- ", " - ", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PIECES, SEPARATORS), min_size=1, max_size=6))
def test_splitting_never_loses_or_repeats_a_word(parts: list[tuple[str, str]]) -> None:
    cell = "".join(p + s for p, s in parts).strip()
    phrases = split_phrases(cell)
    # what the cut dropped is only separators and link words
    rest = cell
    for phrase in phrases:
        at = rest.find(phrase)
        assert at >= 0, (cell, phrases)
        dropped = rest[:at]
        assert not WORD.sub("", grammar().separator.sub("", dropped)).strip(" -–•+;,"), (
            cell,
            phrases,
        )
        assert all(fold(w) in ("va", "voi", "cung") for w in WORD.findall(dropped)), dropped
        rest = rest[at + len(phrase) :]
    assert all(fold(w) in ("va", "voi", "cung") for w in WORD.findall(rest)), rest


def test_a_predicate_after_a_group_is_not_part_of_its_name() -> None:
    # real/trangsct_CV-193-UBND-KT-LaoCai 4c: "Phối hợp với Sở Ngoại vụ và chính quyền địa
    # phương quản lý chặt chẽ việc …"
    assert names(resolve_cell("chính quyền địa phương quản lý chặt chẽ việc", LEAD)) == [
        "Chính quyền địa phương"
    ]
    # a capitalised "Quản lý" is part of a name
    assert names(resolve_cell("Phòng Quản lý Năng lượng", LEAD)) == ["Phòng Quản lý Năng lượng"]


@pytest.mark.parametrize(
    ("cell", "locality", "expected"),
    [
        # a verb inside a named body's name is no predicate, and a short start is no cut-off
        # name of a longer one
        (
            "Ban chỉ đạo xây dựng nông thôn mới tỉnh",
            "Lào Cai",
            ["Ban chỉ đạo xây dựng nông thôn mới tỉnh"],
        ),
        # a head shared by every name of the list
        ("Sở Nội vụ, Tài chính, Tư pháp", None, ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp"]),
        # "Các Bộ:" comes before a name's own head ("Công an")
        (
            "Các Bộ: Công an, Quốc phòng, Ngoại giao",
            None,
            ["Bộ Công an", "Bộ Quốc phòng", "Bộ Ngoại giao"],
        ),
        # a bracket after a name is a note or a unit of it
        ("Sở Tài chính (chủ trì), Sở Nội vụ", None, ["Sở Tài chính", "Sở Nội vụ"]),
        # a province's city is not the province ("thành phố" in lower case, a city of a tỉnh)
        ("UBND thành phố Lào Cai", "Lào Cai", ["Ủy ban nhân dân thành phố Lào Cai"]),
        ("UBND thành phố Hà Nội", None, ["Ủy ban nhân dân thành phố Hà Nội"]),
    ],
)
def test_reviewed_cells(cell: str, locality: str | None, expected: list[str]) -> None:
    assert names(resolve_cell(cell, LEAD, locality)) == expected


def test_a_local_body_is_never_a_central_one_by_fuzzy_match() -> None:
    [m] = resolve_cell("Hội Liên hiệp Phụ nữ Việt Nam tỉnh", LEAD, "Lào Cai")
    assert m.level != "central"


def test_a_name_that_ends_with_its_place_is_complete() -> None:
    # two enterprises of the province, neither with a head the grammar knows
    assert names(resolve_cell("Viettel Lào Cai, VNPT Lào Cai", LEAD, "Lào Cai")) == [
        "Viettel Lào Cai",
        "VNPT Lào Cai",
    ]
