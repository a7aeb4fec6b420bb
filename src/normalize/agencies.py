"""Agency resolver: a cell as printed → `AgencyMention`s with canonical registry names.

A cell is first stripped of abbreviations (data/abbreviations.toml), then scanned for every
registry alias, longest first, on folded text, so names with commas inside ("Các sở, ban,
ngành", "Trung tâm Xúc tiến đầu tư, thương mại, du lịch") stay whole and names run together
without a separator ("Sở Nội vụ Sở Tài chính") still split. What no alias covers is split on
separators (line breaks, ";", ",", "- " bullets, "và") and tried again: with the shared head
word of the list ("Các Sở: Tư pháp, Tài chính", "Sở Nội vụ, Tài chính"), as the cut-off start
of exactly one alias ("Sở Giao thông vận"), and by fuzzy match for OCR noise (rapidfuzz). What
still fails stays a mention with its text as printed and no canonical name.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re
from rapidfuzz import fuzz, process

from vnplan.models import AgencyMention, AgencyRecord, AgencyRole
from vnplan.textutil import fold, fold_key, squash

PREFIX_SCORE = 0.9  # a cut-off name that starts exactly one alias
MIN_PREFIX_WORDS = 3
FUZZY_CUTOFF = 90  # rapidfuzz ratio on folded keys; below it a mention stays unresolved
FUZZY_MIN_WORDS = 2
# Bullets ("- ", "+ ") start lines and are stripped from each piece; a dash inside a line is
# part of a name ("Sở Quy hoạch - Kiến trúc").
LIST_SEPARATORS = re.compile(r";|,")
LINK_WORD = re.compile(r"^(?:và|với|cùng)\s+|\s+(?:và|với|cùng)$", re.IGNORECASE)
AND = re.compile(r"\s+và\s+")  # split on "và" only when the whole piece is no agency
FILLER = {"", "va", "cac", "co lien quan", "lien quan", "cung", "voi", "khac", "chu tich"}
# "Các Sở: Tư pháp, Tài chính" — a head word shared by the names that follow it.
HEAD = re.compile(r"(?<![\p{L}])(?:các\s+)?(?P<head>sở|ban|bộ)\s*:", re.IGNORECASE)
HEAD_WORDS = ("Sở", "Bộ", "Ban")


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


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value.strip()) if value and value.strip() else None


@lru_cache(maxsize=1)
def registry() -> Registry:
    data = resources.files("vnplan.normalize").joinpath("data")
    abbreviations = _abbreviation_patterns(
        tomllib.loads(data.joinpath("abbreviations.toml").read_text("utf-8"))["expand"]
    )
    entries: list[Agency] = []
    agencies: dict[str, Agency] = {}
    for row in csv.DictReader(data.joinpath("agencies.csv").read_text("utf-8").splitlines()):
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        agency = Agency(
            canonical=row["canonical"].strip(),
            kind=row["kind"].strip(),
            level=row["level"].strip(),
            aliases=aliases,
            valid_from=_date(row.get("valid_from")),
            valid_to=_date(row.get("valid_to")),
            successor=(row.get("successor") or "").strip() or None,
        )
        entries.append(agency)
        for name in (agency.canonical, *aliases):
            agencies.setdefault(_key(expand_abbreviations(name, abbreviations)), agency)
    alternation = "|".join(_alias_regex(k) for k in sorted(agencies, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\p{{L}}\d])(?:{alternation})(?![\p{{L}}\d])")
    return Registry(tuple(entries), agencies, pattern, abbreviations)


def expand_abbreviations(text: str, table: list[tuple[re.Pattern[str], str]] | None = None) -> str:
    """'Văn phòng UBND TP.' → 'Văn phòng Ủy ban nhân dân Thành phố'."""
    for pattern, full in table if table is not None else registry().abbreviations:
        text = pattern.sub(full, text)
    return text


def _by_prefix(key: str, reg: Registry) -> Agency | None:
    if len(key.split()) < MIN_PREFIX_WORDS:
        return None
    hits = {a for alias, a in reg.agencies.items() if alias.startswith(key) and alias != key}
    return hits.pop() if len(hits) == 1 else None


def _fuzzy(key: str, reg: Registry) -> tuple[Agency, float] | None:
    if len(key.split()) < FUZZY_MIN_WORDS:
        return None
    best = process.extractOne(key, list(reg.agencies), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if best is None:
        return None
    alias, score, _ = best
    return reg.agencies[alias], round(float(score) / 100 * PREFIX_SCORE, 3)


def _match_piece(raw: str, head: str | None, reg: Registry) -> tuple[Agency, float] | None:
    """A fragment no alias covered whole: try the list's head word, a cut-off name, OCR noise."""
    key = _key(raw)
    candidates = [f"{_key(head)} {key}"] if head and not key.startswith(_key(head)) else []
    for candidate in candidates:
        if candidate in reg.agencies:
            return reg.agencies[candidate], 1.0
    for candidate in [*candidates, key]:
        agency = _by_prefix(candidate, reg)
        if agency is not None:
            return agency, PREFIX_SCORE
    for candidate in [*candidates, key]:
        found = _fuzzy(candidate, reg)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=8192)
