"""Tasks written as prose (origin = prose), in three shapes real plans use.

1. Labelled blocks: "- Nhiệm vụ, giải pháp cụ thể: …", "- Thời gian thực hiện: …",
   "- Cơ quan chủ trì: …", "- Cơ quan phối hợp: …", labels in any order, a label's text running
   on over the following paragraphs; "+" items inside the task text become milestones.
2. Items under a task heading ("Nội dung/nhiệm vụ", "NHIỆM VỤ, GIẢI PHÁP CHUNG"): every leaf
   item is a task, even when it names no agency.
3. The "Tổ chức thực hiện" part: under an agency heading ("1. Sở Nội vụ", "d) Sở Tài chính")
   each item is a task that agency leads; "X chủ trì, phối hợp với Y …" and "Phối hợp với X …"
   sentences set who leads and who supports.

Words come from data/prose.toml. Cells stay as printed: resolving names is normalize's job.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import regex as re

from vnplan.models import Milestone, Paragraph, Provenance, Task, TaskOrigin
from vnplan.parse.sections import Node, SectionTree, split_label
from vnplan.parse.tables import task_id_for
from vnplan.textutil import fold, fold_key, squash


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    text = resources.files("vnplan.parse").joinpath("data/prose.toml").read_text("utf-8")
    return tomllib.loads(text)


def _alternation(words: list[str]) -> str:
    folded = sorted({fold(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in folded)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    v = vocabulary()
    labels = {name: rf"(?P<{name}>{_alternation(words)})" for name, words in v["labels"].items()}
    verbs = _alternation(v["sentences"]["verbs"])
    return {
        # On folded text: "- co quan chu tri: …" → which field, and where its text starts.
        "label": re.compile(rf"^[-–+•\s]*(?:{'|'.join(labels.values())})\s*:\s*"),
        "lead_support": re.compile(
            rf"^(?:giao\s+)?(?P<lead>.*?)\s*\bchu\s+tri\b\s*,?\s*(?:va\s+)?phoi\s+hop\s+(?:voi\s+)?"
            rf"(?P<support>.+?)\s+(?=(?:{verbs})\b)"
        ),
        # "Bộ Công Thương đề nghị Ủy ban nhân dân các tỉnh, thành phố hướng dẫn, …"
        # on lower-case printed text: "giao" is not "Giáo dục", "Giao thông", "Ngoại giao"
        "request": re.compile(
            rf"(?<![\p{{L}}])(?:{'|'.join(re.escape(w) for w in v['sentences']['requests'])})"
            r"(?![\p{L}])\s+"
        ),
        # the addressee runs to the first verb (not "các tổ chức …": a noun after a quantifier)
        "request_lead": re.compile(
            rf"(?P<lead>.+?)(?<!\bcac)(?<!\bnhung)\s+(?=(?:{verbs}|chu\s+tri|phoi\s+hop)\b)"
        ),
        # "… phối hợp (chặt chẽ) với Y, Z và W <verb> …": the partners, up to a verb or a stop
        "partner": re.compile(
            rf"\bphoi\s+hop\s+(?:chat\s+che\s+)?voi\s+(?P<support>[^.;:]+?)"
            rf"(?=\s+(?:{verbs}|trong|de|nham|tai|khi)\b|[.;:]|$)"
        ),
        "support_only": re.compile(rf"^phoi\s+hop\s+(?:voi\s+)?(?P<lead>.+?)\s+(?=(?:{verbs})\b)"),
        # "Hoàn thành trong Quý IV/2023", "Thời gian: tháng 6/2024" — a time word must follow.
        "time": re.compile(
            rf"(?:(?:^|[.;(]\s*|\s)(?:{_alternation(v['sentences']['time_lead'])})\s*:?\s*"
            r"(?P<phrase>(?:trong|truoc|vao|cham nhat|den|tu|quy|thang|nam|ngay|\d)"
            r"[^.;()]{0,60}?\d{4})"
            # or a bare "… trước ngày 15/12/2025", "… trong Quý II/2025"
            r"|\s(?P<bare>(?:truoc|trong|cham nhat(?: la)?)\s+(?:ngay|thang|quy|nam)\s"
            r"[^.;()]{0,30}?\d{4}))"
        ),
    }


@dataclass
class Draft:
    """A prose task being assembled."""

    content: list[str] = field(default_factory=list)
    lead: str | None = None
    support: str | None = None
    deadline: str | None = None
    product: str | None = None
    leader: str | None = None
    assignee: str | None = None
    milestones: list[tuple[str, str | None]] = field(default_factory=list)
    section_path: list[str] = field(default_factory=list)
    line: int | None = None
    page: int | None = None
    index: int = 0  # the paragraph it starts at
    node: str | None = None  # the section item it was made from
    paragraphs: list[int] = field(default_factory=list)  # a closing block: its paragraphs


@lru_cache(maxsize=1)
def _closing_formulas() -> tuple[str, ...]:
    return tuple(fold(f) for f in vocabulary()["closing_formulas"])


def _title_matches(title: str, phrases: list[str]) -> bool:
    key = fold_key(re.sub(r"^\W+", "", title))
    return any(key == fold_key(p) or key.startswith(fold_key(p) + " ") for p in phrases)


def _cut(text: str, folded_start: int) -> str:
    return text[folded_start:].strip()


def _time_phrase(text: str) -> str | None:
    match = _patterns()["time"].search(fold(text))
    if match is None:
        return None
    group = "phrase" if match.group("phrase") else "bare"
    return squash(text[match.start(group) : match.end(group)])


def _agency_heading(title: str, max_words: int = 15) -> str | None:
    """The agency an assignment heading names, or None when the title is not one."""
    v = vocabulary()
    text = squash(title).split(":")[0].strip()  # "X: ngoài việc … chỉ đạo:" names X
    # "UBND cấp huyện, ngoài việc thực hiện những nội dung trên, Chủ tịch … chỉ đạo" names X too
    text = str(re.split(r",\s*ngoài\s|\s+chỉ\s+đạo\b", text)[0]).strip(" ,")
    for prefix in v["agency_heading_prefixes"]:
        if fold(text).startswith(fold(prefix) + " "):
            text = text[len(prefix) :].strip()
            text = text[:1].upper() + text[1:]  # "Trách nhiệm của các tổ chức" → "Các tổ chức"
    if not text or text.endswith(".") or len(text.split()) > max_words or re.search(r"\d", text):
        return None
    if any(fold(text).startswith(fold(stop)) for stop in v["not_agency_headings"]):
        return None
    if not _names_agency(text):
        return None
    return text


def _names_agency(text: str) -> bool:
    """Opens with an agency head and a name: "Phòng Quản lý …", "Công an tỉnh", not "Phòng
    ngừa …" (a name goes on in capitals or with a level word)."""
    v = vocabulary()
    for head in v["agency_heads"]:
        if text == head:
            return True
        if not text.startswith(head + " "):
            continue
        following = text[len(head) + 1 :]
        if head in v["heads_before_lower_case"] or following[:1].isupper():
            return True
        return fold(following).startswith(tuple(v["level_words"]))
    return False


