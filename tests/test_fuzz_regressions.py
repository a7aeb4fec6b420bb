"""Inputs the fuzzers (make fuzz, hypothesis) found crashing, kept as regression tests."""

from __future__ import annotations

import base64

import pytest

from vnplan.normalize.deadlines import parse_deadline


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
