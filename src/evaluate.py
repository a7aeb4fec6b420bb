"""Compare pipeline output with hand-checked expected files (samples/expected/*.json).

Task detection is scored with precision, recall and F1 (an expected row is found when a task
of the document sits on the same source line, or, for formats without lines, the same row
in order with the same number); each field is scored as the share of matched tasks whose
value equals the expected one. The file format is described in samples/expected/SPEC.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vnplan.models import Document, Task, TaskOrigin
from vnplan.textutil import squash

FIELDS = ("content", "product", "leader", "lead_agencies", "support_agencies", "deadlines")


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    matched: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # name → [equal, compared]
    mismatches: list[str] = field(default_factory=list)

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
        for name, (equal, compared) in other.fields.items():
            mine = self.fields.setdefault(name, [0, 0])
            mine[0] += equal
            mine[1] += compared
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


def score(doc: Document, expected: dict[str, Any]) -> Score:
    """Score one document's appendix tasks against its expected file."""
    tasks = [t for t in doc.tasks if t.origin is TaskOrigin.APPENDIX]
    entries = expected["tasks"]
    result = Score(expected=len(entries), found=len(tasks))
    by_line = {t.provenance.line: t for t in tasks if t.provenance.line is not None}
    for index, entry in enumerate(entries):
        task = by_line.get(entry.get("line")) if by_line else None
        if task is None and not by_line and index < len(tasks):
            candidate = tasks[index]  # no lines (DOCX, PDF): the same row in order
            task = candidate if candidate.task_no == entry.get("task_no") else None
        if task is None:
            result.mismatches.append(f"{doc.source_path}: row {entry.get('line')} not found")
            continue
        result.matched += 1
        for name in FIELDS:
            want = _expected(entry, name)
            if want is None and name == "leader":
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


def load_expected(folder: Path, source_path: str) -> dict[str, Any] | None:
    """The expected file for a source: same stem (a.txt, a.docx, a.pdf → a.json)."""
    stem = Path(source_path).name.split(".")[0]
    path = folder / f"{stem}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def report(scores: list[tuple[str, Score]]) -> str:
    """A plain-text table: one line per document and a total."""
    total = Score()
    header = f"{'document':44s} {'P':>6s} {'R':>6s} {'F1':>6s} " + " ".join(
        f"{n[:8]:>8s}" for n in FIELDS
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
    return f"{name[-44:]:44s} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {cells}"