def _addressee(title: str) -> tuple[str, str] | None:
    """ "Phòng Quản lý Công nghiệp: Là đầu mối …" → (the unit, what it must do)."""
    head, colon, rest = title.partition(":")
    if not colon or not rest.strip():
        return None
    agency = _agency_heading(head)
    return (agency, rest.strip()) if agency else None


def _roles_from_sentence(text: str, heading: str | None) -> tuple[str | None, str | None]:
    """(lead, support) from "X chủ trì, phối hợp với Y …" / "Phối hợp với X …" sentences."""
    folded = fold(squash(text))
    plain = squash(text)
    patterns = _patterns()
    if m := patterns["lead_support"].match(folded):
        lead = plain[m.start("lead") : m.end("lead")].strip(" ,:")
        if not _names_agency(lead):  # "Thực hiện …, chủ trì, phối hợp với …": the heading leads
            lead = heading or ""
        support = re.split(r"[.;]\s", plain[m.start("support") : m.end("support")])[0]
        return lead or heading, support.strip(" ,")
    if (m := patterns["support_only"].match(folded)) and len(m.group("lead").split()) <= 12:
        return plain[m.start("lead") : m.end("lead")].strip(" ,"), heading
    if heading and (m := patterns["partner"].search(folded)):  # "… phối hợp với Y …"
        return heading, plain[m.start("support") : m.end("support")].strip(" ,")
    return heading, None


