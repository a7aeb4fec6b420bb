"""Document header (phần đầu văn bản): số hiệu, type, issuer, place, date, title, signer.

Real files lose parts of the header (seed 000 starts at its title), so each field falls back
to the next best evidence: the appendix caption "(Ban hành kèm theo Kế hoạch số 223 /KH-UBND
ngày 05/8/2023 …)", the signature block "TM. ỦY BAN NHÂN DÂN", the title's "thành phố Hà Nội".
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import regex as re

from vnplan.models import Block, Paragraph, Table
from vnplan.textutil import fold, fold_key, squash

HEAD_WINDOW = 40  # the header block lives in the first paragraphs

DOC_NUMBER = re.compile(
    r"^\s*Số\s*:?\s*(\d+[\p{L}\d]*\s*/\s*[\p{L}\d]+(?:\s*-\s*[\p{L}\d]+)*)", re.I
)
# "Lào Cai, ngày 10 tháng 01 năm 2026"; a draft leaves the day (or month) blank.
PLACE_DATE = re.compile(
    r"^\s*([\p{L} .'-]{2,40}?)\s*,\s*ngày\s*(\d{1,2})?[^\d,\n]{0,6}?tháng\s*(\d{1,2})?"
    r"[^\d,\n]{0,6}?năm\s+(\d{4})",
    re.I,
)
BLANK_NUMBER = re.compile(r"^\s*Số\s*:?\s*[.…_ ]*/\s*[\p{L}\d]+", re.I)
SUBJECT_ANYWHERE = re.compile(r"(?:^|\s)V/v\s*:?\s*", re.I)  # "V/v tăng cường …": the subject
PLACE_DATE_ANYWHERE = re.compile(
    r"\p{Lu}[\p{L}.]*(?:\s+\p{Lu}[\p{L}.]*){0,3}\s*,\s*ngày[^,\n]{0,12}?tháng[^,\n]{0,10}?năm\s+\d{4}"
)
NATIONAL = ("cong hoa xa hoi", "doc lap - tu do", "doc lap – tu do", "doc lap-tu do")
LEVEL_LINE = re.compile(r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|ĐẶC KHU)\s", re.I)
# A table holding the signature block: "Nơi nhận:" beside "KT. GIÁM ĐỐC" and the name.
SIGNATURE_CELL = re.compile(r"Nơi\s+nhận\s*:|(?:^|\n)\s*(?:TM|KT|TL|TUQ|Q)\.\s*\p{Lu}", re.I)
HEADING_WINDOW = 3  # the two-column heading is one of the first blocks (a table in Word)
CAPTION = re.compile(
    r"(?:^|(?<=\())\s*(?:ban\s+hành\s+)?kèm\s+theo\s+(Kế\s+hoạch|Quyết\s+định|Chỉ\s+thị|Chương\s+trình|Nghị\s+quyết)\s+số\s*"
    r"(\d+[\p{L}\d]*\s*/\s*[\p{L}\d]+(?:-[\p{L}\d]+)*)"
    r"(?:\s+ngày\s+(\d{1,2})\s*(?:/|\s+tháng\s+)\s*(\d{1,2})\s*(?:/|\s+năm\s+)\s*(\d{4}))?",
    re.I,
)
LOCALITY = re.compile(
    r"\b(thành\s+phố|tỉnh|huyện|quận|thị\s+xã)\s+(\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){0,3})"
)
PERSON_NAME = re.compile(r"^\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}*){1,4}$")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    text = resources.files("vnplan.parse").joinpath("data/document.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass
class Header:
    doc_number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    place: str | None = None
    issued_date: dt.date | None = None
    title: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    recipients: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _sentence_case(upper: str) -> str:
    return upper[:1] + upper[1:].lower()


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _issuer_name(head: str, locality: str | None) -> str:
    body = _sentence_case(squash(head).replace("UỶ", "ỦY"))
    if locality:
        kind, _, name = locality.partition(" ")
        if kind.lower() == "thành" and name.lower().startswith("phố "):
            kind, name = "thành phố", name[4:]
        body = f"{body} {kind.lower()} {name.title()}"
    return body


def _find_issuer(paragraphs: list[Paragraph], heads: list[str]) -> str | None:
    folded_heads = [fold_key(h) for h in heads]
    for index, para in enumerate(paragraphs[:HEAD_WINDOW]):
        key = fold_key(para.text)
        for head, folded in zip(heads, folded_heads, strict=True):
            if not key.startswith(folded):
                continue
            rest = squash(para.text)[len(head) :].strip()
            if not rest and index + 1 < len(paragraphs):
                following = squash(paragraphs[index + 1].text)
                if following.isupper() and fold(following).startswith(
                    ("thanh pho", "tinh ", "quan ", "huyen ")
                ):
                    rest = following
            if rest:
                return _issuer_name(head, rest)
    return None


def _signature(
    paragraphs: list[Paragraph], vocab: dict[str, Any]
) -> tuple[str | None, str | None, str | None]:
    """(issuer head, signing capacity, signer) from the first signature block."""
    openers = tuple(o.upper() for o in vocab["signature_openers"])
    titles = [fold_key(t) for t in vocab["signature_titles"]]
    for index, para in enumerate(paragraphs):
        text = squash(para.text)
        if not text.upper().startswith(openers):
            continue
        head = re.sub(r"^\S+\s*", "", text.split("\n")[0]).strip()
        capacity: list[str] = []
        for later in paragraphs[index : index + 8]:
            for line in later.text.split("\n"):
                line = squash(line.replace("✓", ""))
                if line.upper().startswith(openers):
                    rest = re.sub(r"^\S+\s*", "", line)
                    if fold_key(rest) in titles:
                        capacity.append(rest.upper())
                    continue
                if fold_key(line) in titles or (line.isupper() and len(line) < 60):
                    capacity.append(line.upper())
                elif PERSON_NAME.match(line):
                    return head or None, " / ".join(capacity) or None, line
    # no "TM./KT." line: a title of its own and the name under it ("GIÁM ĐỐC" / "Hoàng Văn …"),
    # or (a scan whose stamp hid the title) the name closing the page after "Nơi nhận"
    for index, para in enumerate(paragraphs):
        if fold_key(squash(para.text)) not in titles:
            continue
        for later in paragraphs[index + 1 : index + 6]:
            line = squash(later.text)
            if PERSON_NAME.match(line):
                return None, squash(para.text).upper(), line
            if line and not line.isupper():
                break
    for index, para in enumerate(paragraphs):
        if fold_key(para.text).startswith("noi nhan"):
            for later in paragraphs[index + 1 : index + 14]:
                if PERSON_NAME.match(squash(later.text)):
                    return None, None, squash(later.text)
    return None, None, None


def _recipients(paragraphs: list[Paragraph]) -> list[str]:
    """The "Nơi nhận:" list of the first recipient block, bullets and trailing ';' dropped."""
    for index, para in enumerate(paragraphs):
        if fold_key(para.text).startswith("noi nhan"):
            out = []
            for later in paragraphs[index + 1 :]:
                text = squash(later.text)
                if not text.startswith(("-", "–", "+")):
                    break
                out.append(text.lstrip("-–+ ").rstrip(";.,"))
            return out
    return []


def _title_after_type(paragraphs: list[Paragraph], type_index: int) -> str | None:
    """The lines after the type word; a line that starts in lower case continues the title
    ("Tổng kết công tác … năm 2025" / "và phương hướng … năm 2026")."""
    parts: list[str] = []
    for para in paragraphs[type_index + 1 : type_index + 5]:
        text = squash(para.text)
        stop = ("uy ban", "can cu", "so:", "(ban hanh", "(kem theo", "kinh gui")
        long = len(text) > 600  # a paragraph of the body, not a title line
        if not text or long or fold(text).startswith(stop) or (parts and not text[:1].islower()):
            break
        parts.append(text)
    return " ".join(parts) or None


def heading_lines(blocks: list[Block]) -> tuple[list[Paragraph], list[Paragraph]]:
    """The lines of the two-column heading and of the signature block when the source laid
    them out as tables (Word, HTML): each cell's lines, left column first, as paragraphs."""

    def lines(table: Table) -> list[Paragraph]:
        columns = max((len(r) for r in table.rows), default=0)
        return [
            Paragraph(text=line.strip(), page=table.page)
            for col in range(columns)
            for row in table.rows
            if col < len(row)
            for line in row[col].text.split("\n")
            if line.strip()
        ]

    head = [t for t in blocks[:HEADING_WINDOW] if isinstance(t, Table)]
    tail = [
        t
        for t in blocks[HEADING_WINDOW:]
        if isinstance(t, Table)
        and len(t.rows) <= 3
        and SIGNATURE_CELL.search(" ".join(c.text for row in t.rows for c in row))
    ]
    return [p for t in head for p in lines(t)], [p for t in tail for p in lines(t)]


