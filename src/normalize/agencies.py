"""Agency resolver: a cell as printed → `AgencyMention`s with canonical names.

A cell has its abbreviations expanded (data/abbreviations.toml; never inside a document
number such as "…/QĐ-UBND"), is cut into phrases by the grammar of agency phrases
(`phrases.py`, data/agency_grammar.toml), and each phrase is resolved: a registry name
(data/agencies.csv and data/registry/*.csv: the central government, the National Assembly,
mass organisations, every province's standard bodies), a registry name followed by a place, a
qualifier or a predicate ("Sở Nội vụ tổng hợp, báo cáo …"), a name sharing the head of the
one before ("Sở Nội vụ, Tài chính"), a cut-off or OCR-damaged name (prefix, rapidfuzz), a
group reference ("Các cơ quan, đơn vị, địa phương liên quan": kind `group`, canonicalised),
or a well-formed name the registry lacks (kind from its head, `resolved` false). A cell that
only cites another document's assignment is a mention of kind `not_agency`, never an agency.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

import regex as re
from rapidfuzz import fuzz, process

from vnplan.models import AgencyMention, AgencyRole
from vnplan.normalize.phrases import (
    HEAD_LIST,
    grammar,
    head_of,
    is_generic,
    split_phrases,
    without_predicate,
)
from vnplan.normalize.registry import (
    Agency,
    Registry,
    agency_levels,
    expand_abbreviations,
    lookup_key,
    registry,
    registry_records,
)
from vnplan.textutil import fold, fold_key, squash

__all__ = [
    "agency_levels",
    "expand_abbreviations",
    "names",
    "registry",
    "registry_records",
    "resolve_cell",
]

PREFIX_SCORE = 0.9  # a cut-off name that starts exactly one alias
MIN_PREFIX_WORDS = 3
PREFIX_SHARE = 0.6  # a cut-off name keeps at least this share of the alias it starts
# A name ending in a local level word is a local body: no central body is a misreading of it.
LEVEL_BEFORE_NAME = re.compile(r"(?<=\s)(?:Thành phố|Tỉnh|Huyện|Quận|Xã|Phường)(?=\s+\p{Lu})")
BRACKET_END = re.compile(r"\s*\([^()]*\)$")
LOCAL_END = re.compile(r"(?:tinh|huyen|xa|phuong|thanh pho|quan|thi xa|thi tran)$")
FUZZY_CUTOFF = 90  # rapidfuzz ratio on folded keys; below it a mention stays unresolved
FUZZY_MIN_WORDS = 2
NOT_AGENCY = "not_agency"  # kind of a mention that names no agency (a cited assignment, a title)
FILLER = {"", "va", "cac", "co lien quan", "lien quan", "cung", "voi", "khac", "chu tich"}
HEAD_WORDS = ("Sở", "Bộ", "Ban")
# A document cited in a cell: "Quyết định số 12/QĐ-UBND", "Kế hoạch 45/KH-UBND".
CITATION = re.compile(r"\bsố\s*\d+|\d+\s*/\s*(?:\d{4}/)?[\p{Lu}Đ]{2,}", re.IGNORECASE)


def _by_prefix(key: str, reg: Registry) -> Agency | None:
    """A name cut off at the end of a cell ("Sở Giao thông vận"): the start of exactly one
    alias, and most of it ("Ban chỉ đạo" is not a cut-off "Ban Chỉ đạo Trung ương về …")."""
    if len(key.split()) < MIN_PREFIX_WORDS:
        return None
    hits = {
        a
        for alias, a in reg.agencies.items()
        if alias.startswith(key) and alias != key and len(key) >= PREFIX_SHARE * len(alias)
    }
    return hits.pop() if len(hits) == 1 else None


def _fuzzy(key: str, reg: Registry) -> tuple[Agency, float] | None:
    """OCR noise inside a name. The head word must agree: "Ban Chỉ huy …" is another kind of
    body than "Bộ Chỉ huy …", not a misreading of it."""
    if len(key.split()) < FUZZY_MIN_WORDS:
        return None
    head = key.split()[0]
    same_head = [alias for alias in reg.agencies if alias.split()[0] == head]
    best = process.extractOne(key, same_head, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if best is None:
        return None
    alias, score, _ = best
    return reg.agencies[alias], round(float(score) / 100 * PREFIX_SCORE, 3)


@lru_cache(maxsize=8192)
def _matched(raw: str, head: str | None, prefix: bool = True) -> tuple[Agency, float] | None:
    """A phrase no alias covered whole: with the list's head word, as the cut-off start of one
    alias, or through OCR noise. Cached: the same cells recur through a plan and a batch."""
    reg = registry()
    key = lookup_key(raw)
    candidates = (
        [f"{lookup_key(head)} {key}"] if head and not key.startswith(lookup_key(head)) else []
    )
    for candidate in [*candidates, key]:
        if candidate in reg.agencies:
            return reg.agencies[candidate], 1.0
    if not prefix:  # a whole group: the same words, a comma more or less ("huyện thị xã")
        bare = key.replace(",", "")
        same = [a for alias, a in reg.agencies.items() if alias.replace(",", "") == bare]
        return (same[0], 1.0) if same else None
    local = bool(LOCAL_END.search(key))
    for candidate in [*candidates, key]:
        agency = _by_prefix(candidate, reg)
        if agency is not None and not (local and agency.level == "central"):
            return agency, PREFIX_SCORE
    for candidate in [*candidates, key]:
        found = _fuzzy(candidate, reg)
        if found is not None and not (local and found[0].level == "central"):
            return found
    return None


def _clean(text: str) -> str:
    """A phrase as a name: one line, no bullets, link words or closing punctuation."""
    text = squash(text).strip(" .,;:-–•+")
    text = grammar().link_edge.sub("", text).strip(" .,;:-–•+")
    if text.count("(") != text.count(")"):
        text = text.strip("()")
    return text


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _group_name(text: str) -> str:
    """'các Sở, ban, ngành' → 'Các sở, ban, ngành': generic nouns in lower case, one comma
    style, the first letter capitalised."""
    g = grammar()
    text = re.sub(r"\s*,\s*", ", ", text)
    parts = re.split(r"(, | )", text)
    out = []
    for index, part in enumerate(parts):
        spaced = index + 2 < len(parts) and parts[index + 1] == " "
        named = spaced and parts[index + 2][:1].isupper()  # "thuộc Bộ Quốc phòng": a name
        out.append(part.lower() if fold(part) in g.generic and not named else part)
    return _capitalised("".join(out))


def _group_level(text: str) -> str | None:
    """The level a group addresses: the lowest level its generic nouns name."""
    printed = unicodedata.normalize("NFC", text.lower())  # diacritics matter: "quận", "quan"
    words = grammar().generic_words
    levels = set()
    for word in sorted(words, key=len, reverse=True):  # "địa phương" before "phường"
        pattern = rf"(?<!\p{{L}}){re.escape(word)}(?!\p{{L}})"
        if re.search(pattern, printed):
            levels.add(words[word])
            printed = re.sub(pattern, " ", printed)
    order = ("commune", "district", "province", "central")
    return next((lvl for lvl in order if lvl in levels), None)


def _is_group(text: str) -> bool:
    g = grammar()
    folded = fold(text)
    if g.quantifier.match(folded) or is_generic(text):
        return True
    head = head_of(text)
    if head and head.kind in ("ubnd", "hdnd"):  # "Ủy ban nhân dân các huyện, thị xã"
        rest = text[len(head.text) :].lstrip()
        return bool(g.quantifier.match(fold(rest))) or (is_generic(rest) and "," in rest)
    return False


# "… liên quan mở lớp …" ends the group; "liên quan đến X" goes on qualifying it
GROUP_CLOSE = re.compile(r"(?<!\p{L})(?:có\s+)?liên\s+quan(?=\s+(?!đến\b|tới\b|với\b)\p{Ll})")
GROUP_WORDS = (  # besides the generic nouns: what a group reference may hold
    "cac",
    "nhung",
    "toan bo",
    "tat ca",
    "uy ban nhan dan",
    "hoi dong nhan dan",
    "co lien quan",
    "lien quan",
    "khac",
    "cac cap",
    "cap",
    "tren dia ban",
    "thuoc",
    "truc thuoc",
    "duoc giao",
    "tuong duong",
    "va",
    "trung uong",
    "thanh pho",
    "tinh",
    "-",
)


def _grammar_only(text: str) -> bool:
    """Every word is a quantifier, generic noun, qualifier or level word: a group the grammar
    names completely ("Các cơ quan, đơn vị, địa phương liên quan")."""
    rest = fold(re.sub(r"[,()]", " ", text))
    for item in sorted([*grammar().generic, *GROUP_WORDS], key=len, reverse=True):
        rest = re.sub(rf"(?<!\p{{L}}){re.escape(item)}(?!\p{{L}})", " ", rest)
    return not rest.strip()


def _mention(
    raw: str, role: AgencyRole, canonical: str | None, kind: str | None, score: float, **extra: Any
) -> AgencyMention:
    return AgencyMention(raw=raw, canonical=canonical, kind=kind, score=score, role=role, **extra)


def _registered(raw: str, found: tuple[Agency, float], role: AgencyRole) -> AgencyMention:
    agency, score = found
    return _mention(
        raw, role, agency.canonical, agency.kind, score, resolved=True, level=agency.level
    )


def _place(text: str) -> tuple[str, str] | None:
    """'tỉnh Lào Cai' → ('tỉnh Lào Cai', 'Lào Cai'): a place written after a generic name."""
    text = text.strip(" ,.;")
    match = registry().places.fullmatch(fold(text))  # names are folded; offsets are the same
    if match is None:
        return None
    group = "name" if match.group("name") else "other"
    return squash(text), squash(text[match.start(group) : match.end(group)])


def _placed(
    mention: AgencyMention, phrase: str, place: tuple[str, str], locality: str | None
) -> AgencyMention:
    """A generic body and its place: the issuer's own province is the default and is dropped
    ("Sở Tài chính tỉnh Lào Cai" in a Lào Cai plan is "Sở Tài chính"); another place is kept."""
    printed, name = place
    update: dict[str, Any] = {"province": name, "raw": squash(phrase)}
    own = locality is not None and fold(name) == fold(locality)
    if not own and mention.level in ("province", "district", "commune"):
        # a level word before a place's name is written in lower case: "thành phố Hà Nội"
        named = f"{mention.canonical} {printed}"
        update["canonical"] = LEVEL_BEFORE_NAME.sub(lambda m: m.group(0).lower(), named)
    return mention.model_copy(update=update)


def _from_registry(
    phrase: str, role: AgencyRole, locality: str | None
) -> list[AgencyMention] | None:
    """Registry names at the start of the phrase, and what the rest of it is: nothing, a
    place, a closing qualifier or a predicate ("Sở Nội vụ tổng hợp, báo cáo …")."""
    reg = registry()
    folded = fold(phrase)
    found: list[tuple[int, int]] = []
    cursor = 0
    for match in reg.pattern.finditer(folded):
        if folded[cursor : match.start()].strip(" ,"):
            break
        found.append((match.start(), match.end()))
        cursor = match.end()
    if not found:
        return None
    mentions = [
        _registered(squash(phrase[a:b]), (reg.agencies[lookup_key(phrase[a:b])], 1.0), role)
        for a, b in found
    ]
    rest = phrase[cursor:].strip()
    if not rest or (grammar().kept_qualifier.search(fold(rest)) and len(rest.split()) <= 3):
        return mentions
    place = _place(rest)
    if place is not None and len(mentions) == 1:
        town = re.search(r"(?<!\p{L})thành phố$", phrase[found[0][0] : found[0][1]])
        if town and fold(place[1]) not in reg.cities:
            return None  # "UBND thành phố Lào Cai": a city of a province, not the province
        return [_placed(mentions[0], phrase, place, locality)]
    if rest[:1].islower() and not is_generic(rest):  # a predicate, not part of the name
        if role is AgencyRole.MONITOR:  # "… báo cáo Ban Chỉ đạo (qua Sở Nội vụ)"
            mentions += [
                _registered(squash(m.group(0)), (reg.agencies[lookup_key(m.group(0))], 1.0), role)
                for m in reg.pattern.finditer(fold(rest))
            ]
        return mentions
    return None


def _without_title(raw: str) -> str | None:
    """'Giám đốc Sở Tài chính' → 'Sở Tài chính'; None for a title with no agency."""
    g = grammar()
    title = g.title.match(fold(raw))
    if title is None:
        return raw
    rest = _clean(raw[title.end() :])
    if fold(rest).startswith("cac ") and rest[4:5].isupper():  # "Giám đốc các Sở" → "Sở"
        rest = rest[4:]
    named = (
        head_of(rest) or g.quantifier.match(fold(rest)) or lookup_key(rest) in registry().agencies
    )
    return rest if rest and named else None


def _known(name: str, reg: Registry) -> bool:
    """The name is a registry alias as it stands."""
    return lookup_key(name) in reg.agencies


def _phrase(
    phrase: str,
    role: AgencyRole,
    head: str | None,
    locality: str | None,
    listing: bool = False,
) -> tuple[list[AgencyMention], str | None]:
    """One phrase as agencies (usually one), and the head word later phrases may share
    (`listing`: the phrase follows "Các Sở:", whose head comes before the name's own)."""
    g = grammar()
    raw = _clean(phrase)
    if not raw or not re.search(r"\p{L}{2,}", raw) or fold_key(raw) in FILLER:
        return [], head
    colon = HEAD_LIST.search(raw)
    listing_head = head if listing else None
    if colon:  # "Các Sở: Tư pháp" sets the head for this and the following names
        head = re.sub(r"(?i)^các\s+", "", raw[colon.start() : colon.end()].rstrip(" :"))
        head = head.capitalize()
        listing_head = head
        raw = _clean(raw[colon.end() :])
        if not raw:
            return [], head
    if g.not_agency.match(fold(raw)) or (CITATION.search(raw) and head_of(raw) is None):
        return [_mention(raw, role, None, NOT_AGENCY, 0.0)], head
    name = _without_title(raw)
    if name is None:
        return [_mention(raw, role, None, NOT_AGENCY, 0.0)], head
    name = g.dropped_qualifier.sub("", name).strip(" ,.;") or name
    # "Sở Tài chính (chủ trì)", "Văn phòng UBND tỉnh (Trung tâm Phục vụ hành chính công)":
    # a bracket after a name is a note or a unit of it; the name is what it resolves by
    if role is not AgencyRole.MONITOR:  # a monitor's "(qua Sở Nội vụ)" names who reports
        name = BRACKET_END.sub("", name) or name
    reg = registry()
    if listing_head and not _known(name, reg):  # "Các Bộ: Công an" is Bộ Công an
        shared = _matched(name, listing_head)
        if shared is not None:
            return [_registered(raw, shared, role)], head
    key = lookup_key(name)
    if key in reg.agencies:
        return [_registered(raw, (reg.agencies[key], 1.0), role)], _head_of(
            reg.agencies[key].canonical
        ) or head
    listed = _from_registry(name, role, locality)
    if listed is not None:
        if len(listed) == 1:
            listed = [listed[0].model_copy(update={"raw": raw})]
        return listed, _head_of(listed[-1].canonical or "") or head
    own_head = head_of(name)
    if own_head is None or own_head.kind in ("ubnd", "hdnd"):  # a group's predicate
        name = without_predicate(name)
    group = _is_group(name)
    # a group the grammar names whole is not the cut-off start of a longer one
    found = _matched(
        name, None if own_head or group else head, not group or not _grammar_only(name)
    )
    if found is not None:
        return [_registered(raw, found, role)], _head_of(found[0].canonical) or head
    if group:
        # "Các đơn vị liên quan mở lớp đào tạo": the qualifier closes the group
        closed = GROUP_CLOSE.search(name)
        if closed and closed.end() < len(name):
            name = name[: closed.end()]
        complete = _grammar_only(name)
        level = _group_level(name)
        return [
            _mention(
                raw,
                role,
                _group_name(name),
                "group",
                1.0 if complete else 0.0,
                resolved=complete,
                level=level,
            )
        ], head
    if own_head is not None:
        return [_mention(raw, role, _capitalised(name), own_head.kind, 0.0)], head
    if role is AgencyRole.MONITOR or not name[:1].isupper():
        return [], head  # a verb or a fragment of prose, not a name
    return [_mention(raw, role, _capitalised(name), None, 0.0)], head


def _head_of(canonical: str) -> str | None:
    return next((w for w in HEAD_WORDS if canonical.startswith(w + " ")), None)


def resolve_cell(
    text: str | None, role: AgencyRole, locality: str | None = None
) -> list[AgencyMention]:
    """Every agency named in one cell, in order of appearance. `locality` is the issuer's
    province: its own name after a generic body ("Sở Tài chính tỉnh Lào Cai") is dropped."""
    if not text or not text.strip():
        return []
    reg = registry()
    expanded = expand_abbreviations(text)
    protected = [(m.start(), m.end()) for m in reg.pattern.finditer(fold(expanded))]
    mentions: list[AgencyMention] = []
    head: str | None = None
    listing = False
    for phrase in split_phrases(expanded, protected):
        listing = listing or bool(HEAD_LIST.search(phrase))
        found, head = _phrase(phrase, role, head, locality, listing)
        mentions.extend(found)
    return mentions


def names(mentions: list[AgencyMention]) -> list[str]:
    """Canonical names (or the text as printed when unresolved), first appearance, no repeats."""
    seen: dict[str, None] = {}
    for mention in mentions:
        if mention.kind != NOT_AGENCY:  # a cited assignment or a bare title names no agency
            seen.setdefault(mention.canonical or mention.raw, None)
    return list(seen)
