"""Deadline grammar: a time cell as printed → typed `Deadline`s.

Patterns run on folded text (no diacritics, lowercase; same length as the original, so each
match cuts its raw words out of the cell). They are tried in order and each match masks its
span, so "15/9/2023" is a day and never also the month "9/2023". The words come from
data/deadlines.toml.
"""

from __future__ import annotations

import calendar
import datetime as dt
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import regex as re

from vnplan.models import Deadline, DeadlineKind
from vnplan.textutil import fold, squash

QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _words(items: list[str]) -> str:
    """Alternation of folded phrases, spaces matching any whitespace."""
    folded = sorted({fold(w) for w in items}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in folded) + ")"


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    text = resources.files("vnplan.normalize").joinpath("data/deadlines.toml").read_text("utf-8")
    return tomllib.loads(text)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Grammar:
    citation: re.Pattern[str]
    half_year: re.Pattern[str]
    range_: re.Pattern[str]
    start_only: re.Pattern[str]
    before_month: re.Pattern[str]
    day: re.Pattern[str]
    quarter: re.Pattern[str]
    month: re.Pattern[str]
    month_no_year: re.Pattern[str]
    year_range: re.Pattern[str]
    year: re.Pattern[str]
    bare_year: re.Pattern[str]
    half_no_year: re.Pattern[str]
    day_words: re.Pattern[str]
    day_no_year: re.Pattern[str]
    quarter_no_year: re.Pattern[str]
    relative: re.Pattern[str]
    units: dict[str, str]
    half_map: dict[str, int]
    recurring: list[tuple[re.Pattern[str], str]]
    conditional: list[tuple[re.Pattern[str], str]]


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    v = vocabulary()
    month, quarter, year, day = (
        _words(v["month"]),
        _words(v["quarter"]),
        _words(v["year"]),
        _words(v["day"]),
    )
    before, frm, to, cite = (
        _words(v["before"]),
        _words(v["range_from"]),
        _words(v["range_to"]),
        _words(v["citation"]),
    )
    b = r"(?<![\p{L}\d])"  # word start
    e = r"(?![\p{L}\d])"  # word end
    # One period inside "từ … đến …": a day, a month, a quarter or a year.
    period = (
        "(?:"
        + "|".join(
            [
                rf"(?:{day}\s+)?\d{{1,2}}\s*/\s*\d{{1,2}}\s*/\s*\d{{4}}",
                rf"{month}\s+\d{{1,2}}(?:\s*/\s*\d{{4}})?",
                rf"{quarter}\s+[ivx1-4]+(?:\s*/\s*\d{{4}})?",
                rf"(?:{year}\s+)?\d{{4}}",
            ]
        )
        + ")"
    )
    return Grammar(
        citation=re.compile(
            rf"{b}{cite}\s*:?\s*\d+[\p{{L}}\d/\-.]*\s+{day}\s+\d{{1,2}}\s*/\s*\d{{1,2}}\s*/\s*\d{{2,4}}"
        ),
        half_year=re.compile(rf"{b}(?P<phrase>{_words(list(v['half_year']))})\s+(?P<y>\d{{4}}){e}"),
        range_=re.compile(rf"{b}{frm}\s+(?P<a>{period})\s+{to}\s+(?P<b>{period}){e}"),
        start_only=re.compile(rf"{b}{frm}\s+(?P<a>{period}){e}"),
        before_month=re.compile(
            rf"{b}{before}\s+{month}\s+(?P<m>\d{{1,2}})\s*/\s*(?P<y>\d{{4}}){e}"
        ),
        day=re.compile(
            rf"(?<![\d/])(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})\s*/\s*(?P<y>\d{{4}}){e}"
        ),
        quarter=re.compile(
            rf"{b}{quarter}\s+(?P<q>iv|iii|ii|i|[1-4])(?:\s*/\s*|\s+(?:{year}\s+)?)(?P<y>\d{{4}}){e}"
        ),
        month=re.compile(rf"(?:{b}{month}\s+)?(?<![\d/])(?P<m>\d{{1,2}})\s*/\s*(?P<y>\d{{4}}){e}"),
        month_no_year=re.compile(rf"{b}{month}\s+(?P<m>\d{{1,2}})(?!\s*/|\d)"),
        year_range=re.compile(rf"(?<![\d/])(?P<a>\d{{4}})\s*[-–]\s*(?P<b>\d{{4}}){e}"),
        year=re.compile(rf"{b}{year}\s+(?P<y>\d{{4}}){e}"),
        bare_year=re.compile(r"^\s*(?P<y>\d{4})\s*\.?\s*$"),
        half_no_year=re.compile(rf"{b}(?P<phrase>{_words(list(v['half_year']))})(?!\s+\d)"),
        day_words=re.compile(
            rf"{b}{day}\s+(?P<d>\d{{1,2}})\s+{month}\s+(?P<m>\d{{1,2}})\s+{year}\s+(?P<y>\d{{4}}){e}"
        ),
        day_no_year=re.compile(
            rf"{b}(?:{before}\s+(?:{day}\s+)?|{day}\s+)(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})(?![\d/])"
        ),
        quarter_no_year=re.compile(rf"{b}{quarter}\s+(?P<q>iv|iii|ii|i|[1-4]){e}(?!\s*/?\s*\d)"),
        relative=re.compile(
            rf"{b}{_words(v['relative_after'])}\s+(?P<n>\d{{1,3}})\s+(?P<unit>{_words(list(v['relative_units']))})"
            rf"\s+{_words(v['relative_since'])}(?P<since>[^.;\n]*)"
        ),
        units={fold(k): u for k, u in v["relative_units"].items()},
        half_map={fold(k): n for k, n in v["half_year"].items()},
        recurring=[(re.compile(rf"{b}{_words([k])}{e}"), r) for k, r in v["recurring"].items()],
        conditional=[(re.compile(rf"{b}{_words([k])}{e}"), r) for k, r in v["conditional"].items()],
    )


