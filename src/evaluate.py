"""Compare pipeline output with hand-checked expected files (samples/expected/*.json).

Task detection is scored with precision, recall and F1 (an expected row is found when a task
of the document sits on the same source line, or, for formats without lines, the same row
in order with the same number); each field is scored as the share of matched tasks whose
value equals the expected one. The file format is described in samples/expected/SPEC.md.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from vnplan.models import Document, Task, TaskOrigin
from vnplan.textutil import fold, squash

FIELDS = (
    "content",
    "product",
    "leader",
    "assignees",
    "lead_agencies",
    "support_agencies",
    "deadlines",
)
OPTIONAL = ("leader", "assignees")  # compared only where the expected file gives them
HEADER = ("doc_number", "doc_type", "issuer", "place", "issued_date", "signer", "title")
AGENCY_ROLES = ("lead_agencies", "support_agencies")
MATCH_CUTOFF = 70  # rapidfuzz ratio on the folded start of the content: the same task


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    matched: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # name → [equal, compared]
    # lead/support agencies as (task, name) pairs: [true positives, found, expected]
    agencies: dict[str, list[int]] = field(default_factory=dict)
    header: dict[str, list[int]] = field(default_factory=dict)  # field → [equal, compared]
    mismatches: list[str] = field(default_factory=list)

    def agency_f1(self, name: str) -> float:
        tp, found, expected = self.agencies.get(name, [0, 0, 0])
        if not found and not expected:
            return 1.0
        return 2 * tp / (found + expected)

    def header_accuracy(self) -> float:
        equal = sum(v[0] for v in self.header.values())
        compared = sum(v[1] for v in self.header.values())
        return equal / compared if compared else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def field_accuracy(self, name: str) -> float:
        equal, compared = self.fields.get(name, [0, 0])
        return equal / compared if compared else 1.0

    def add(self, other: Score) -> None:
        self.expected += other.expected
        self.found += other.found
        self.matched += other.matched
        for mine_all, theirs in (
            (self.fields, other.fields),
            (self.agencies, other.agencies),
            (self.header, other.header),
        ):
            for name, counts in theirs.items():
                mine = mine_all.setdefault(name, [0] * len(counts))
                for i, n in enumerate(counts):
                    mine[i] += n
        self.mismatches += other.mismatches


def _text(value: str | None) -> str | None:
    return squash(value) if value else None


def _actual(task: Task, name: str) -> Any:
    if name == "leader":
        return task.leader_names
    if name == "deadlines":
        return [d.isoformat() for d in task.deadlines]
    if name in ("content", "product"):
        return _text(getattr(task, name))
    return getattr(task, name)


def _expected(entry: dict[str, Any], name: str) -> Any:
    if name == "leader":
        return entry.get("leader_names")  # optional in the expected files
    if name in ("content", "product"):
        return _text(entry.get(name))
    return entry.get(name)


def _content_key(text: str | None) -> str:
    return squash(fold(text or ""))[:240]


def _by_content(tasks: list[Task], entries: list[dict[str, Any]]) -> list[Task | None]:
    """Each expected task's pipeline task: the most similar unclaimed content, best pairs
    first (documents without a line-numbered appendix: prose, công văn, PDF/DOCX)."""
    pairs = sorted(
        (
            (-fuzz.ratio(_content_key(e.get("content")), _content_key(t.content)), i, j)
            for i, e in enumerate(entries)
            for j, t in enumerate(tasks)
        ),
    )
    chosen: list[Task | None] = [None] * len(entries)
    taken: set[int] = set()
    for negative, i, j in pairs:
        if -negative < MATCH_CUTOFF:
            break
        if chosen[i] is None and j not in taken:
            chosen[i] = tasks[j]
            taken.add(j)
    return chosen


def _score_header(doc: Document, want: dict[str, Any], result: Score) -> None:
    for name in HEADER:
        if name not in want:
            continue
        value = getattr(doc, name, None)
        got = value.isoformat() if isinstance(value, dt.date) else value
        counts = result.header.setdefault(name, [0, 0])
        counts[1] += 1
        if (squash(got) if isinstance(got, str) else got) == (
            squash(want[name]) if isinstance(want[name], str) else want[name]
        ):
            counts[0] += 1
        else:
            result.mismatches.append(
                f"{doc.source_path}: header {name}: got {got!r}, want {want[name]!r}"
            )


def _count_agencies(task: Task | None, entry: dict[str, Any], result: Score) -> None:
    for name in AGENCY_ROLES:
        counts = result.agencies.setdefault(name, [0, 0, 0])
        want = set(entry.get(name) or [])
        got = set(getattr(task, name)) if task is not None else set()
        counts[0] += len(want & got)
        counts[1] += len(got)
        counts[2] += len(want)


def score(doc: Document, expected: dict[str, Any]) -> Score:
    """Score one document's tasks against its expected file: the appendix rows by line (the
    seeds' files), or every task by content (the real documents' files, which hold
    `assigns_tasks` and a header)."""
    entries = expected["tasks"]
    whole = "assigns_tasks" in expected
    if whole:
        tasks = [t for t in doc.tasks if t.duplicate_of is None]
    else:
        tasks = [t for t in doc.tasks if t.origin is TaskOrigin.APPENDIX]
    result = Score(expected=len(entries), found=len(tasks))
    if whole:
        _score_header(doc, expected.get("document") or {}, result)
        matches = _by_content(tasks, entries)
    else:
        matches = _by_line(tasks, entries)
    for entry, task in zip(entries, matches, strict=True):
        _count_agencies(task, entry, result)
        if task is None:
            where = entry.get("line") or (entry.get("content") or "")[:60]
            result.mismatches.append(f"{doc.source_path}: row {where!r} not found")
            continue
        result.matched += 1
        for name in FIELDS:
            want = _expected(entry, name)
            if want is None and name in OPTIONAL:
                continue
            counts = result.fields.setdefault(name, [0, 0])
            counts[1] += 1
            got = _actual(task, name)
            if got == want:
                counts[0] += 1
            else:
                result.mismatches.append(
                    f"{doc.source_path}: row {entry.get('line')} {name}: got {got!r}, want {want!r}"
                )
    return result


def _by_line(tasks: list[Task], entries: list[dict[str, Any]]) -> list[Task | None]:
    """The seeds' files: the task on the same source line, or (formats without lines) the same
    row in order with the same number."""
    by_line: dict[Any, Task] = {
        t.provenance.line: t for t in tasks if t.provenance.line is not None
    }
    out: list[Task | None] = []
    for index, entry in enumerate(entries):
        task = by_line.get(entry.get("line")) if by_line else None
        if task is None and not by_line and index < len(tasks):
            candidate = tasks[index]
            task = candidate if candidate.task_no == entry.get("task_no") else None
        out.append(task)
    return out


def load_expected(folder: Path, source_path: str) -> dict[str, Any] | None:
    """The expected file for a source: same stem (a.txt, a.docx, a.pdf → a.json)."""
    stem = Path(source_path).name.split(".")[0]
    path = folder / f"{stem}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def figures(s: Score) -> dict[str, float]:
    """One document's figures, rounded: task F1, lead/support F1, each field, the header."""
    out = {
        "task_f1": s.f1,
        "lead_f1": s.agency_f1("lead_agencies"),
        "support_f1": s.agency_f1("support_agencies"),
    }
    out |= {name: s.field_accuracy(name) for name in FIELDS if name in s.fields}
    if s.header:
        out["header"] = s.header_accuracy()
    return {k: round(v, 3) for k, v in out.items()}


