"""The section tree (cây đề mục) of a document's running text.

Labels are ranked by their shape, not by markdown noise around them: "Điều 1." and "I." open
the top level, then "1.", "1.1.", "1.1.1.", "a)", "-" and "+". A label of a rank already open
closes it and everything below it. A line naming the document type ("KẾ HOẠCH", "PHỤ LỤC")
starts a new part: a decision that issues a plan has both in one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex as re

from vnplan.models import Paragraph, Section
from vnplan.textutil import fold_key, squash

ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
LABEL = re.compile(
    r"^(?P<label>"
    r"Điều\s+\d+\.?"  # Điều 1. (articles of a decision)
    rf"|(?=[IVX])(?:{ROMAN})\."  # I.
    # OCR reads the strokes of a Roman numeral as H, l or | ("HI." for "III.") and a "1." as
    # "l.": repaired by `_ocr_label`, kept only when the repair is a label.
    r"|(?=[IVXHl|]*[Hl|])[IVXHl|]{1,4}\.(?=\s)"
    # 1.  1.1.  1.1.1 — a bare "1" is a footnote; "1.2..." is an OCR'd speck after "1.2."
    r"|\d{1,2}\.(?:\d{1,2}\.?){0,3}\.{0,2}(?=\s)"
    r"|[a-zđ]\)"  # a)  đ)
    r"|[-–+•]"  # - and + bullets
    r")\s*(?P<title>.*)$",
    re.DOTALL,
)
PART_WORDS = ("ke hoach", "phu luc", "quyet dinh", "chuong trinh", "de an", "quy che")
# Blocks that end the body: what follows them belongs to no section of the plan.
CLOSERS = ("noi nhan", "tm.", "tm ", "kt.", "kt,")
FOOTNOTE = re.compile(r"^\d{1,2}\s+\S")  # "<sup>1</sup> Quyết định số …" after a rule
RULE = re.compile(r"^[-*_]{3,}$")


@dataclass
class Node:
    section: Section
    rank: float
    index: int  # the paragraph that opens it
    paragraphs: list[int] = field(default_factory=list)  # indices of paragraphs in its body


def label_rank(label: str) -> float:
    """Rank of a label's shape: smaller opens a higher level."""
    if label.startswith("Điều"):
        return 1
    if label.endswith(".") and re.fullmatch(ROMAN + r"\.", label):
        return 1
    if label[0].isdigit():
        return 2 + label.rstrip(".").count(".")
    if label.endswith(")"):
        return 6
    return 7 if label in ("-", "–", "•") else 8


def _ocr_label(label: str) -> str | None:
    """The label OCR damaged: "l." or "|." is "1.", "HI." is "III." (H is two strokes), "Il."
    is "II."; None when the repaired text is no Roman numeral."""
    body = label[:-1]
    if body in ("l", "|"):
        return "1."
    if body == "H":
        return None  # a lone H is an initial ("H. Nguyễn"), too short to tell
    roman = body.replace("H", "II").replace("l", "I").replace("|", "I")
    return f"{roman}." if re.fullmatch(ROMAN, roman) and len(roman) <= 4 else None


def split_label(text: str) -> tuple[str, str] | None:
    """(label, title) of a labelled paragraph, or None."""
    match = LABEL.match(squash(text))
    if match is None:
        return None
    label = re.sub(r"\.{2,}", ".", re.sub(r"\s+", " ", match.group("label")))
    if re.search(r"[Hl|]", label) and not label.startswith("Điều"):
        repaired = _ocr_label(label)
        if repaired is None:
            return None
        label = repaired
    return label, match.group("title").strip()


@dataclass
class SectionTree:
    sections: list[Section]
    nodes: list[Node]
    path_of: list[list[str]]  # paragraph index → enclosing section labels and titles
    section_of: list[str | None]  # paragraph index → innermost section id


def build_sections(paragraphs: list[Paragraph], doc_id: str) -> SectionTree:
    nodes: list[Node] = []
    stack: list[Node] = []
    path_of: list[list[str]] = []
    section_of: list[str | None] = []

    def open_section(label: str, title: str, rank: float, index: int) -> Node:
        while stack and stack[-1].rank >= rank:
            stack.pop()
        parent = stack[-1].section.section_id if stack else None
        section = Section(
            section_id=f"{doc_id}:s{len(nodes)}",
            parent_id=parent,
            label=label,
            title=title,
            level=len(stack) + 1,
        )
        node = Node(section, rank, index)
        nodes.append(node)
        stack.append(node)
        return node

    for index, para in enumerate(paragraphs):
        text = squash(para.text)
        key = fold_key(text)
        parted = split_label(text)
        if RULE.match(text) or FOOTNOTE.match(text):
            pass  # layout and footnotes are no part of a section's text
        elif (
            key in PART_WORDS
            or key.startswith(CLOSERS)
            or (para.heading_level and key.startswith(PART_WORDS) and len(key) < 40)
        ):
            stack.clear()
            open_section("", text, 0, index)
        elif parted is not None:
            label, title = parted
            if label == "I." and any(
                n.rank == 1 and not n.section.label.startswith("Đ") for n in stack
            ):
                label = "1."  # a part "I." is open, so this "I." is OCR's reading of "1."
            open_section(label, title, label_rank(label), index)
        elif stack:
            stack[-1].paragraphs.append(index)
        path_of.append([f"{n.section.label} {n.section.title}".strip() for n in stack])
        section_of.append(stack[-1].section.section_id if stack else None)

    for node in nodes:
        body = "\n".join(squash(paragraphs[i].text) for i in node.paragraphs)
        node.section = node.section.model_copy(update={"text": body or None})
    return SectionTree([n.section for n in nodes], nodes, path_of, section_of)