def _segments(text: str) -> list[tuple[str, str]]:
    """A labelled line as (field, value) pairs: "Đơn vị chủ trì: X; Đơn vị phối hợp: Y" holds
    two. Empty when the line does not open with a label."""
    pattern = _patterns()["label"]
    out: list[tuple[str, str]] = []
    for part in re.split(r"(?<=[;.])\s+(?=\S)", text):
        match = pattern.match(fold(part))
        if match is None:
            if not out:
                return []
            name, value = out[-1]
            out[-1] = (name, f"{value} {part}")  # "X; Y" inside one label's value
            continue
        name = next(k for k, v in match.groupdict().items() if v)
        out.append((name, _cut(part, match.end())))
    return [(name, value.strip().rstrip(" .;")) for name, value in out]


def _labelled_blocks(
    paragraphs: list[Paragraph], tree: SectionTree
) -> tuple[list[Draft], set[int]]:
    drafts: list[Draft] = []
    used: set[int] = set()
    current: Draft | None = None
    field_name: str | None = None
    for index, para in enumerate(paragraphs):
        text = squash(para.text)
        segments = _segments(text)
        if segments:
            for name, value in segments:
                filled = current is not None and (
                    (name == "content" and current.content) or getattr(current, name, None)
                )
                if current is None or filled:
                    current = Draft(
                        section_path=tree.path_of[index],
                        line=para.line,
                        page=para.page,
                        index=index,
                    )
                    drafts.append(current)
                if name == "content":
                    current.content.append(value)
                else:
                    setattr(current, name, value)
                field_name = name
            if current is not None:
                current.paragraphs.append(index)
            used.add(index)
        elif current is not None and field_name is not None and split_label(text) is None:
            if not text:
                continue
            _extend(current, field_name, text)  # a label's text running on
            current.paragraphs.append(index)
            used.add(index)
        elif current is not None and field_name == "content" and text.startswith("+"):
            current.milestones.append((text.lstrip("+ ").strip(), _time_phrase(text)))
            used.add(index)
        else:
            current, field_name = None, None
    return drafts, used


def _extend(draft: Draft, name: str, text: str) -> None:
    if name == "content":
        draft.content.append(text)
    else:
        setattr(draft, name, squash(f"{getattr(draft, name) or ''} {text}"))


def _children(tree: SectionTree) -> dict[str | None, list[Node]]:
    out: dict[str | None, list[Node]] = {}
    for node in tree.nodes:
        out.setdefault(node.section.parent_id, []).append(node)
    return out


def _item_text(node: Node, paragraphs: list[Paragraph], skip: frozenset[int] = frozenset()) -> str:
    own = []
    for i in node.paragraphs:
        text = squash(paragraphs[i].text)
        if fold(text).startswith(_closing_formulas()):  # "Trên đây là …": the body has ended
            break
        if i not in skip:
            own.append(text)
    title = node.section.title
    if own and fold(title).startswith("ve "):  # "1.1. Về …" is a topic; its text is the task
        return " ".join(own)
    return squash(" ".join([title, *own]))


def _draft(
    node: Node,
    paragraphs: list[Paragraph],
    tree: SectionTree,
    skip: frozenset[int] = frozenset(),
    **roles: str | None,
) -> Draft:
    para = paragraphs[node.index]
    text = _item_text(node, paragraphs, skip)
    path = tree.path_of[node.index][:-1]
    return Draft(
        content=[text],
        lead=roles.get("lead"),
        support=roles.get("support"),
        deadline=_time_phrase(text),
        section_path=path,
        line=para.line if para else None,
        page=para.page if para else None,
        index=node.index,
        node=node.section.section_id,
    )


