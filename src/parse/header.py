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

from vnplan.models import Paragraph
from vnplan.textutil import fold, fold_key, squash

HEAD_WINDOW = 40  # the header block lives in the first paragraphs

DOC_NUMBER = re.compile(
    r"^\s*Số\s*:?\s*(\d+[\p{L}\d]*\s*/\s*[\p{L}\d]+(?:\s*-\s*[\p{L}\d]+)*)", re.I
)
PLACE_DATE = re.compile(
    r"^\s*([\p{L} .'-]{2,40}?)\s*,\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I
)
CAPTION = re.compile(
    r"kèm\s+theo\s+(Kế\s+hoạch|Quyết\s+định|Chỉ\s+thị|Chương\s+trình|Nghị\s+quyết)\s+số\s*"
    r"(\d+[\p{L}\d]*\s*/\s*[\p{L}\d]+(?:-[\p{L}\d]+)*)"
    r"(?:\s+ngày\s+(\d{1,2})\s*(?:/|\s+tháng\s+)\s*(\d{1,2})\s*(?:/|\s+năm\s+)\s*(\d{4}))?",
    re.I,
)
LOCALITY = re.compile(r"\b(thành\s+phố|tỉnh)\s+(\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){0,3})")
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
                if fold_key(line) in titles:
                    capacity.append(line.upper())
                elif PERSON_NAME.match(line):
                    return head or None, " / ".join(capacity) or None, line
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
    for para in paragraphs[type_index + 1 : type_index + 4]:
        text = squash(para.text)
        if not text or fold(text).startswith(("uy ban", "can cu", "so:", "(ban hanh", "(kem theo")):
            break
        return text
    return None


def parse_header(paragraphs: list[Paragraph]) -> Header:
    vocab = vocabulary()
    header = Header()
    type_words = {fold_key(k): k for k in vocab["doc_types"]}
    type_index: int | None = None
    for index, para in enumerate(paragraphs[:HEAD_WINDOW]):
        text = squash(para.text)
        if header.doc_number is None and (m := DOC_NUMBER.match(text)):
            header.doc_number = re.sub(r"\s+", "", m.group(1))
        if header.issued_date is None and (m := PLACE_DATE.match(text)):
            header.place = squash(m.group(1))
            header.issued_date = _date(m.group(2), m.group(3), m.group(4))
        if type_index is None and fold_key(text) in type_words:
            type_index = index
            header.doc_type = _sentence_case(type_words[fold_key(text)])
    if type_index is not None:
        header.title = _title_after_type(paragraphs, type_index)

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
    if header.doc_number is None and caption is not None:
        header.doc_number = re.sub(r"\s+", "", caption.group(2))
        header.warnings.append("document number taken from the appendix caption")
        if header.doc_type is None:
            header.doc_type = _sentence_case(squash(caption.group(1)))
    if header.issued_date is None and caption is not None and caption.group(3):
        header.issued_date = _date(caption.group(3), caption.group(4), caption.group(5))
        header.warnings.append("issue date taken from the appendix caption")

    header.recipients = _recipients(paragraphs)
    head, capacity, signer = _signature(paragraphs, vocab)
    header.signer, header.signer_title = signer, capacity
    header.issuer = _find_issuer(paragraphs, vocab["issuer_heads"])
    if header.issuer is None and head:
        locality_text = " ".join(filter(None, [header.place, header.title]))
        locality = LOCALITY.search(locality_text)
        header.issuer = _issuer_name(head, locality.group(0) if locality else None)
        header.warnings.append("issuer inferred from the signature block")
    return header
