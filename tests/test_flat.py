"""Tables a browser copy flattened: one paragraph per cell, empty cells lost (samples/flat/,
made by tools/make_flat_samples.py from the seeds' pages). Rows are rebuilt from the header's
columns and what each paragraph holds; the copies must read as the seeds' expected files say."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from vnplan.ingest import flat_cells, flattened
from vnplan.ingest.text import blocks_from_text
from vnplan.models import Document, Paragraph, Table
from vnplan.pipeline import process_file
from vnplan.textutil import squash

from conftest import ROOT, SAMPLES, SEEDS
from expected import (
    FIELDS,
    actual_fields,
    agreement,
    appendix,
    expected_value,
    load_expected,
)

FLAT = SAMPLES / "flat"


def task_agreement(doc: Document, stem: str) -> tuple[float, dict[str, float], list[str]]:
    """(task F1, share of expected tasks with each field right, mismatches): tasks are paired
    by their task text, in order (the copies' line numbers are not the seed's)."""
    expected = load_expected(stem)["tasks"]
    got = [actual_fields(t) for t in appendix(doc)]
    pool: dict[str, list[int]] = {}
    for index, task in enumerate(got):
        pool.setdefault(squash(task["content"] or ""), []).append(index)
    matched, right, mismatches = 0, dict.fromkeys(FIELDS, 0), []
    for entry in expected:
        found = pool.get(squash(entry["content"] or ""))
        if not found:
            mismatches.append(f"{entry['task_no']}: no task {entry['content'][:50]!r}")
            continue
        task = got[found.pop(0)]
        matched += 1
        for name in FIELDS:
            want = expected_value(entry, name)
            if task[name] == want:
                right[name] += 1
            else:
                mismatches.append(f"{entry['task_no']} {name}: {task[name]!r}, want {want!r}")
    precision, recall = matched / max(len(got), 1), matched / len(expected)
    f1 = 2 * precision * recall / (precision + recall) if matched else 0.0
    return f1, {n: v / len(expected) for n, v in right.items()}, mismatches


@pytest.mark.parametrize("kind", ["txt", "html"])
@pytest.mark.parametrize("stem", list(SEEDS))
def test_flattened_copies_agree_with_the_expected_files(stem: str, kind: str) -> None:
    doc = process_file(str(FLAT / f"{stem}.{kind}"))
    f1, fields, mismatches = task_agreement(doc, stem)
    assert f1 == 1.0 and min(fields.values()) == 1.0, mismatches[:10]


def test_the_copies_are_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_flat", ROOT / "tools/make_flat_samples.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generator  # its dataclasses look their module up
    spec.loader.exec_module(generator)
    for stem in SEEDS:
        pieces = generator.flatten((SAMPLES / "html" / f"{stem}.html").read_text("utf-8"))
        assert (FLAT / f"{stem}.txt").read_text("utf-8") == generator.to_text(pieces)
        assert (FLAT / f"{stem}.html").read_text("utf-8") == generator.to_html(pieces, stem)


def _grid(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


COLUMNS = ("STT", "Nội dung công việc", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp")
HEADER = "\n\n".join((*COLUMNS, "Thời gian hoàn thành", ""))


def test_lost_empty_cells_are_placed_by_what_the_cells_hold() -> None:
    text = HEADER + (
        "I\n\nCông tác chỉ đạo, điều hành\n\n"
        "1\n\nBan hành Kế hoạch cải cách hành chính năm 2026\n\nKế hoạch\n\nSở Nội vụ\n\n"
        "- Các sở, ban, ngành\n- UBND các xã, phường\n\nTháng 1/2026\n\n"
        "2\n\nTổ chức kiểm tra công tác cải cách hành chính tại các xã\n\n"
        "Sở Nội vụ\n\nQuý III/2026\n\n"
        "-\n\nBáo cáo kết quả\n\nTháng 12/2026\n\n"
        "Nơi nhận:\n\n- Như trên;\n"
    )
    blocks = blocks_from_text(text)
    [table] = [b for b in blocks if isinstance(b, Table)]
    assert _grid(table)[1:] == [
        ["I", "Công tác chỉ đạo, điều hành", "", "", "", ""],
        [
            "1",
            "Ban hành Kế hoạch cải cách hành chính năm 2026",
            "Kế hoạch",
            "Sở Nội vụ",
            "- Các sở, ban, ngành\n- UBND các xã, phường",
            "Tháng 1/2026",
        ],
        [
            "2",
            "Tổ chức kiểm tra công tác cải cách hành chính tại các xã",
            "",
            "Sở Nội vụ",
            "",
            "Quý III/2026",
        ],
        ["-", "", "Báo cáo kết quả", "", "", "Tháng 12/2026"],
    ]
    closing = blocks[-2]  # the table ends where the closing text starts
    assert isinstance(closing, Paragraph) and closing.text == "Nơi nhận:"


def test_a_column_number_row_under_the_header_is_dropped() -> None:
    numbers = "".join(f"({n})\n\n" for n in range(1, 7))
    text = HEADER + numbers + "1\n\nRà soát thủ tục hành chính\n\nSở Tư pháp\n\nQuý I/2026\n"
    [table] = [b for b in blocks_from_text(text) if isinstance(b, Table)]
    assert _grid(table)[1:] == [
        ["1", "Rà soát thủ tục hành chính", "", "Sở Tư pháp", "", "Quý I/2026"]
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Quý IV/2023", "time"),
        ("Nhiệm vụ thường xuyên", "time"),
        ("Các sở, ban, ngành báo cáo UBND Thành phố trong tháng 9/2023.", "timed"),
        ("- Sở, Ban, Ngành\n- UBND các quận, huyện, thị xã", "agency"),
        ("Đ/c Trần Sỹ Thanh,\nChủ tịch UBND Thành phố", "person"),
        ("Kế hoạch của UBND TP", "product"),
        ("Báo cáo", "product"),  # not "Báo …", a newspaper
        ("Công tác chỉ đạo, điều hành CCHC", "other"),  # not "Cổng …", a portal
        ("Bảo đảm an toàn thông tin cho hệ thống thông tin của các cơ quan nhà nước", "sentence"),
    ],
)
def test_what_a_cell_holds(text: str, kind: str) -> None:
    assert flat_cells.kind_of(text) == kind


def test_marked_empty_cells_still_cut_n_at_a_time() -> None:
    items = [
        flattened.Item(t)
        for t in ["STT", "Nội dung", "Cơ quan chủ trì", "Thời gian", "1", "A", "\xa0", "Quý I/2026"]
    ]
    [(_, _, table)] = flattened.find_tables(items)
    assert _grid(table)[1] == ["1", "A", "", "Quý I/2026"]


@pytest.mark.parametrize("kind", ["txt", "html"])
@pytest.mark.parametrize("stem", list(SEEDS))
def test_flattened_copies_agree_with_the_text_seed_task_by_task(
    stem: str, kind: str, seed_docs: dict[str, Document]
) -> None:
    """Every task, prose ones too, section paths included, as the text seed reads it."""
    _, mismatches = agreement(seed_docs[stem], process_file(str(FLAT / f"{stem}.{kind}")))
    assert mismatches == []


def test_the_text_after_the_table_is_left_alone() -> None:
    after = (
        "III. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Sở Nội vụ theo dõi, đôn đốc việc thực hiện Kế hoạch này.\n\n"
        "2. Các sở, ban, ngành báo cáo kết quả trước ngày 15/12/2026.\n"
    )
    text = HEADER + "1\n\nRà soát thủ tục hành chính\n\nSở Tư pháp\n\nQuý I/2026\n\n" + after
    blocks = blocks_from_text(text)
    [table] = [b for b in blocks if isinstance(b, Table)]
    assert len(table.rows) == 2
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert paragraphs[-3:] == [p for p in after.split("\n") if p]


@pytest.mark.parametrize("stem", list(SEEDS))
def test_bullets_set_apart_as_paragraphs_still_make_one_cell(stem: str, tmp_path: Path) -> None:
    """A copy that sets every line apart (each "- Sở …" bullet its own paragraph): every task
    is still found with its text and time. Which bullets are the lead's and which the
    support's is lost when both cells are bulleted lists, so those are not asserted."""
    text = (FLAT / f"{stem}.txt").read_text("utf-8").replace("\n", "\n\n")
    path = tmp_path / f"{stem}.txt"
    path.write_text(text, "utf-8")
    f1, fields, mismatches = task_agreement(process_file(str(path)), stem)
    assert f1 == 1.0, mismatches[:5]
    assert fields["content"] == fields["deadlines"] == 1.0, mismatches[:5]