def _heading_tasks(
    tree: SectionTree, paragraphs: list[Paragraph], used: set[int], closing: frozenset[int]
) -> list[Draft]:
    """Tasks from section items; `closing` paragraphs (a group's "Đơn vị chủ trì: …" lines)
    belong to no item's text."""
    v = vocabulary()
    used = used - closing
    children = _children(tree)
    drafts: list[Draft] = []

    def leaves(node: Node) -> list[Node]:
        kids = children.get(node.section.section_id, [])
        return [leaf for kid in kids for leaf in leaves(kid)] if kids else [node]

    done: set[str] = set()  # sections already turned into tasks

    def add(node: Node, lead: str | None, support: str | None, text: str | None = None) -> None:
        if node.section.section_id in done:
            return
        done.add(node.section.section_id)
        drafts.append(_draft(node, paragraphs, tree, closing, lead=lead, support=support))
        if text is not None:
            drafts[-1].content = [text]

    def assignments(node: Node, heading: str | None) -> None:
        kids = children.get(node.section.section_id, [])
        # under "Tổ chức thực hiện" a heading may list several agencies: allow it to be longer
        agency = _agency_heading(node.section.title, 30) if node.section.label else None
        if agency is not None:
            heading = agency
            if not kids and node.paragraphs:  # "3. Các sở, ban, ngành …" then a paragraph
                text = " ".join(squash(paragraphs[i].text) for i in node.paragraphs)
                add(node, *_roles_from_sentence(text, heading), text=text)
                return
        for kid in kids:
            if children.get(kid.section.section_id):
                assignments(kid, heading)
                continue
            text = _item_text(kid, paragraphs, closing)
            addressed = _addressee(kid.section.title)
            if addressed is not None:  # "1. Sở X: …" — the item names who does it
                agency, rest = addressed
                own = [squash(paragraphs[i].text) for i in kid.paragraphs if i not in closing]
                text = squash(" ".join([rest, *own]))
                add(kid, *_roles_from_sentence(text, agency), text=text)
            else:  # an item: a task, lead from its heading
                add(kid, *_roles_from_sentence(text, heading))

    for node in tree.nodes:
        title = node.section.title
        if _title_matches(title, v["assignment_headings"]):
            assignments(node, None)
        elif _title_matches(title, v["task_headings"]):
            for leaf in leaves(node):
                if leaf is not node and leaf.index not in used and not set(leaf.paragraphs) & used:
                    add(leaf, *_roles_from_sentence(_item_text(leaf, paragraphs, closing), None))
        elif node.section.label and node.section.label not in "-–+•" and _agency_heading(title, 20):
            assignments(node, None)  # an agency heading outside "Tổ chức thực hiện"
    return drafts


def request_addressee(text: str) -> str | None:
    """The agency a request sentence hands work to: "Bộ Công Thương đề nghị <X> hướng dẫn …",
    "Yêu cầu <X> …"; None when no request word opens the sentence's work."""
    v = vocabulary()
    patterns = _patterns()
    lower = text.lower()
    for match in patterns["request"].finditer(lower):
        before = fold(lower[: match.start()])
        if len(before) > 80 or re.search(r"[.;:]", before):
            break  # a request opens the sentence, after at most its subject
        if re.search(rf"(?:{_alternation(v['sentences']['not_requests'])})\s*$", before):
            continue  # "được giao", "theo đề nghị", "căn cứ đề nghị": no request
        if re.search(r"\bneu\b", before):  # "nếu phát sinh khó khăn, đề nghị …": a formula
            return None
        found = patterns["request_lead"].match(fold(text[match.end() :]))
        if found is None:
            continue
        lead = text[match.end() : match.end() + found.end("lead")].strip(" ,:")
        bare = lead in v["agency_heads"]  # "đề nghị Công ty …": the addressee itself
        if not bare and _names_agency(lead[:1].upper() + lead[1:]) and len(lead.split()) <= 25:
            return lead
    return None


def _requests(paragraphs: list[Paragraph], tree: SectionTree, covered: set[int]) -> list[Draft]:
    """Shape 4, the công văn's: "<issuer> đề nghị / yêu cầu / giao X <verb> …" — a paragraph no
    other shape took, that asks a named agency to act, is one task X leads."""
    patterns = _patterns()
    drafts = []
    for index, para in enumerate(paragraphs):
        text = squash(para.text)
        labelled = split_label(text)
        if labelled is not None:  # "2. Đề nghị Sở Y tế …": the item's label is not its text
            text = labelled[1]
        closing = fold(text).startswith(_closing_formulas())  # "Trên đây là …, đề nghị …"
        if index in covered or len(text) < 40 or closing:
            continue
        lead = request_addressee(text)
        if lead is None:
            continue
        folded = fold(text)
        partner = patterns["partner"].search(folded)
        support = text[partner.start("support") : partner.end("support")] if partner else None
        drafts.append(
            Draft(
                content=[text],
                lead=lead,
                support=support,
                deadline=_time_phrase(text),
                section_path=tree.path_of[index],
                line=para.line,
                page=para.page,
                index=index,
            )
        )
    return drafts


