"""Leader cells ("Lãnh đạo UBND Thành phố phụ trách") → people with their title and role.

"Chủ trì: Đ/c Lê Hồng Sơn; Phối hợp: Các đ/c Phó Chủ tịch …" names a leading person and a
supporting role; "Đ/c Hà Minh Hải, Phó Chủ tịch UBND Thành phố" a person and a title; "Các Phó
Chủ tịch UBND Thành phố phụ trách ngành, lĩnh vực" a role with no person.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

import regex as re

from vnplan.models import AgencyRole, Leader
from vnplan.textutil import fold, squash

# A personal name: two to five capitalised words ("Trần Sỹ Thanh", "Hà Minh Hải").
NAME = re.compile(r"(?<![\p{L}/])\p{Lu}\p{Ll}*(?:[ \t]+\p{Lu}\p{Ll}*){1,4}(?![\p{L}])")


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    text = resources.files("vnplan.normalize").joinpath("data/leaders.toml").read_text("utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def _titles() -> tuple[str, ...]:
    return tuple(fold(t) for t in _vocabulary()["titles"])


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    vocab = _vocabulary()
    roles = "|".join(re.escape(r) for r in vocab["roles"])
    markers = "|".join(re.escape(m) for m in vocab["markers"])
    role_label = re.compile(rf"(?P<label>{roles})\s*:", re.IGNORECASE)
    # Entries are cut before each "Đ/c" marker and at ";".
    entry_cut = re.compile(rf";|(?=(?<![\p{{L}}])(?<!các\s)(?:{markers})\s)", re.IGNORECASE)
    return role_label, entry_cut


def _strip_title_words(candidate: str) -> str:
    """Drop leading words that belong to a title: 'Phó Chủ' of 'Phó Chủ tịch'."""
    words = candidate.split()
    titles = _titles()
    while words:
        lengths = [
            n for n in range(1, min(3, len(words)) + 1) if fold(" ".join(words[:n])) in titles
        ]
        if not lengths:
            break
        words = words[max(lengths) :]
    return " ".join(words)


def _names(text: str) -> list[str]:
    found: dict[str, None] = {}
    for match in NAME.finditer(text):
        candidate = _strip_title_words(match.group(0))
        if len(candidate.split()) >= 2 and not candidate.isupper():
            found.setdefault(candidate, None)
    return list(found)


def _title(entry: str, people: list[str]) -> str | None:
    rest = entry
    for person in people:
        rest = rest.replace(person, " ")
    markers = "|".join(re.escape(m) for m in _vocabulary()["markers"])
    rest = re.sub(rf"(?<![\p{{L}}])(?:{markers})(?=\s)", " ", rest, flags=re.IGNORECASE)
    rest = squash(re.sub(r"\s*[:,](?:\s*[:,])*\s*", ", ", rest)).strip(" ,;:.-")
    return rest or None


def _role(label: str | None, default: AgencyRole) -> AgencyRole:
    if label is None:
        return default
    return AgencyRole.SUPPORT if fold(label).startswith("phoi") else AgencyRole.LEAD


def parse_leaders(text: str | None) -> list[Leader]:
    """People and role-only entries of a leader cell, in order."""
    if not text or not text.strip():
        return []
    role_label, entry_cut = _patterns()
    cuts = list(role_label.finditer(text))
    segments: list[tuple[str | None, str]] = []
    if not cuts or cuts[0].start() > 0:
        segments.append((None, text[: cuts[0].start()] if cuts else text))
    for index, cut in enumerate(cuts):
        end = cuts[index + 1].start() if index + 1 < len(cuts) else len(text)
        segments.append((cut.group("label"), text[cut.end() : end]))
    leaders: list[Leader] = []
    for label, segment in segments:
        role = _role(label, AgencyRole.LEAD)
        for entry in entry_cut.split(segment):
            entry = squash(entry).strip(" ,;.")
            if not entry:
                continue
            people = _names(entry)
            title = _title(entry, people)
            if people:
                leaders.extend(Leader(name=p, title=title, role=role, raw=entry) for p in people)
            elif re.search(r"\p{L}{2,}", entry):
                leaders.append(Leader(name=None, title=title, role=role, raw=entry))
    return leaders


def leader_names(text: str | None) -> list[str]:
    """People named in a leader cell, in order, without repeats."""
    return list(dict.fromkeys(leader.name for leader in parse_leaders(text) if leader.name))
