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
