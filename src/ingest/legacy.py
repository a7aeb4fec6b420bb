"""Vietnamese legacy encodings (TCVN3/ABC, VNI, Windows-1258) → Unicode, and tone-mark style.

Plans typed in the 1990s–2000s with ".Vn" (TCVN3) or "VNI-" fonts reach us as Latin-1
gibberish: "Céng hoµ x· héi" is "Cộng hoà xã hội" in TCVN3, "Coäng hoøa" is "Cộng hòa" in VNI.
A font name proves nothing (fonts get renamed, text is copied between files), so the encoding
is judged from the text itself: the share of its words that are valid Vietnamese syllables,
before and after each conversion. Conversion tables are data files beside this module
(`data/tcvn3.tsv`, `data/vni.tsv`, each citing its source); no maintained PyPI package offers
them (the few that exist are whole document loaders or abandoned input-method helpers).

`unify_tone_marks` puts tone marks of open "oa / oe / uy" syllables on the first vowel ("hoá" →
"hóa", "thuỷ" → "thủy", "Uỷ ban" → "Ủy ban"), the placement the seeds and the agency registry
use, so that matching sees one spelling.
"""

from __future__ import annotations

import codecs
import contextlib
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

import regex as re

# --------------------------------------------------------------------------- syllable scoring

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
# Rhymes (vần) without a final consonant, and nuclei that take one (c ch m n ng nh p t).
_OPEN_RHYMES = (
    "a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu iêu yêu oa oai oay oao oe oeo oi ôi ơi "
    "ua uây ui uê uy uya uyu ưa ưi ưu ươi ươu uôi uơ ya"
)
_CLOSED_NUCLEI = "uyê iê yê uô ươ oa oă oe oo uâ uê uy a ă â e ê i o ô ơ u ư y"
_SYLLABLE = re.compile(
    rf"^{_ONSET}(?:(?:{_CLOSED_NUCLEI.replace(' ', '|')})(?:ch|ng|nh|[cmnpt])"
    rf"|(?:{_OPEN_RHYMES.replace(' ', '|')}))$"
)
_EDGE_PUNCT = "\"'()[]{}<>.,;:!?-–—…“”‘’«»*/\\|"
MIN_EVIDENCE = 5  # words with non-ASCII letters needed before judging an encoding
# An encoding is judged on a text's first characters (more than a long plan holds): a 20 MB
# file costs no more to judge than a 100 KB one.
SAMPLE = 100_000
_WORD_PARTS = re.compile(r"[-/.,;:]")


