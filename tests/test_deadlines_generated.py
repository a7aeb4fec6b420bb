"""Generated phrases: the grammar's dates checked against dates computed independently.

A deterministic grid (≥ 1,000 phrases) and a hypothesis search over the same space.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from vnplan.normalize.deadlines import parse_deadline

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# "Trước tháng 3/2024" means the end of February, so "trước" is tested on its own below.
LEADS = ["", "Trong ", "Hoàn thành trong ", "Báo cáo UBND Thành phố trong "]


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def day_phrase(year: int, month: int, day: int, style: int) -> str:
    forms = [
        f"trước ngày {day}/{month}/{year}",
        f"trước ngày {day:02d}/{month:02d}/{year}",
        f"ngày {day} tháng {month} năm {year}",
        f"chậm nhất là ngày {day}/{month}/{year}",
    ]
    return forms[style % len(forms)]


def month_phrase(year: int, month: int, style: int) -> str:
    forms = [
        f"Tháng {month}/{year}",
        f"tháng {month:02d}/{year}",
        f"{month:02d}/{year}",
        f"trong tháng {month}/{year}",
    ]
    return forms[style % len(forms)]


def quarter_phrase(year: int, quarter: int, style: int) -> str:
    forms = [
        f"Quý {ROMAN[quarter]}/{year}",
        f"Quý {ROMAN[quarter]} {year}",
        f"quý {ROMAN[quarter]} năm {year}",
        f"Quý {quarter}/{year}",
    ]
    return forms[style % len(forms)]


def grid() -> list[tuple[str, list[dt.date]]]:
    cases: list[tuple[str, list[dt.date]]] = []
    for year, month, lead in itertools.product(range(2015, 2035), range(1, 13), LEADS[:2]):
        cases.append((lead + month_phrase(year, month, year + month), [month_end(year, month)]))
        day = 1 + (year * month) % calendar.monthrange(year, month)[1]
        cases.append((day_phrase(year, month, day, year + month), [dt.date(year, month, day)]))
    for year, quarter, lead in itertools.product(range(2015, 2035), range(1, 5), LEADS):
        cases.append(
            (lead + quarter_phrase(year, quarter, year + quarter), [month_end(year, 3 * quarter)])
        )
    for year in range(2015, 2035):
        cases.append(
            (f"Năm {year}, năm {year + 1}", [dt.date(year, 12, 31), dt.date(year + 1, 12, 31)])
        )
        cases.append((f"{year} - {year + 2}", [dt.date(year + 2, 12, 31)]))
        cases.append((f"Từ tháng 3/{year} đến tháng 9/{year}", [month_end(year, 9)]))
    return cases


GRID = grid()


def test_the_grid_is_large_enough() -> None:
    assert len(GRID) >= 1000


def test_every_generated_phrase_gives_its_date() -> None:
    wrong = [
        (p, want, parse_deadline(p).dates) for p, want in GRID if parse_deadline(p).dates != want
    ]
    assert wrong == []


@settings(max_examples=1500, deadline=None)
@given(
    year=st.integers(1990, 2099),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    style=st.integers(0, 3),
    lead=st.sampled_from(LEADS),
)
def test_day_and_month_phrases(year: int, month: int, day: int, style: int, lead: str) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        assert parse_deadline(day_phrase(year, month, day, style)).dates == [
            dt.date(year, month, day)
        ]
    else:  # an impossible date gives nothing rather than a wrong date
        assert parse_deadline(day_phrase(year, month, day, style)).dates == []
    assert parse_deadline(lead + month_phrase(year, month, style)).dates == [month_end(year, month)]


@settings(max_examples=500, deadline=None)
@given(
    year=st.integers(1990, 2099),
    quarter=st.integers(1, 4),
    style=st.integers(0, 3),
    plan_year=st.integers(1990, 2099),
)
def test_quarters_and_the_plan_year(year: int, quarter: int, style: int, plan_year: int) -> None:
    assert parse_deadline(quarter_phrase(year, quarter, style)).dates == [
        month_end(year, 3 * quarter)
    ]
    parsed = parse_deadline(f"Trong quý {ROMAN[quarter]}", default_year=plan_year)
    assert parsed.dates == [month_end(plan_year, 3 * quarter)]
    assert parsed.items[0].year_assumed


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_without_error(text: str) -> None:
    parsed = parse_deadline(text, default_year=2024)
    assert parsed.dates == sorted(set(parsed.dates))


@settings(max_examples=300, deadline=None)
@given(year=st.integers(1990, 2099), month=st.integers(1, 12))
def test_before_a_month_is_the_last_day_of_the_month_before(year: int, month: int) -> None:
    want = dt.date(year, month, 1) - dt.timedelta(days=1)
    assert parse_deadline(f"Trước tháng {month}/{year}").dates == [want]