# "Ông. Hoàng Văn Thuân - Trưởng đoàn: Phụ trách chung; …": an item that names the officer
# who does it (an inspection team's plan, a decision dividing duties among leaders).
PERSON_ITEM = re.compile(
    r"^(?:Ông|Bà|Đồng\s+chí|Đ/c)\.?\s+(?P<who>\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){1,4})"
    r"(?:\s*[-–,]\s*[^:]{2,60})?\s*:\s*(?P<rest>\S.*)$",
    re.DOTALL,
)


def _officers(drafts: list[Draft]) -> None:
    for draft in drafts:
        text = squash(" ".join(draft.content))
        match = PERSON_ITEM.match(text)
        if match and draft.assignee is None:
            draft.assignee = match.group("who")
            draft.content = [match.group("rest")]


def _close_groups(drafts: list[Draft], closers: list[Draft], tree: SectionTree) -> None:
    """ "Đơn vị chủ trì: X; Đơn vị phối hợp: Y" after a group of items assigns every item of
    the group (the items since the group's heading or the previous such lines)."""
    parent = {n.section.section_id: n.section.parent_id for n in tree.nodes}
    owner = tree.section_of
    previous: dict[str | None, int] = {}
    for closer in sorted(closers, key=lambda c: c.index):
        item = owner[closer.index]
        group = parent.get(item) if item is not None else None
        if item is not None and not any(d.node == item for d in drafts):
            group = item  # the lines close a heading's own text, not a list of items
        start = previous.get(group, -1)
        for draft in drafts:
            if draft.node is None or not start < draft.index < closer.index:
                continue
            if draft.node != group and parent.get(draft.node) != group:
                continue
            draft.lead = closer.lead or draft.lead
            draft.support = closer.support if closer.lead else draft.support or closer.support
            draft.leader = closer.leader or draft.leader
            draft.deadline = closer.deadline or draft.deadline  # "Thời gian hoàn thành: …"
            draft.product = closer.product or draft.product
        previous[group] = closer.index


def prose_tasks(
    paragraphs: list[Paragraph], tree: SectionTree, doc_id: str, source_path: str, version: str
) -> list[Task]:
    """Every prose task of the document, in source order."""
    blocks, used = _labelled_blocks(paragraphs, tree)
    closers = [b for b in blocks if not b.content and (b.lead or b.support or b.leader)]
    # a closing block may also give the group's time or product: they are no task of their own
    closing = frozenset(i for b in closers for i in b.paragraphs)
    drafts = [b for b in blocks if b.content] + _heading_tasks(tree, paragraphs, used, closing)
    _close_groups(drafts, closers, tree)
    nodes = {n.section.section_id: n for n in tree.nodes}
    covered = set(used) | {
        i
        for d in drafts
        if d.node in nodes
        for i in (nodes[d.node].index, *nodes[d.node].paragraphs)
    }
    drafts += _requests(paragraphs, tree, covered)
    _officers(drafts)
    drafts.sort(key=lambda d: (d.line or 0, d.index))
    tasks = []
    for index, draft in enumerate(drafts):
        content = squash(" ".join(draft.content))
        if not content:
            continue
        tasks.append(
            Task(
                task_id=task_id_for(doc_id, version, -1, index),
                doc_id=doc_id,
                origin=TaskOrigin.PROSE,
                section_path=draft.section_path,
                content=content,
                product=draft.product,
                lead_raw=draft.lead,
                leader_raw=draft.leader,
                assignee_raw=draft.assignee,
                support_raw=draft.support,
                deadline_raw=draft.deadline,
                milestones=[Milestone(content=c, deadline_raw=t) for c, t in draft.milestones],
                provenance=Provenance(
                    source_path=source_path, line=draft.line, page=draft.page, page_end=draft.page
                ),
            )
        )
    return tasks