@lru_cache(maxsize=1 << 16)  # a plan repeats a few thousand distinct words many times
def is_syllable(word: str) -> bool:
    """A valid Vietnamese syllable (any case, at most one tone mark): 'nghiêng', 'Ủy', not 'héi'."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(decomposed.count(mark) for mark in _TONE_MARKS) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return bool(_SYLLABLE.match(bare))


@dataclass(frozen=True)
class Score:
    """How Vietnamese a text looks: words with non-ASCII characters, and how many are syllables."""

    words: int
    valid: int

    @property
    def share(self) -> float:
        return self.valid / self.words if self.words else 0.0


def score(text: str) -> Score:
    """Count the words holding a non-ASCII character and those that are valid syllables.

    Pure-ASCII words read the same in every encoding, so only the others are evidence. A word
    joined by '-' or '/' ("Lao động-Thương") counts as valid when every part is.
    """
    words = valid = 0
    for token in text.split():
        token = token.strip(_EDGE_PUNCT)
        if not token or token.isascii():
            continue
        words += 1
        parts = [p for p in _WORD_PARTS.split(token) if p]
        if parts and all(p.isascii() or is_syllable(p) for p in parts):
            valid += 1
    return Score(words, valid)


# --------------------------------------------------------------------------- conversion tables


class Legacy(StrEnum):
    TCVN3 = "TCVN3"
    VNI = "VNI"
    CP1258 = "cp1258"


def _data_rows(name: str) -> list[list[str]]:
    text = resources.files("vnplan.ingest").joinpath(f"data/{name}").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [line.split("\t") for line in lines[1:]]  # the first line names the columns


_C1 = range(0x80, 0xA0)


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 81 8D 8F 90 9D: undefined in Windows-1252
        return chr(byte)


def _as_char(byte: int) -> list[str]:
    """The characters one legacy byte shows as: Latin-1, and Windows-1252 where they differ.

    Text from Word or a PDF gives the byte as its Windows-1252 character (0x93 → '“'); raw bytes
    read as Latin-1 give U+0093. Both forms must convert.
    """
    return list(dict.fromkeys([chr(byte), _cp1252(byte)]))


@lru_cache(maxsize=1)
def _tcvn3_tables() -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """(sure, capitals, punctuation) translation tables for TCVN3.

    Bytes 80–9F are VN1's toned capitals, but ABC documents typed in VN3 fonts use the same bytes
    for Word's Windows-1252 punctuation (– “ ” …). Which one a byte is gets decided per word.
    """
    sure: dict[int, str] = {}
    capitals: dict[int, str] = {}
    for row in _data_rows("tcvn3.tsv"):
        byte, code = int(row[0], 16), chr(int(row[1][2:], 16))
        for form in _as_char(byte):
            (capitals if byte in _C1 else sure)[ord(form)] = code
    punctuation = {b: _cp1252(b) for b in _C1 if _cp1252(b) != chr(b)}
    return sure, capitals, punctuation


_C1_FORMS = "".join(sorted({f for b in _C1 for f in _as_char(b)}))
_C1_TOKEN = re.compile(rf"\S*[{re.escape(_C1_FORMS)}]\S*")
_INSIDE_WORD = re.compile(rf"\p{{L}}[{re.escape(_C1_FORMS)}]+\p{{L}}")


def _tcvn3(text: str) -> str:
    sure, capitals, punctuation = _tcvn3_tables()
    converted = text.translate(sure)

    def resolve(match: re.Match[str]) -> str:
        token = str(match.group(0))
        as_capitals = token.translate(capitals)
        core = as_capitals.strip(_EDGE_PUNCT)
        # A capital reading must give a real word of more than one letter ("ỦY", "Ủy"); a lone
        # "Ọ" between spaces is far likelier the en dash '–' that shares its byte. A byte between
        # two letters is a capital too: punctuation does not sit inside a word ("HàNỘI").
        if len(core) > 1 and (score(as_capitals).share == 1.0 or _INSIDE_WORD.search(token)):
            return as_capitals
        return token.translate(punctuation)

    return unicodedata.normalize("NFC", str(_C1_TOKEN.sub(resolve, converted)))


@lru_cache(maxsize=1)
def _vni_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    sequences: dict[str, str] = {}
    for row in _data_rows("vni.tsv"):
        char, raw = row[0], bytes(int(b, 16) for b in row[2].split())
        for first in _as_char(raw[0]):
            for second in _as_char(raw[1]) if len(raw) > 1 else [""]:
                sequences[first + second] = char
    # Longest first: "ôù" (ớ) before "ô" (ơ).
    keys = sorted(sequences, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), sequences


def to_unicode(text: str, encoding: Legacy) -> str:
    """Convert text whose characters are legacy bytes (as Latin-1/Windows-1252) to NFC Unicode.

    Characters outside the legacy range (already Unicode) pass through unchanged.
    """
    if encoding is Legacy.TCVN3:
        return _tcvn3(text)
    if encoding is Legacy.VNI:
        pattern, sequences = _vni_pattern()
        converted = pattern.sub(lambda m: sequences[m.group(0)], text)
        # VNI fonts are Windows fonts: what is left in 80–9F is Windows-1252 punctuation.
        converted = converted.translate(_tcvn3_tables()[2])
    else:
        converted = _reencode(text).decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", converted)


def _cp1258_char(ch: str, errors: str) -> bytes:
    """Windows-1258 holds ô ơ ư ă … precomposed but most toned letters as letter + tone mark."""
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        return (base + tones).encode("cp1258", errors=errors)


def _reencode(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        if ord(ch) < 0x100:
            out.append(ord(ch))
        else:
            out.extend(ch.encode("cp1252", errors="replace"))
    return bytes(out)


def from_unicode(text: str, encoding: Legacy, errors: str = "strict") -> bytes:
    """Unicode → legacy bytes (TCVN3 uses the full VN1 table); for building test samples.

    `errors` as for `str.encode`: "replace" writes '?' for characters the encoding lacks.
    """
    text = unicodedata.normalize("NFC", text)
    if encoding is Legacy.CP1258:
        return b"".join(_cp1258_char(ch, errors) for ch in text)
    reverse: dict[str, bytes] = {}
    if encoding is Legacy.TCVN3:
        for row in _data_rows("tcvn3.tsv"):
            reverse[chr(int(row[1][2:], 16))] = bytes([int(row[0], 16)])
    else:
        for row in _data_rows("vni.tsv"):
            reverse[row[0]] = bytes(int(b, 16) for b in row[2].split())
    out = bytearray()
    for ch in text:
        if ch in reverse:
            out.extend(reverse[ch])
        elif ord(ch) < 0x80:
            out.append(ord(ch))
        else:
            out.extend(ch.encode("cp1252", errors=errors))  # '–' '“' are in the fonts too
    return bytes(out)


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Verdict:
    encoding: Legacy | None  # None: the text is Unicode already (or too short to tell)
    before: Score
    after: Score


# A conversion must make most words valid syllables and beat the text as it is by a clear margin:
# valid Unicode Vietnamese scores ≥ 0.9, gibberish well under 0.5.
_ACCEPT = 0.75
_MARGIN = 0.25


def detect(text: str) -> Verdict:
    """Is `text` TCVN3 or VNI read as Latin-1? Judged by syllable shares before and after."""
    text = text[:SAMPLE]
    before = score(text)
    best: tuple[Legacy | None, Score] = (None, before)
    if before.words >= MIN_EVIDENCE and before.share < _ACCEPT:
        for encoding in (Legacy.TCVN3, Legacy.VNI):
            after = score(to_unicode(text, encoding))
            convincing = after.share >= _ACCEPT and after.share >= before.share + _MARGIN
            if convincing and (best[0] is None or after.share > best[1].share):
                best = (encoding, after)
    return Verdict(best[0], before, best[1])


def repair(text: str) -> tuple[str, Legacy | None]:
    """`text` converted to Unicode when it is TCVN3/VNI gibberish, else unchanged."""
    verdict = detect(text)
    if verdict.encoding is None:
        return text, None
    return to_unicode(text, verdict.encoding), verdict.encoding


def decode_bytes(data: bytes) -> tuple[str, Legacy] | None:
    """Bytes that are not UTF-8 → (text, encoding) for the legacy encoding that reads best.

    Windows-1258 (Microsoft's Vietnamese code page, tone marks as combining characters), TCVN3
    bytes and VNI bytes are each tried; the one whose words are most often valid syllables wins,
    if it is convincing. None when nothing fits (not Vietnamese text, or binary).
    """
    latin = data.decode("latin-1")
    candidates: list[tuple[str, Legacy]] = [
        (to_unicode(latin, Legacy.TCVN3), Legacy.TCVN3),
        (to_unicode(latin, Legacy.VNI), Legacy.VNI),
    ]
    with contextlib.suppress(UnicodeDecodeError):  # a byte cp1258 leaves undefined: not it
        candidates.append((unicodedata.normalize("NFC", data.decode("cp1258")), Legacy.CP1258))
    best: tuple[str, Legacy] | None = None
    best_share = 0.0
    for text, encoding in candidates:
        result = score(text[:SAMPLE])
        if result.words >= MIN_EVIDENCE and result.share >= _ACCEPT and result.share > best_share:
            best, best_share = (text, encoding), result.share
    return best


def codec_exists(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


# --------------------------------------------------------------------------- tone-mark style

_WORD = re.compile(r"[^\W\d_]+")
_SHIFTED_RHYMES = ("oa", "oe", "uy")


def _unify_word(match: re.Match[str]) -> str:
    word = str(match.group(0))
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((c for c in decomposed if c in _TONE_MARKS), None)
    if tone is None or not decomposed.endswith(tone):
        return word  # no tone, or not on the last letter
    bare = decomposed[:-1]
    if any(c in _TONE_MARKS for c in bare) or not bare.lower().endswith(_SHIFTED_RHYMES):
        return word
    if len(bare) > 2 and bare[-3].lower() == "q":
        return word  # "quý", "quá": the u belongs to "qu", the tone is already on the vowel
    return unicodedata.normalize("NFC", bare[:-1] + tone + bare[-1])


def unify_tone_marks(text: str) -> str:
    """One tone placement for matching: the seeds' "hóa", "thủy", "Ủy ban", "khỏe".

    Vietnamese prints open syllables ending in oa / oe / uy two ways: the tone on the first vowel
    ("hóa", "thủy": what the seeds, the registry and most official text use) or on the second
    ("hoá", "thuỷ": Unikey's "new style", common in older Word files). This moves the second
    form to the first. Syllables with a final consonant ("hoạch", "thoát", "buýt") and "qu"
    syllables ("quý") are the same in both styles and stay as they are.
    """
    return str(_WORD.sub(_unify_word, unicodedata.normalize("NFC", text)))
