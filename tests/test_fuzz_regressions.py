"""Inputs the fuzzers (make fuzz, hypothesis) found crashing, kept as regression tests."""

from __future__ import annotations

import base64
import re

import pytest

from vnplan.ingest import IngestError, html
from vnplan.ingest.text import blocks_from_text, decode_text
from vnplan.normalize.deadlines import parse_deadline
from vnplan.parse.tables import parse_tables


@pytest.mark.parametrize(
    "crash",
    [
        "MzKvMDAwMA==",  # atheris, deadline target: "32¯0000" → month 2 of year 0 (ValueError)
    ],
)
def test_deadline_crashes_stay_fixed(crash: str) -> None:
    text = base64.b64decode(crash).decode("utf-8", errors="replace")
    assert parse_deadline(text, default_year=2024).dates == []


@pytest.mark.parametrize(
    "phrase",
    [
        "Tháng 2/0000",
        "Quý I/0001",
        "Năm 9999",
        "15/9/0000",
        "Tháng 11, tháng 12/0000",
        "0001 - 0002",
    ],
)
def test_impossible_years_give_no_date(phrase: str) -> None:
    assert parse_deadline(phrase, default_year=2024).dates == []


def test_a_table_piece_cut_off_by_text_is_named_not_lost() -> None:
    """hypothesis (test_fuzz_properties): a header, a running line that is no page number,
    then the rows: they were dropped without a word."""
    text = "STT\tNội dung\tCơ quan chủ trì\nTrang 2\n1\tTriển khai\tSở Nội vụ"
    result = parse_tables(blocks_from_text(text), "fuzz", "fuzz.txt", "0")
    assert result.tasks == []
    assert result.warnings == [
        "lines 3-3: a table piece without a header, cut off from the task table above by text: "
        "its rows are not read as tasks"
    ]


def test_a_long_table_numbers_rows_past_999() -> None:
    """The hostile corpus's 10,000-row table: rows from 1000 on were 'unrecognised numbers'."""
    header = "STT\tNội dung\tCơ quan chủ trì\n"
    rows = "".join(f"{n}\tViệc {n}\tSở Nội vụ\n" for n in (999, 1000, 10000))
    result = parse_tables(blocks_from_text(header + rows), "fuzz", "fuzz.txt", "0")
    assert [t.task_no for t in result.tasks] == ["999", "1000", "10000"]
    assert result.warnings == []


@pytest.mark.parametrize(
    ("data", "error"),
    [
        # the hostile corpus: UnicodeDecodeError escaped as an internal error
        (b"\xff\xfe" + b"\x00\xd8\x41\x00" * 100, "not valid UTF-16 text (100 invalid"),
        # odd length (the last byte cut off): one broken sequence, replaced and named
        (b"\xff\xfe" + "Kế hoạch ".encode("utf-16-le") * 20 + b"\x41", None),
    ],
)
def test_broken_utf16_is_a_clear_error_or_a_warning(data: bytes, error: str | None) -> None:
    if error is None:
        text, note = decode_text("f.txt", data)
        assert text == "Kế hoạch " * 20 + "\ufffd"
        assert note == "1 invalid UTF-16 byte sequence(s) replaced by U+FFFD"
    else:
        with pytest.raises(IngestError, match=re.escape(error)):
            decode_text("f.txt", data)


@pytest.mark.parametrize(
    ("page", "texts"),
    [
        # atheris, html_bytes target: "<![iến lược…" raised AssertionError in html.parser
        (b"<html><body><p>a</p><![i b]>c</body></html>", ["a", "c"]),
        (b"<html><body><p>a</p><![if !supportLists]>1.<![endif]> Muc</p>", ["a", "1. Muc"]),
        (b"<html><body>x<![i", ["x<![i"]),
    ],
)
def test_unknown_marked_sections_in_html_are_skipped(page: bytes, texts: list[str]) -> None:
    raw = html.extract("fuzz.html", page, "fuzz")
    assert [getattr(b, "text", None) for b in raw.blocks] == texts
