"""The deadline grammar, each pattern pinned to a phrase printed in a seed (file:line)."""

from __future__ import annotations

import datetime as dt

import pytest

from vnplan.models import DeadlineKind
from vnplan.normalize.deadlines import parse_deadline

D = dt.date

CASES = [
    # (phrase as printed, due dates, recurring, kinds) — where it was seen
    ("Quý IV/2023", [D(2023, 12, 31)], False, ["quarter"]),  # 000:301
    ("Quý IV 2019", [D(2019, 12, 31)], False, ["quarter"]),  # 003:332
    ("Quý I/2019", [D(2019, 3, 31)], False, ["quarter"]),  # 003:330
    ("Quý II/2019", [D(2019, 6, 30)], False, ["quarter"]),  # 003:341
    ("Trong năm 2025", [D(2025, 12, 31)], False, ["year"]),  # 000:309
    ("Năm 2023, năm 2024", [D(2023, 12, 31), D(2024, 12, 31)], False, ["year", "year"]),  # 000:364
    ("Tháng 12/2023", [D(2023, 12, 31)], False, ["month"]),  # 000:365
    ("Tháng 2/2024", [D(2024, 2, 29)], False, ["month"]),  # 001:338 (leap year)
    ("Tháng 05/2024", [D(2024, 5, 31)], False, ["month"]),  # 001:374
    ("01/2019", [D(2019, 1, 31)], False, ["month"]),  # 003:329
    ("Tháng 11, tháng 12/2024", [D(2024, 11, 30), D(2024, 12, 31)], False, ["month", "month"]),
    ("Từ tháng 3/2024 đến tháng 6/2024", [D(2024, 6, 30)], False, ["range"]),  # 001:349+353
    ("Đến tháng 9/2024", [D(2024, 9, 30)], False, ["month"]),  # 001:354
    ("2019 - 2020", [D(2020, 12, 31)], False, ["range"]),  # 003:358
    (
        "Trước ngày 05/02/2024\n\nTrước ngày 22/2/2024",
        [D(2024, 2, 5), D(2024, 2, 22)],
        False,
        ["date", "date"],
    ),  # 001:336
    (
        "1. Các sở, ban, ngành hoàn thành xây dựng Đề án trước ngày 15/9/2023; 2. Tổ công tác "
        "báo cáo UBND Thành phố trước ngày 15/10/2023.",
        [D(2023, 9, 15), D(2023, 10, 15)],
        False,
        ["date", "date"],
    ),  # 000:318
    (
        "UBND quận, huyện, thị xã xây dựng Đề án trong tháng 9/2023; Hoàn thành trong Quý IV/2023 "
        "để vận hành từ tháng 01/2024.",
        [D(2023, 9, 30), D(2023, 12, 31)],
        False,
        ["month", "quarter"],
    ),  # 000:347 — "từ tháng 01/2024" is a start, not a due date
    (
        "- Thi tuyển trước tháng 3/2024\n- Tuyển dụng trong năm 2024.",
        [D(2024, 2, 29), D(2024, 12, 31)],
        False,
        ["date", "year"],
    ),  # 001:394
    (
        "Thực hiện theo Kế hoạch số 96/KH-UBND ngày 21/3/2023 của UBND Thành phố",
        [],
        False,
        ["none"],
    ),  # 000:361 — the date of a cited document
    (
        "Theo lộ trình tại Kế hoạch số 281/KH-UBND ngày 28/10/2022 của UBND Thành phố",
        [],
        False,
        ["conditional"],
    ),  # 001:382
    ("Nhiệm vụ thường xuyên", [], True, ["recurring"]),  # 000:311
    ("Theo kỳ báo cáo CCHC", [], True, ["recurring"]),  # 001:401
    ("Theo yêu cầu", [], False, ["conditional"]),  # 001:381
    ("Thực hiện sau khi có kết luận của cơ quan thanh tra", [], False, ["conditional"]),  # 000:341
    ("Theo quy định của ngành.", [], False, ["none"]),  # 001:377
    ("6 tháng đầu năm 2024", [D(2024, 6, 30)], False, ["half_year"]),  # common in other plans
    ("Hằng tháng", [], True, ["recurring"]),
    ("hàng quý", [], True, ["recurring"]),  # "hàng" and "hằng" are the same word here
]


