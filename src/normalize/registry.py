"""The agency registry (danh mục cơ quan): every body a plan may name, loaded from data.

data/agencies.csv (the bodies the seeds name) and data/registry/*.csv (the central government
before and after the 2025 reorganisation, the National Assembly's bodies, the mass
organisations, every province's standard bodies written once with "{tỉnh}", the 63 → 34
provinces as places), with the abbreviations of data/abbreviations.toml. Lookups are on folded
keys; one compiled pattern finds every alias in a text, never inside a document number.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable

import regex as re

from vnplan.models import AgencyRecord
from vnplan.textutil import fold, fold_key

PROVINCE_LEVEL = "{tỉnh}"  # placeholder in registry/provincial_bodies.csv


@dataclass(frozen=True)
class Agency:
    """A registry entry (cơ quan): canonical name, kind, level and its life span."""

    canonical: str
    kind: str
    level: str
    aliases: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    successor: str | None = None


@dataclass(frozen=True)
class Registry:
    entries: tuple[Agency, ...]
    agencies: dict[str, Agency]  # lookup key of every name and alias → agency
    pattern: re.Pattern[str]
    abbreviations: list[tuple[re.Pattern[str], str]]
    places: re.Pattern[str]  # a province or city after a generic name: "tỉnh Lào Cai"
    cities: frozenset[str]  # folded names of the centrally-run cities (thành phố trực thuộc TW)


def lookup_key(text: str) -> str:
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
    """Whole-word patterns; a word joined to a document number by "-" or "/" ("QĐ-UBND",
    "UBND-KT") is part of the number and stays as printed."""
    out = []
    for short, full in sorted(table.items(), key=lambda kv: len(kv[0]), reverse=True):
        tail = "" if short.endswith(".") else r"(?![\p{L}\d])(?!\s*[-/]\s*[\p{Lu}\d])"
        head = r"(?<![\p{L}\d])(?<![\p{L}\d][-/])"
        out.append((re.compile(rf"{head}{re.escape(short)}{tail}"), full))
    return out


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value.strip()) if value and value.strip() else None


def _rows(data: Traversable) -> list[dict[str, str]]:
    """agencies.csv, then every file of registry/ (the nationwide registry)."""
    files = [data.joinpath("agencies.csv")]
    folder = data.joinpath("registry")
    if folder.is_dir():
        files += sorted(
            (f for f in folder.iterdir() if f.name.endswith(".csv")), key=lambda f: f.name
        )
    rows: list[dict[str, str]] = []
    for file in files:
        rows += list(csv.DictReader(file.read_text("utf-8").splitlines()))
    return rows


def _levelled(text: str) -> list[str]:
    """'Công an {tỉnh}' → 'Công an tỉnh', 'Công an Thành phố' (a centrally-run city)."""
    if PROVINCE_LEVEL not in text:
        return [text]
    return [text.replace(PROVINCE_LEVEL, word) for word in ("tỉnh", "Thành phố")]


def _agencies(rows: list[dict[str, str]]) -> list[Agency]:
    out = []
    for row in rows:
        if row["kind"].strip() == "province":
            continue
        aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
        successors = _levelled((row.get("successor") or "").strip())
        for n, canonical in enumerate(_levelled(row["canonical"].strip())):
            out.append(
                Agency(
                    canonical=canonical,
                    kind=row["kind"].strip(),
                    level=row["level"].strip(),
                    aliases=tuple(
                        a for alias in aliases for a in _levelled(alias)[n : n + 1] or [alias]
                    ),
                    valid_from=_date(row.get("valid_from")),
                    valid_to=_date(row.get("valid_to")),
                    successor=successors[min(n, len(successors) - 1)] or None,
                )
            )
    return out


def _places(rows: list[dict[str, str]]) -> re.Pattern[str]:
    """Province names (registry/provinces.csv) after a level word, or alone."""
    names = {
        fold(n)
        for row in rows
        if row["kind"].strip() == "province"
        for n in [row["canonical"], *(row.get("aliases") or "").split("|")]
        if n.strip() and not re.match(r"(?i)(?:tỉnh|thành phố|tp)\b", n.strip())
    }
    known = "|".join(
        r"\s+".join(map(re.escape, n.split())) for n in sorted(names, key=len, reverse=True)
    )
    level = r"(?:tinh|thanh\s+pho|tp\.?)"
    # a level word and up to four words name a place even when the registry lacks it
    any_name = r"\p{L}+(?:\s+\p{L}+){0,3}"
    named = rf"(?:{known})" if known else r"(?!)"
    return re.compile(
        rf"(?:{level}\s+)?(?P<name>{named})|{level}\s+(?P<other>{any_name})", re.IGNORECASE
    )


def _cities(rows: list[dict[str, str]]) -> frozenset[str]:
    """Provinces a "thành phố …" alias names: the cities run from the centre."""
    return frozenset(
        fold(row["canonical"].strip())
        for row in rows
        if row["kind"].strip() == "province"
        and any(fold(a).startswith(("thanh pho ", "tp")) for a in row.get("aliases", "").split("|"))
    )


@lru_cache(maxsize=1)
def registry() -> Registry:
    data = resources.files("vnplan.normalize").joinpath("data")
    abbreviations = _abbreviation_patterns(
        tomllib.loads(data.joinpath("abbreviations.toml").read_text("utf-8"))["expand"]
    )
    rows = _rows(data)
    entries = list({a.canonical: a for a in reversed(_agencies(rows))}.values())[::-1]
    agencies: dict[str, Agency] = {}
    for agency in entries:
        for name in (agency.canonical, *agency.aliases):
            agencies.setdefault(lookup_key(expand_abbreviations(name, abbreviations)), agency)
    alternation = "|".join(_alias_regex(k) for k in sorted(agencies, key=len, reverse=True))
    # never inside a document number: "2265/BCT-ATMT" cites no agency
    pattern = re.compile(
        rf"(?<![\p{{L}}\d])(?<![\p{{L}}\d][-/])(?:{alternation})(?![\p{{L}}\d])(?![-/][\p{{L}}\d])"
    )
    return Registry(tuple(entries), agencies, pattern, abbreviations, _places(rows), _cities(rows))


def expand_abbreviations(text: str, table: list[tuple[re.Pattern[str], str]] | None = None) -> str:
    """'Văn phòng UBND TP.' → 'Văn phòng Ủy ban nhân dân Thành phố'; '12/QĐ-UBND' unchanged."""
    for pattern, full in table if table is not None else registry().abbreviations:
        text = pattern.sub(full, text)
    return text


def registry_records() -> list[AgencyRecord]:
    """The registry as plain records, for export."""
    return [
        AgencyRecord(
            canonical_name=a.canonical,
            kind=a.kind,
            level=a.level,
            aliases=list(a.aliases),
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            successor=a.successor,
        )
        for a in registry().entries
    ]


@lru_cache(maxsize=1)
def agency_levels() -> dict[str, str]:
    """Canonical name → level (central, province, district, commune)."""
    return {a.canonical: a.level for a in registry().entries}
