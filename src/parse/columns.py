"""Recognise a task table's header row by meaning, using the synonyms in data/columns.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.models import Cell
from vnplan.textutil import fold, fold_key, squash

ROLES = (
    "number",
    "content",
    "product",
    "assignee",
    "leader",
    "lead",
    "support",
    "monitor",
    "deadline",
    "note",
)


@dataclass(frozen=True)
class HeaderVocabulary:
    synonyms: dict[str, tuple[str, ...]]  # role → folded phrases, in priority order
    required: tuple[str, ...]
    any_of: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]]  # role → one compiled alternation (compiled once)
    note_marks: tuple[str, ...]  # what opens a note under a table ("*", "Ghi chú")
    clock_time: re.Pattern[str]  # an hour of the day ("8h00", "14 giờ"): an agenda's time


@lru_cache(maxsize=1)
def vocabulary() -> HeaderVocabulary:
    raw = tomllib.loads(
        resources.files("vnplan.parse").joinpath("data/columns.toml").read_text("utf-8")
    )
    synonyms = {role: tuple(fold_key(p) for p in phrases) for role, phrases in raw["roles"].items()}
    patterns = {
        role: re.compile(rf"(?<![a-z])(?:{'|'.join(re.escape(p) for p in phrases)})(?![a-z])")
        for role, phrases in synonyms.items()
        if role != "number"
    }
    return HeaderVocabulary(
        synonyms=synonyms,
        required=tuple(raw["table"]["required"]),
        any_of=tuple(raw["table"]["any_of"]),
        patterns=patterns,
        clock_time=re.compile(raw["table"]["clock_time"]),
        note_marks=tuple(fold_key(m) if m.strip("*()") else m for m in raw["table"]["note_marks"]),
    )


def _role_of(text: str, vocab: HeaderVocabulary) -> str | None:
    key = fold_key(text)
    if not key:
        return None
    letters = re.sub(r"[^a-z ]", "", key).strip()
    for role, phrases in vocab.synonyms.items():
        if role == "number":
            if letters in phrases:
                return role
        elif vocab.patterns[role].search(key):
            return role
    return None


# Roles a table may give several columns: their cells are read together, in column order
# ("Cơ quan chủ trì thẩm tra" and "Cơ quan tham gia thẩm tra" both name examining bodies).
SHARED_ROLES = ("lead", "support", "monitor")


def role_columns(row: list[Cell]) -> dict[str, list[int]]:
    """Role → every column of `row` that names it, leftmost first."""
    vocab = vocabulary()
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(row):
        role = _role_of(cell.text, vocab)
        if role is not None:
            found.setdefault(role, []).append(index)
    return found


def header_roles(row: list[Cell]) -> dict[str, int] | None:
    """Role → column index when `row` is a task-table header, else None."""
    vocab = vocabulary()
    roles = {role: columns[0] for role, columns in role_columns(row).items()}
    if not all(r in roles for r in vocab.required):
        return None
    if not any(r in roles for r in vocab.any_of):
        return None
    if len(roles) < 3:
        return None
    return roles


SUBHEADER_MAX = 40  # a sub-header cell names a column part: a few words, not a task


def _merged(top: str, sub: str) -> str:
    """A column's name from a two-row header: "Cơ quan thực hiện" over "Chủ trì"."""
    top, sub = top.strip(), sub.strip()
    if not sub or fold_key(sub) == fold_key(top):  # a vertically merged cell repeats its text
        return top
    return f"{top} {sub}" if top else sub


@dataclass(frozen=True)
class Header:
    """A task table's header: role → its first column, the first data row, and the further
    columns of a role named twice (SHARED_ROLES only)."""

    roles: dict[str, int]
    start: int
    extra: dict[str, tuple[int, ...]]


def _extra(row: list[Cell]) -> dict[str, tuple[int, ...]]:
    return {
        role: tuple(columns[1:])
        for role, columns in role_columns(row).items()
        if role in SHARED_ROLES and len(columns) > 1
    }


def table_header(rows: list[list[Cell]]) -> Header | None:
    """A task table's header (roles, first data row, further columns), or None.

    The header is one row, or two when the second names the parts of a spanned column
    ("Cơ quan thực hiện" over "Chủ trì" | "Phối hợp"; the span's other columns hold empty
    cells in every extractor's grid).
    """
    if not rows:
        return None
    single = header_roles(rows[0])
    if len(rows) > 1:
        top, sub = rows[0], rows[1]
        vocab = vocabulary()
        parts = [
            i
            for i, cell in enumerate(sub)
            if cell.text.strip()
            and fold_key(cell.text) != fold_key(top[i].text if i < len(top) else "")
        ]
        is_sub = (
            bool(parts)
            and all(len(sub[i].text.strip()) <= SUBHEADER_MAX for i in parts)
            and any(_role_of(sub[i].text, vocab) for i in parts)
        )
        if is_sub:
            width = max(len(top), len(sub))
            merged = [
                Cell(
                    text=_merged(
                        top[i].text if i < len(top) else "", sub[i].text if i < len(sub) else ""
                    )
                )
                for i in range(width)
            ]
            roles = header_roles(merged)
            if roles is not None and (single is None or len(roles) > len(single)):
                return Header(roles, 2, _extra(merged))
    return None if single is None else Header(single, 1, _extra(rows[0]))


def time_note(text: str) -> str | None:
    """The time a note under a table gives all its rows ("* Tiến độ trình UBTVQH: Phiên họp
    tháng 9/2025 …" → "Phiên họp tháng 9/2025 …"), or None when the line is no such note."""
    vocab = vocabulary()
    text = text.strip()
    folded = fold(text)  # fold keeps length: a prefix of it is a prefix of the text
    for mark in sorted(vocab.note_marks, key=len, reverse=True):
        if folded.startswith(mark):
            text = text[len(mark) :].lstrip(" :.-")
            break
    head, colon, value = text.partition(":")
    if not colon or not value.strip():
        return None
    return squash(value) if vocab.patterns["deadline"].match(fold_key(head)) else None


def is_agenda(times: list[str]) -> bool:
    """Whether a table's filled time cells are mostly hours of a day: a programme or agenda
    ("8h00 - 8h30 | Khai mạc | Lãnh đạo UBND tỉnh"), not a task table."""
    pattern = vocabulary().clock_time
    filled = [fold(t) for t in times if t.strip()]
    return bool(filled) and 2 * sum(1 for t in filled if pattern.search(t)) > len(filled)