@pytest.mark.parametrize(("phrase", "dates", "recurring", "kinds"), CASES)
def test_phrase(phrase: str, dates: list[dt.date], recurring: bool, kinds: list[str]) -> None:
    parsed = parse_deadline(phrase)
    assert parsed.dates == dates
    assert parsed.recurring is recurring
    assert [item.kind.value for item in parsed.items] == kinds


def test_items_keep_the_words_they_came_from() -> None:
    parsed = parse_deadline(
        "UBND quận xây dựng Đề án trong tháng 9/2023; Hoàn thành trong Quý IV/2023"
    )
    assert [item.raw for item in parsed.items] == ["tháng 9/2023", "Quý IV/2023"]
    quarter = parsed.items[1]
    assert (quarter.start, quarter.end) == (D(2023, 10, 1), D(2023, 12, 31))


def test_recurrence_is_named() -> None:
    item = parse_deadline("Nhiệm vụ thường xuyên").items[0]
    assert item.kind is DeadlineKind.RECURRING and item.recurrence == "continuous"


@pytest.mark.parametrize("phrase", ["", "   ", None, "Tháng 13/2024", "31/2/2024"])
def test_impossible_or_empty_gives_no_date(phrase: str | None) -> None:
    assert parse_deadline(phrase).dates == []


# Forms real plans of other provinces write (issue 5), with the plan's year 2024 for the
# phrases that give none.
WIDER = [
    ("quý I", [D(2024, 3, 31)], False, True),
    ("Trong quý I năm 2026", [D(2026, 3, 31)], False, False),
    ("6/2025", [D(2025, 6, 30)], False, False),
    ("tháng 01/2024", [D(2024, 1, 31)], False, False),
    ("trước 30/6", [D(2024, 6, 30)], False, True),
    ("ngày 15 tháng 9 năm 2023", [D(2023, 9, 15)], False, False),
    ("6 tháng đầu năm", [D(2024, 6, 30)], False, True),
    ("Từ tháng 3/2024 đến tháng 12/2024", [D(2024, 12, 31)], False, False),
    ("Định kỳ 6 tháng/lần", [], True, False),
    ("Thường xuyên trong năm", [], True, False),
    ("Hằng năm", [], True, False),
    ("Theo lộ trình đến năm 2030", [D(2030, 12, 31)], False, False),
    ("Theo yêu cầu", [], False, False),
    ("Theo quy định của Trung ương", [], False, False),
    ("chậm nhất là ngày 15/01/2026", [D(2026, 1, 15)], False, False),
    ("Trước ngày 05 của tháng liền kề", [], True, False),
    ("Sau 03 tháng kể từ khi có văn bản hướng dẫn", [], False, False),
]


@pytest.mark.parametrize(("phrase", "dates", "recurring", "assumed"), WIDER)
def test_wider_forms(phrase: str, dates: list[dt.date], recurring: bool, assumed: bool) -> None:
    parsed = parse_deadline(phrase, default_year=2024)
    assert parsed.dates == dates
    assert parsed.recurring is recurring
    assert any(i.year_assumed for i in parsed.items) is assumed


def test_without_a_plan_year_a_yearless_phrase_gives_no_date() -> None:
    assert parse_deadline("quý I").dates == []


def test_relative_deadline_is_typed_with_its_offset() -> None:
    [item] = parse_deadline("Sau 03 tháng kể từ khi có văn bản hướng dẫn").items
    assert item.kind is DeadlineKind.RELATIVE and item.offset == "P3M" and item.end is None
    assert item.condition == "khi có văn bản hướng dẫn"


def test_recurrence_names() -> None:
    assert parse_deadline("Định kỳ 6 tháng/lần").items[0].recurrence == "semiannual"
    assert parse_deadline("Hàng quý").items[0].recurrence == "quarterly"
    assert parse_deadline("Trước ngày 05 của tháng liền kề").items[0].recurrence == "monthly"