def _title_case(upper: str) -> str:
    """'SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG' → 'Sở Nông nghiệp và Môi trường': the head word, the first
    word of each coordinated field and place names capitalised, as official names are."""
    printed = squash(upper.replace("UỶ", "ỦY")).split(" ")
    words = [w.lower() for w in printed]
    keep = set(vocabulary()["abbreviations_kept"])
    out: list[str] = []
    place = False
    for index, word in enumerate(words):
        if printed[index] in keep:  # "UBND", "HĐND": expanded later, with the registry
            out.append(printed[index])
            place = place or printed[index] in ("UBND", "HĐND")
            continue
        previous = words[index - 1] if index else ""
        capital = (
            index == 0
            or place
            or previous in ("và", "-", "–")
            or previous.endswith(",")
            or (index == 1 and words[0] in ("sở", "bộ", "ban", "cục", "vụ", "phòng", "đài"))
        )
        if word in ("tỉnh", "phố", "huyện", "quận", "xã", "phường") and index > 0:
            place = True
            capital = False
        elif word == "ủy" and previous in ("tỉnh", "thành", "đảng"):  # "Tỉnh ủy Lào Cai"
            place, capital = True, False
        out.append(word[:1].upper() + word[1:] if capital else word)
    return " ".join(out)


def heading_issuer(lines: list[str]) -> str | None:
    """The issuing body: the upper-case lines above "Số:" in the heading's left column. The
    last body is the issuer; a parent above it gives it its place ("UBND TỈNH LÀO CAI" /
    "SỞ CÔNG THƯƠNG" → "Sở Công Thương tỉnh Lào Cai")."""
    bodies: list[str] = []
    words = tuple(fold(w) for w in vocabulary()["issuer_words"])
    for line in lines:
        text = squash(line).strip(" _-–")
        national = next((fold(text).find(n) for n in NATIONAL if fold(text).find(n) > 0), None)
        if national:  # OCR read both columns as one line: the issuer is the left part
            text = text[:national].strip(" _-–")
        if not text or fold(text).startswith(NATIONAL):
            continue
        if not bodies and not fold(text).startswith(words):
            continue
        if DOC_NUMBER.match(text) or BLANK_NUMBER.match(text) or PLACE_DATE.match(text):
            break
        if not text.isupper() or len(text) > 80:
            if bodies:
                break
            continue
        if bodies and LEVEL_LINE.match(text):
            bodies[-1] = f"{bodies[-1]} {text}"
        else:
            bodies.append(text)
    if not bodies:
        return None
    body = _title_case(bodies[-1])
    if len(bodies) > 1 and not LOCALITY.search(body):
        parent = LOCALITY.search(_title_case(bodies[-2]))
        if parent:
            body = f"{body} {parent.group(0)}"
    return body