def _matched(raw: str, head: str | None) -> tuple[Agency, float] | None:
    """`_match_piece` against the registry, cached: the same cells recur through a plan and a
    batch, and a fragment may be tried twice (whole, then line by line)."""
    return _match_piece(raw, head, registry())


def _mention(raw: str, found: tuple[Agency, float], role: AgencyRole) -> AgencyMention:
    agency, score = found
    return AgencyMention(
        raw=raw, canonical=agency.canonical, kind=agency.kind, score=score, role=role
    )


def _pieces(text: str, head: str | None) -> list[str]:
    """`text` cut at separators. A line break only separates when the lines do not make one
    name together: a narrow column (or an OCR'd cell) wraps "Sở Giao thông\nvận tải"."""
    pieces: list[str] = []
    for chunk in LIST_SEPARATORS.split(text):
        lines = chunk.split("\n")
        whole = squash(chunk).strip(" .,;:-–•+()")
        joined = len(lines) > 1 and not HEAD.search(chunk) and bool(re.search(r"\p{L}{2,}", whole))
        if joined and _matched(LINK_WORD.sub("", whole), head) is not None:
            pieces.append(whole)
        else:
            pieces.extend(lines)
    return pieces


def _leftovers(
    text: str, role: AgencyRole, head: str | None
) -> tuple[list[AgencyMention], str | None]:
    out = []
    for piece in _pieces(text, head):
        heading = HEAD.search(piece)
        if heading:  # "Các Sở: Tư pháp" sets the head for this and the following names
            head = heading.group("head").capitalize()
            piece = piece[heading.end() :]
        raw = LINK_WORD.sub("", squash(piece).strip(" .,;:-–•+()"))
        if fold_key(raw) in FILLER or not re.search(r"\p{L}{2,}", raw):
            continue
        found = _matched(raw, head)
        if found is not None:
            out.append(_mention(raw, found, role))
            continue
        for part in AND.split(raw) if AND.search(raw) else [raw]:
            part = part.strip(" .,;:-–•+()")
            if fold_key(part) in FILLER or not re.search(r"\p{L}{2,}", part):
                continue
            found = _matched(part, head) if part != raw else None
            if found is not None:
                out.append(_mention(part, found, role))
            elif role is not AgencyRole.MONITOR:  # monitor cells carry verbs ("tổng hợp, …")
                out.append(AgencyMention(raw=part, role=role))
    return out, head


def _head_of(canonical: str) -> str | None:
    return next((w for w in HEAD_WORDS if canonical.startswith(w + " ")), None)


def resolve_cell(text: str | None, role: AgencyRole) -> list[AgencyMention]:
    """Every agency named in one cell, in order of appearance."""
    if not text or not text.strip():
        return []
    reg = registry()
    expanded = expand_abbreviations(text)
    folded = fold(expanded)
    mentions: list[AgencyMention] = []
    head: str | None = None
    cursor = 0
    for match in reg.pattern.finditer(folded):
        found, head = _leftovers(expanded[cursor : match.start()], role, head)
        mentions.extend(found)
        agency = reg.agencies[_key(match.group(0))]
        raw = squash(expanded[match.start() : match.end()])
        mentions.append(
            AgencyMention(
                raw=raw, canonical=agency.canonical, kind=agency.kind, score=1.0, role=role
            )
        )
        head = _head_of(agency.canonical)  # "Sở Nội vụ, Tài chính": the next name shares "Sở"
        cursor = match.end()
    found, _ = _leftovers(expanded[cursor:], role, head)
    mentions.extend(found)
    return mentions


def names(mentions: list[AgencyMention]) -> list[str]:
    """Canonical names (or the text as printed when unresolved), first appearance, no repeats."""
    seen: dict[str, None] = {}
    for mention in mentions:
        seen.setdefault(mention.canonical or mention.raw, None)
    return list(seen)


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
