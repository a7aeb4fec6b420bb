"""Nothing missed silently: a document that looks like it assigns work but yields no task.

A Kế hoạch, a Quyết định issuing a plan or dividing duties, or a công văn asking bodies to act
is read for its tasks; when none is found, the reading failed somewhere (a damaged label, a
table shape not known) and the record says so instead of passing as `ok`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex as re

from vnplan.models import Block, Document, DocumentStatus, Paragraph
from vnplan.parse.sections import split_label
from vnplan.textutil import fold_key


@dataclass(frozen=True)
class _Vocabulary:
    plan_types: tuple[str, ...]
    plan_number: re.Pattern[str]
    decision_types: tuple[str, ...]
    decision_subjects: tuple[str, ...]
    letter_subject: tuple[str, ...]
    letter_actions: tuple[str, ...]
    letter_assigns: tuple[str, ...]


def _keys(items: list[str]) -> tuple[str, ...]:
    return tuple(fold_key(i) for i in items)


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    raw = tomllib.loads(
        resources.files("vnplan.parse").joinpath("data/plans.toml").read_text("utf-8")
    )
    codes = "|".join(re.escape(fold_key(c)) for c in raw["plan_codes"])
    return _Vocabulary(
        plan_types=_keys(raw["plan_types"]),
        # "Số: 223/KH-UBND", "Số: /KH-SCT" (a draft), "Số: 1105KH-ĐKT" (OCR lost the slash)
        plan_number=re.compile(rf"^so\s*:?\s*\d*\s*/?\s*(?:{codes})(?![a-z])"),
        decision_types=_keys(raw["decision_types"]),
        decision_subjects=_keys(raw["decision_subjects"]),
        letter_subject=_keys(raw["letter_subject"]),
        letter_actions=_keys(raw["letter_actions"]),
        letter_assigns=_keys(raw["letter_assigns"]),
    )


HEAD_MAX = 40  # paragraphs: a heading part is never longer


def _head(keys: list[str], paragraphs: list[str]) -> list[str]:
    """The heading part's keys: up to the first article or numbered part."""
    for index, text in enumerate(paragraphs[:HEAD_MAX]):
        if split_label(text) is not None and not text.lstrip().startswith(("-", "–", "+")):
            return keys[:index]
    return keys[:HEAD_MAX]


def plan_evidence(blocks: Sequence[Block]) -> str | None:
    """What makes the document one that assigns work ("a Kế hoạch"), or None."""
    vocab = _vocabulary()
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    keys = [fold_key(p) for p in paragraphs]
    head = _head(keys, paragraphs)
    if any(k in vocab.plan_types for k in head) or any(vocab.plan_number.match(k) for k in head):
        return "a Kế hoạch"
    if any(k in vocab.decision_types for k in head) and any(
        s in k for k in head for s in vocab.decision_subjects
    ):
        return "a Quyết định issuing a plan or assigning duties"
    if any(_acts(k, vocab) for k in head) and any(
        a in k for k in keys for a in vocab.letter_assigns
    ):
        return "a công văn assigning work"
    return None


def _acts(key: str, vocab: _Vocabulary) -> bool:
    """Whether a heading line holds a letter's subject ("V/v …") that is an action."""
    for mark in vocab.letter_subject:
        at = key.find(mark)
        if at >= 0:
            subject = key[at + len(mark) :]
            return any(subject.lstrip().startswith(a) for a in vocab.letter_actions)
    return False


def expect_tasks(doc: Document, blocks: Sequence[Block]) -> Document:
    """`doc` as `partial`, with a warning, when it looks like a plan but yields no task."""
    if doc.tasks or doc.status != DocumentStatus.OK:
        return doc
    reason = plan_evidence(blocks)
    if reason is None:
        return doc
    warning = f"the document looks like {reason} but no task was found: its tasks were missed"
    return doc.model_copy(
        update={"status": DocumentStatus.PARTIAL, "warnings": [*doc.warnings, warning]}
    )