def _subject(lines: list[str]) -> str | None:
    """A công văn's subject ("V/v …"), over as many lines as it runs; an OCR line that also
    holds the other column ("… Hà Nội, ngày …") loses that part."""
    for index, line in enumerate(lines):
        found = SUBJECT_ANYWHERE.search(line)
        if found:
            line = PLACE_DATE_ANYWHERE.sub(" ", line[found.end() :])
            parts = [line]
            for later in lines[index + 1 : index + 4]:
                key = fold(later)
                stop = key.startswith(("kinh gui", "noi nhan", *NATIONAL)) or later.isupper()
                if (
                    stop
                    or DOC_NUMBER.match(later)
                    or PLACE_DATE.match(later)
                    or later[:1] in "-–+•"
                ):
                    break
                parts.append(later)
            return squash(" ".join(parts)).strip() or None
    return None


def parse_header(
    paragraphs: list[Paragraph],
    heading: list[Paragraph] | None = None,
    signature: list[Paragraph] | None = None,
) -> Header:
    """The header from the first paragraphs, the heading table's lines (`heading`) and the
    signature table's lines (`signature`), when the source laid those out as tables."""
    vocab = vocabulary()
    header = Header()
    type_words = {fold_key(k): k for k in vocab["doc_types"]}
    type_index: int | None = None
    top = [*(heading or []), *paragraphs[:HEAD_WINDOW]]
    blank_number = False
    for para in top:
        text = squash(para.text)
        if header.doc_number is None and (m := DOC_NUMBER.match(text)):
            header.doc_number = re.sub(r"\s+", "", m.group(1))
        elif BLANK_NUMBER.match(text):
            blank_number = True
        merged = PLACE_DATE_ANYWHERE.search(text)
        if header.place is None and merged and not PLACE_DATE.match(text):
            text = merged.group(0)  # OCR joined the columns: "… V/v … Hà Nội, ngày …"
        if header.place is None and (m := PLACE_DATE.match(text)):
            header.place = squash(m.group(1))
            if m.group(2) and m.group(3):
                header.issued_date = _date(m.group(2), m.group(3), m.group(4))
            else:
                header.warnings.append(f"issue date left blank in the header: '{text}'")
    if blank_number and header.doc_number is None:
        header.warnings.append("document number left blank in the header (a draft?)")
    for index, para in enumerate(paragraphs[:HEAD_WINDOW]):
        text = squash(para.text)
        if type_index is None and fold_key(text) in type_words:
            type_index = index
            header.doc_type = _sentence_case(type_words[fold_key(text)])
    if type_index is not None:
        header.title = _title_after_type(paragraphs, type_index)
    subject = _subject([squash(p.text) for p in top])
    if subject and header.title is None:
        header.title = subject
        header.doc_type = header.doc_type or "Công văn"

    found = [m for p in paragraphs if (m := CAPTION.search(squash(p.text)))]
    caption = found[0] if found else None
    header.captions = list(dict.fromkeys(squash(m.group(0)) for m in found))
    for m in found:  # "Ban hành kèm theo Quyết định số …": the attached plan points back
        number = re.sub(r"\s+", "", m.group(2))
        when = _date(m.group(3), m.group(4), m.group(5)) if m.group(3) else None
        same_doc = header.doc_number and number.split("/")[0] == header.doc_number.split("/")[0]
        if same_doc and number != header.doc_number:
            header.warnings.append(
                f"caption '{squash(m.group(0))}' numbers the document {number}, "
                f"the header {header.doc_number}: both kept"
            )
        if same_doc and when and header.issued_date and when != header.issued_date:
            header.warnings.append(
                f"caption '{squash(m.group(0))}' dates the document {when}, "
                f"the header {header.issued_date}: both kept"
            )
    if header.doc_number is None and caption is not None and not blank_number:
        header.doc_number = re.sub(r"\s+", "", caption.group(2))
        header.warnings.append("document number taken from the appendix caption")
        if header.doc_type is None:
            header.doc_type = _sentence_case(squash(caption.group(1)))
    if header.place is None and caption is not None and caption.group(3):
        header.issued_date = _date(caption.group(3), caption.group(4), caption.group(5))
        header.warnings.append("issue date taken from the appendix caption")

    header.recipients = _recipients(paragraphs)
    head, capacity, signer = _signature([*paragraphs, *(signature or [])], vocab)
    header.signer, header.signer_title = signer, capacity
    first = [squash(p.text) for p in [*(heading or []), *paragraphs[:6]]]
    header.issuer = heading_issuer(first) or _find_issuer(paragraphs, vocab["issuer_heads"])
    if header.issuer is None and head:
        locality_text = " ".join(filter(None, [header.place, header.title]))
        locality = LOCALITY.search(locality_text)
        header.issuer = _issuer_name(head, locality.group(0) if locality else None)
        header.warnings.append("issuer inferred from the signature block")
    return header
