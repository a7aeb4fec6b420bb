"""Recognise a task table's header row by meaning, using the synonyms in data/columns.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.models import Cell
from vnplan.textutil import fold_key

ROLES = ("number", "content", "product", "leader", "lead", "support", "monitor", "deadline", "note")


@dataclass(frozen=True)
class HeaderVocabulary:
    synonyms: dict[str, tuple[str, ...]]  # role → folded phrases, in priority order
    required: tuple[str, ...]
    any_of: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]]  # role → one compiled alternation (compiled once)


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


def header_roles(row: list[Cell]) -> dict[str, int] | None:
    """Role → column index when `row` is a task-table header, else None."""
    vocab = vocabulary()
    roles: dict[str, int] = {}
    for index, cell in enumerate(row):
        role = _role_of(cell.text, vocab)
        if role is not None and role not in roles:
            roles[role] = index
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


def table_header(rows: list[list[Cell]]) -> tuple[dict[str, int], int] | None:
    """(role → column, first data row) of a task table's header, or None when it has none.

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
                return roles, 2
    return None if single is None else (single, 1)
