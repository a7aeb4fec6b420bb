"""Targets (chỉ tiêu) and citations (văn bản được dẫn chiếu) in a plan's running text.

A target is a measurable commitment: "Chỉ số SIPAS của Thành phố đạt tối thiểu 85%", "100%
hồ sơ … được trả kết quả đúng hạn", "Giảm tối thiểu 20% đầu mối …". It is read from the items
under a "Chỉ tiêu" heading: the first number with a unit, the comparator before it, the year.

A citation is a legal document the plan refers to: "Nghị quyết số 76/NQ-CP ngày 15/7/2021 của
Chính phủ", "Kết luận số 1269-TB/TU", "Quyết định 06/QĐ-TTg".
"""

from __future__ import annotations

import datetime as dt

import regex as re

from vnplan.models import Citation, Paragraph, Table, Target
from vnplan.parse.prose import vocabulary
from vnplan.parse.sections import SectionTree
from vnplan.textutil import fold, fold_key, squash

NUMBER = re.compile(
    r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*(?P<unit>%|lần|lớp|đơn vị|hồ sơ|người|cơ quan|ngày|tháng)"
    r"|(?<![\d/])(?P<share>\d{1,3})\s*/\s*(?P<of>\d{1,3})(?![\d/])"
)
AT_LEAST = ("toi thieu", "it nhat", "tren", "khong duoi", "dat tu", "tro len", "phan dau")
AT_MOST = ("toi da", "khong qua", "duoi", "khong vuot")
DECREASE = ("giam",)
YEAR = re.compile(r"(?<![\d/])(?:năm\s+)?(?P<y>20\d{2}|19\d{2})(?![\d/])")
BASELINE = re.compile(r"(?:so\s+với|từ)\s+(?:năm\s+)?$", re.IGNORECASE)  # "so với năm 2015"

DOC_TYPES = (
    "Nghị quyết|Quyết định|Kế hoạch|Kết luận|Thông báo|Chỉ thị|Thông tư liên tịch|Thông tư|"
    "Nghị định|Luật|Chương trình|Công văn|Quy định|Phương án|Tờ trình|Hướng dẫn|Đề án|Pháp lệnh"
)
CITATION = re.compile(
    rf"(?P<type>{DOC_TYPES})\s+(?:số\s*:?\s*)?"
    r"(?P<number>\d+[\p{L}\d]*(?:\s*/\s*\d{4})?\s*[/-]\s*[\p{Lu}Đ][\p{L}\d]*(?:\s*[-/]\s*[\p{Lu}Đ][\p{L}\d]*)*)"
    r"(?:\s+(?:ngày\s+)?(?P<d>\d{1,2})\s*(?:/|\s+tháng\s+)\s*(?P<m>\d{1,2})\s*(?:/|\s+năm\s+)\s*(?P<y>\d{4}))?"
    r"(?:\s+(?:của|do)\s+(?P<issuer>(?:Ban\s+Thường\s+vụ\s+Thành\s+ủy|Thủ\s+tướng\s+Chính\s+phủ|"
    r"Bộ\s+Chính\s+trị|Ban\s+Chấp\s+hành\s+Trung\s+ương|Chính\s+phủ|Quốc\s+hội|Thành\s+ủy|"
    r"HĐND\s+Thành\s+phố|UBND\s+Thành\s+phố|Ủy\s+ban\s+nhân\s+dân\s+Thành\s+phố|"
    r"Bộ\s+[\p{Lu}][\p{Ll}]*(?:\s+(?:và\s+)?[\p{Lu}][\p{Ll}]*){0,4})))?",
)


def _comparator(before: str) -> str:
    key = fold(before)[-40:]
    if any(w in key for w in AT_MOST):
        return "<="
    if any(w in key for w in DECREASE):
        return "decrease>="  # "Giảm tối thiểu 20%": a reduction of at least
    if any(w in key for w in AT_LEAST):
        return ">="
    return "="


def parse_target(text: str, section_path: list[str], default_year: int | None) -> Target | None:
    """One target from an item's text, or None when it states no number."""
    match = NUMBER.search(text)
    if match is None:
        return None
    if match.group("share"):
        value = float(match.group("share"))
        unit = f"/{match.group('of')}"
    else:
        value = float(match.group("value").replace(",", "."))
        unit = match.group("unit")
    comparator = _comparator(text[: match.start()])
    if comparator == "decrease>=" and unit == "%":
        comparator, unit = ">=", "% decrease"
    years = [  # the year the target is due: the latest stated, not a baseline ("so với năm 2015")
        int(m.group("y")) for m in YEAR.finditer(text) if not BASELINE.search(text[: m.start()])
    ]
    return Target(
        text=squash(text),
        comparator=comparator.replace("decrease", ""),
        value=value,
        unit=unit,
        year=max(years) if years else default_year,
        year_assumed=not years,
        section_path=section_path,
    )


def targets(paragraphs: list[Paragraph], tree: SectionTree) -> list[Target]:
    """Targets stated under "Chỉ tiêu" headings."""
    headings = [fold_key(h) for h in vocabulary()["target_headings"]]
    target_ids = {n.section.section_id for n in tree.nodes if fold_key(n.section.title) in headings}
    found = []
    for node in tree.nodes:
        if node.section.parent_id in target_ids:
            text = squash(
                " ".join([node.section.title] + [paragraphs[i].text for i in node.paragraphs])
            )
            target = parse_target(text, tree.path_of[node.index][:-1], None)
            if target is not None:
                found.append(target.model_copy(update={"line": paragraphs[node.index].line}))
    return found


def _date(d: str | None, m: str | None, y: str | None) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d)) if d and m and y else None
    except ValueError:
        return None


def citations(blocks: list[Paragraph | Table]) -> list[Citation]:
    """Every cited legal document, once per (type, number), first mention kept."""
    seen: dict[tuple[str, str], Citation] = {}
    texts: list[tuple[str, int | None]] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            texts.append((squash(block.text), block.line))
        else:
            lines: list[int | None] = list(block.row_lines) or [None] * len(block.rows)
            for row, line in zip(block.rows, lines, strict=False):
                texts.extend((squash(cell.text), line) for cell in row if cell.text)
    for text, line in texts:
        for m in CITATION.finditer(text):
            number = re.sub(r"\s+", "", m.group("number"))
            doc_type = squash(m.group("type"))
            key = (fold(doc_type), fold(number))
            if key in seen:
                continue
            seen[key] = Citation(
                doc_type=doc_type,
                number=number,
                date=_date(m.group("d"), m.group("m"), m.group("y")),
                issuer=squash(m.group("issuer")) if m.group("issuer") else None,
                raw=squash(m.group(0)),
                line=line,
            )
    return list(seen.values())