def documents(samples: Path) -> list[Path]:
    """The documents with a hand-checked expected file: the seeds (text) and samples/real/."""
    every = [*sorted(samples.glob("*.txt")), *sorted((samples / "real").iterdir())]
    return [p for p in every if load_expected(samples / "expected", str(p)) is not None]


def report(scores: list[tuple[str, Score]]) -> str:
    """A plain-text table: one line per document and a total."""
    total = Score()
    header = (
        f"{'document':44s} {'P':>6s} {'R':>6s} {'F1':>6s} "
        + " ".join(f"{n[:8]:>8s}" for n in FIELDS)
        + f" {'leadF1':>6s} {'suppF1':>6s} {'header':>6s}"
    )
    lines = [header]
    for name, s in scores:
        total.add(s)
        lines.append(_line(name, s))
    lines.append(_line("ALL", total))
    return "\n".join(lines)


def _line(name: str, s: Score) -> str:
    cells = " ".join(
        f"{s.field_accuracy(n):8.3f}" if n in s.fields else f"{'-':>8s}" for n in FIELDS
    )
    extra = f" {s.agency_f1('lead_agencies'):6.3f} {s.agency_f1('support_agencies'):6.3f} " + (
        f"{s.header_accuracy():6.3f}" if s.header else f"{'-':>6s}"
    )
    return f"{name[-44:]:44s} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {cells}{extra}"
