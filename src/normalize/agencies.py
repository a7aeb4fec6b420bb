"""Agency resolver: a cell as printed → `AgencyMention`s with canonical registry names.

A cell is first stripped of abbreviations (data/abbreviations.toml), then scanned for every
registry alias, longest first, on folded text, so names with commas inside ("Các sở, ban,
ngành", "Trung tâm Xúc tiến đầu tư, thương mại, du lịch") stay whole and names run together
without a separator ("Sở Nội vụ Sở Tài chính") still split. What no alias covers is split on
separators (line breaks, ";", ",", "- " bullets) and kept as unresolved mentions, unless it is
the cut-off start of exactly one alias ("Sở Giao thông vận").
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.models import AgencyMention, AgencyRole
from vnplan.textutil import fold, fold_key, squash

PREFIX_SCORE = 0.9  # a cut-off name that starts exactly one alias
MIN_PREFIX_WORDS = 3
SEPARATORS = re.compile(r"\n|;|,|(?:^|\s)[-–•+]\s|\s+và\s+")
FILLER = {"", "va", "cac", "co lien quan", "lien quan", "cung", "voi", "khac"}


@dataclass(frozen=True)
class Agency:
    """A registry entry (cơ quan): canonical name, kind and level."""

    canonical: str
    kind: str
    level: str


@dataclass(frozen=True)
class Registry:
    agencies: dict[str, Agency]  # folded alias key → agency
    pattern: re.Pattern[str]
    abbreviations: list[tuple[re.Pattern[str], str]]


def _key(text: str) -> str:
    """Registry lookup key: folded, spacing around commas and dashes made uniform."""
    key = fold_key(text)
    key = re.sub(r"\s*,\s*", ", ", key)
    return str(re.sub(r"\s*[-–]\s+|\s+[-–]\s*", " - ", key))


def _alias_regex(key: str) -> str:
    out = []
    for token in re.split(r"(\s*,\s*|\s*[-–]\s+|\s+)", key):
        if not token:
            continue
        if token.strip() == ",":
            out.append(r"\s*,\s*")
        elif token.strip() in ("-", "–"):
            out.append(r"\s*[-–]\s*")
        elif not token.strip():
            out.append(r"\s+")
        else:
            out.append(re.escape(token))
    return "".join(out)


def _abbreviation_patterns(table: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for short, full in sorted(table.items(), key=lambda kv: len(kv[0]), reverse=True):
        tail = "" if short.endswith(".") else r"(?![\p{L}\d])"
        out.append((re.compile(rf"(?<![\p{{L}}\d]){re.escape(short)}{tail}"), full))
    return out


@lru_cache(maxsize=1)
def registry() -> Registry:
    data = resources.files("vnplan.normalize").joinpath("data")
    abbreviations = _abbreviation_patterns(
        tomllib.loads(data.joinpath("abbreviations.toml").read_text("utf-8"))["expand"]
    )
    agencies: dict[str, Agency] = {}
    rows = csv.DictReader(data.joinpath("agencies.csv").read_text("utf-8").splitlines())
    for row in rows:
        agency = Agency(row["canonical"].strip(), row["kind"].strip(), row["level"].strip())
        names = [agency.canonical] + [a for a in (row.get("aliases") or "").split("|") if a.strip()]
        for name in names:
            key = _key(expand_abbreviations(name, abbreviations))
            agencies.setdefault(key, agency)
    alternation = "|".join(_alias_regex(k) for k in sorted(agencies, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\p{{L}}\d])(?:{alternation})(?![\p{{L}}\d])")
    return Registry(agencies=agencies, pattern=pattern, abbreviations=abbreviations)


def expand_abbreviations(text: str, table: list[tuple[re.Pattern[str], str]] | None = None) -> str:
    """'Văn phòng UBND TP.' → 'Văn phòng Ủy ban nhân dân Thành phố'."""
    for pattern, full in table if table is not None else registry().abbreviations:
        text = pattern.sub(full, text)
    return text


def _by_prefix(key: str, reg: Registry) -> Agency | None:
    if len(key.split()) < MIN_PREFIX_WORDS:
        return None
    key = _key(key)
    hits = {a for alias, a in reg.agencies.items() if alias.startswith(key) and alias != key}
    return hits.pop() if len(hits) == 1 else None


def _leftovers(text: str, role: AgencyRole, reg: Registry) -> list[AgencyMention]:
    out = []
    for piece in SEPARATORS.split(text):
        raw = squash(piece).strip(" .,;:-–•+()")
        key = fold_key(raw)
        if key in FILLER or not re.search(r"\p{L}{2,}", raw):
            continue
        agency = _by_prefix(key, reg)
        if agency is not None:
            out.append(
                AgencyMention(
                    raw=raw,
                    canonical=agency.canonical,
                    kind=agency.kind,
                    score=PREFIX_SCORE,
                    role=role,
                )
            )
        elif role is not AgencyRole.MONITOR:  # monitor cells carry verbs ("tổng hợp, báo cáo …")
            out.append(AgencyMention(raw=raw, role=role))
    return out


def resolve_cell(text: str | None, role: AgencyRole) -> list[AgencyMention]:
    """Every agency named in one cell, in order of appearance."""
    if not text or not text.strip():
        return []
    reg = registry()
    expanded = expand_abbreviations(text)
    folded = fold(expanded)
    mentions: list[AgencyMention] = []
    cursor = 0
    for match in reg.pattern.finditer(folded):
        mentions.extend(_leftovers(expanded[cursor : match.start()], role, reg))
        agency = reg.agencies[_key(match.group(0))]
        raw = squash(expanded[match.start() : match.end()])
        mentions.append(
            AgencyMention(
                raw=raw, canonical=agency.canonical, kind=agency.kind, score=1.0, role=role
            )
        )
        cursor = match.end()
    mentions.extend(_leftovers(expanded[cursor:], role, reg))
    return mentions


def names(mentions: list[AgencyMention]) -> list[str]:
    """Canonical names (or the text as printed when unresolved), first appearance, no repeats."""
    seen: dict[str, None] = {}
    for mention in mentions:
        seen.setdefault(mention.canonical or mention.raw, None)
    return list(seen)