YEARS = range(1900, 2201)  # a plan's dates: anything else is a typo or noise, not a deadline


def _plausible(m: re.Match[str]) -> bool:
    """Every year a match states lies in YEARS."""
    return all(
        int(value) in YEARS
        for key, value in m.groupdict().items()
        if key in ("y", "a", "b") and value and value.isdigit()
    )


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _period_bounds(folded: str, year: int | None) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) of one period expression such as 'thang 3/2024' or 'quy iv/2023'."""
    items = _scan(folded, folded, year)
    dated = [i for i in items if i.end is not None]
    if not dated:
        return None, None
    return dated[0].start, dated[-1].end


def _scan(folded: str, raw: str, default_year: int | None) -> list[Deadline]:
    g = grammar()
    found: list[tuple[int, Deadline]] = []
    text = folded

    def take(pattern: re.Pattern[str], build: Callable[[re.Match[str]], Deadline | None]) -> None:
        nonlocal text
        for m in list(pattern.finditer(text)):
            item = build(m) if _plausible(m) else None  # "2/0000" is no month
            text = _mask(text, m.start(), m.end())
            if item is not None:
                found.append((m.start(), item))

    def raw_of(m: re.Match[str]) -> str:
        return squash(raw[m.start() : m.end()])

    text = g.citation.sub(lambda m: " " * len(m.group(0)), text)

    def half(m: re.Match[str]) -> Deadline:
        y, n = int(m.group("y")), g.half_map.get(squash(m.group("phrase")), 1)
        return Deadline(
            kind=DeadlineKind.HALF_YEAR,
            raw=raw_of(m),
            start=dt.date(y, 1 if n == 1 else 7, 1),
            end=month_end(y, 6 if n == 1 else 12),
        )

    def range_(m: re.Match[str]) -> Deadline | None:
        a_start, _ = _period_bounds(m.group("a"), default_year)
        _, b_end = _period_bounds(m.group("b"), default_year)
        if b_end is None:
            return None
        return Deadline(kind=DeadlineKind.RANGE, raw=raw_of(m), start=a_start, end=b_end)

    def before_month(m: re.Match[str]) -> Deadline | None:
        y, mo = int(m.group("y")), int(m.group("m"))
        if not 1 <= mo <= 12:
            return None
        first = dt.date(y, mo, 1)
        return Deadline(kind=DeadlineKind.DATE, raw=raw_of(m), end=first - dt.timedelta(days=1))

    def day(m: re.Match[str]) -> Deadline | None:
        when = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        return (
            Deadline(kind=DeadlineKind.DATE, raw=raw_of(m), start=when, end=when) if when else None
        )

    def quarter(m: re.Match[str]) -> Deadline:
        y, q = int(m.group("y")), QUARTERS[m.group("q")]
        return Deadline(
            kind=DeadlineKind.QUARTER,
            raw=raw_of(m),
            start=dt.date(y, 3 * q - 2, 1),
            end=month_end(y, 3 * q),
        )

    def month(m: re.Match[str]) -> Deadline | None:
        y, mo = int(m.group("y")), int(m.group("m"))
        if not 1 <= mo <= 12:
            return None
        return Deadline(
            kind=DeadlineKind.MONTH, raw=raw_of(m), start=dt.date(y, mo, 1), end=month_end(y, mo)
        )

    def year_range(m: re.Match[str]) -> Deadline:
        return Deadline(
            kind=DeadlineKind.RANGE,
            raw=raw_of(m),
            start=dt.date(int(m.group("a")), 1, 1),
            end=dt.date(int(m.group("b")), 12, 31),
        )

    def year(m: re.Match[str]) -> Deadline:
        y = int(m.group("y"))
        return Deadline(
            kind=DeadlineKind.YEAR, raw=raw_of(m), start=dt.date(y, 1, 1), end=dt.date(y, 12, 31)
        )

    def relative(m: re.Match[str]) -> Deadline:
        unit = g.units.get(squash(m.group("unit")), "D")
        return Deadline(
            kind=DeadlineKind.RELATIVE,
            raw=raw_of(m),
            offset=f"P{int(m.group('n'))}{unit}",
            condition=squash(raw[m.start("since") : m.end("since")]) or None,
        )

    def assumed(
        build: Callable[[re.Match[str], int], Deadline | None],
    ) -> Callable[[re.Match[str]], Deadline | None]:
        """A phrase with no year ("quý I", "trước 30/6") takes the plan's year, recorded."""

        def wrapped(m: re.Match[str]) -> Deadline | None:
            if default_year is None:
                return None
            item = build(m, default_year)
            return item.model_copy(update={"year_assumed": True}) if item else None

        return wrapped

    def half_no_year(m: re.Match[str], y: int) -> Deadline:
        n = g.half_map.get(squash(m.group("phrase")), 1)
        return Deadline(
            kind=DeadlineKind.HALF_YEAR,
            raw=raw_of(m),
            start=dt.date(y, 1 if n == 1 else 7, 1),
            end=month_end(y, 6 if n == 1 else 12),
        )

    def day_no_year(m: re.Match[str], y: int) -> Deadline | None:
        when = _safe_date(y, int(m.group("m")), int(m.group("d")))
        return (
            Deadline(kind=DeadlineKind.DATE, raw=raw_of(m), start=when, end=when) if when else None
        )

    def quarter_no_year(m: re.Match[str], y: int) -> Deadline:
        q = QUARTERS[m.group("q")]
        return Deadline(
            kind=DeadlineKind.QUARTER,
            raw=raw_of(m),
            start=dt.date(y, 3 * q - 2, 1),
            end=month_end(y, 3 * q),
        )

    take(g.relative, relative)
    take(g.half_year, half)
    take(g.half_no_year, assumed(half_no_year))
    take(g.range_, range_)
    take(g.start_only, lambda m: None)  # "vận hành từ tháng 01/2024": a start, not a due date
    take(g.before_month, before_month)
    take(g.day_words, day)
    take(g.day, day)
    take(g.day_no_year, assumed(day_no_year))
    take(g.quarter, quarter)
    take(g.quarter_no_year, assumed(quarter_no_year))
    # "Tháng 11, tháng 12/2024": a month without a year takes the year of the next one that has it.
    months_with_year = [
        (m.start(), int(m.group("y"))) for m in g.month.finditer(text) if int(m.group("y")) in YEARS
    ]
    take(g.month, month)
    for m in list(g.month_no_year.finditer(text)):
        later = [y for pos, y in months_with_year if pos > m.start()]
        mo = int(m.group("m"))
        if later and 1 <= mo <= 12:
            found.append(
                (
                    m.start(),
                    Deadline(
                        kind=DeadlineKind.MONTH,
                        raw=raw_of(m),
                        start=dt.date(later[0], mo, 1),
                        end=month_end(later[0], mo),
                    ),
                )
            )
            text = _mask(text, m.start(), m.end())
    take(g.year_range, year_range)
    take(g.year, year)
    take(g.bare_year, year)
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class ParsedTime:
    """Everything a time cell says: typed items, the due dates, and whether it recurs."""

    items: list[Deadline]
    dates: list[dt.date]
    recurring: bool


def parse_deadline(text: str | None, default_year: int | None = None) -> ParsedTime:
    """Parse one time cell or phrase. Dates are the due dates (a period gives its last day).

    `default_year` is the plan's year, given to phrases that state none ("quý I", "trước 30/6");
    without it such phrases give no date.
    """
    if not text or not text.strip():
        return ParsedTime([], [], False)
    folded = fold(text)
    items = _scan(folded, text, default_year)
    g = grammar()
    recurrence = next((label for pattern, label in g.recurring if pattern.search(folded)), None)
    if recurrence is not None:
        items.append(Deadline(kind=DeadlineKind.RECURRING, raw=squash(text), recurrence=recurrence))
    if not items:
        condition = next(
            (label for pattern, label in g.conditional if pattern.search(folded)), None
        )
        kind = DeadlineKind.CONDITIONAL if condition else DeadlineKind.NONE
        items.append(Deadline(kind=kind, raw=squash(text), recurrence=None))
    dates = sorted({i.end for i in items if i.end is not None})
    return ParsedTime(items=items, dates=dates, recurring=recurrence is not None)
