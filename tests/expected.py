"""Compare the pipeline's tasks with the hand-checked files in samples/expected/."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vnplan.models import Document, Task
from vnplan.textutil import squash

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = SAMPLES / "expected"
FIELDS = (
    "task_no",
    "section",
    "content",
    "product",
    "lead_agencies",
    "support_agencies",
    "deadline_raw",
    "deadlines",
    "recurring",
    "milestones",
)


def load_expected(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXPECTED / f"{stem}.json").read_text("utf-8"))
    return data


def _text(value: str | None) -> str | None:
    return squash(value) if value else None


def _milestones(task: Task) -> list[dict[str, Any]]:
    return [
        {
            "content": m.content,
            "product": m.product,
            "lead_agencies": m.lead_agencies,
            "support_agencies": m.support_agencies,
            "deadline_raw": _text(m.deadline_raw),
            "deadlines": [d.isoformat() for d in m.deadlines],
        }
        for m in task.milestones
    ]


def appendix(doc: Document) -> list[Task]:
    """The appendix rows: what the hand-checked files hold (prose tasks are checked apart)."""
    return [t for t in doc.tasks if t.origin.value == "appendix"]


def actual_fields(task: Task) -> dict[str, Any]:
    """The pipeline's task in the shape of an expected entry."""
    section = task.section_path[-1].split()[0] if task.section_path else None
    return {
        "line": task.provenance.line,
        "task_no": task.task_no,
        "section": section,
        "content": task.content,
        "product": task.product,
        "lead_agencies": task.lead_agencies,
        "support_agencies": task.support_agencies,
        "deadline_raw": _text(task.deadline_raw),
        "deadlines": [d.isoformat() for d in task.deadlines],
        "recurring": task.recurring,
        "milestones": _milestones(task),
    }


def _expected_milestones(entry: dict[str, Any]) -> list[dict[str, Any]]:
    keys = ("content", "product", "lead_agencies", "support_agencies", "deadline_raw", "deadlines")
    return [
        {
            k: m.get(k)
            if k not in ("lead_agencies", "support_agencies", "deadlines")
            else m.get(k) or []
            for k in keys
        }
        for m in entry.get("milestones", [])
    ]


@dataclass
class Agreement:
    total: int = 0
    matched: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)


def expected_value(entry: dict[str, Any], name: str) -> Any:
    """An expected entry's field in the shape `actual_fields` gives it."""
    if name == "milestones":
        return _expected_milestones(entry)
    if name in ("deadline_raw", "content", "product"):
        return _text(entry.get(name))
    return entry.get(name)


def compare(doc: Document, expected: dict[str, Any]) -> Agreement:
    result = Agreement(total=len(expected["tasks"]))
    by_line = {t.provenance.line: t for t in appendix(doc)}
    for entry in expected["tasks"]:
        task = by_line.get(entry["line"])
        if task is None:
            result.mismatches.append(f"line {entry['line']}: no task")
            continue
        got = actual_fields(task)
        for name in FIELDS:
            want = expected_value(entry, name)
            if got[name] == want:
                result.matched[name] = result.matched.get(name, 0) + 1
            else:
                result.mismatches.append(
                    f"line {entry['line']} {name}: got {got[name]!r}, want {want!r}"
                )
    return result


# --------------------------------------------------------------------------- formats

# What a task must keep whatever format it came in (issue 3's "field by field").
FORMAT_FIELDS = (
    "task_no",
    "section_path",
    "content",
    "product",
    "lead_agencies",
    "support_agencies",
    "deadline_raw",
    "deadlines",
    "recurring",
)


def _format_fields(task: Task) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(task, name) for name in FORMAT_FIELDS}
    for name in ("content", "product", "deadline_raw"):  # line breaks are layout, not content
        values[name] = " ".join(values[name].split()) if values[name] else None
    values["milestones"] = [
        (m.content, m.lead_agencies, m.support_agencies, m.deadlines) for m in task.milestones
    ]
    return values


def agreement(want: Document, got: Document) -> tuple[int, list[str]]:
    """(fields compared, mismatches) between two versions' tasks, in order, prose included."""
    assert len(got.tasks) == len(want.tasks), (len(got.tasks), len(want.tasks))
    compared, mismatches = 0, []
    for index, (a, b) in enumerate(zip(want.tasks, got.tasks, strict=True)):
        expected, actual = _format_fields(a), _format_fields(b)
        for name, value in expected.items():
            compared += 1
            if actual[name] != value:
                mismatches.append(f"task {index} ({a.task_no}) {name}: {actual[name]!r}")
    return compared, mismatches


def assert_agrees(want: Document, got: Document) -> None:
    """`got` (another format of the same plan) has `want`'s tasks, field by field, and header."""
    assert got.status == "ok", got.error
    assert len(appendix(got)) == len(appendix(want))
    compared, mismatches = agreement(want, got)
    # Issue 3 asks for ≥ 99 % of fields; the samples reach 100 %, so a mismatch is a regression.
    assert mismatches == [], f"{1 - len(mismatches) / compared:.1%} of fields agree: {mismatches}"
    header = ("doc_number", "doc_type", "issuer", "issued_date", "signer")
    assert [getattr(got, f) for f in header] == [getattr(want, f) for f in header]


# The seed plans' stems (conftest.SEEDS has them with their task counts).
SEED_STEMS = ("000_76046f262c6874d6", "001_d1ea71c28f9b4230", "003_3a026ceb35acf91e")


def agency_answer(agency: str, first: dt.date, last: dt.date, as_of: dt.date) -> set[Any]:
    """The question answered from the hand-checked files alone: (file, line, due, status, in Q).

    A task's due date is the latest date it states (milestones' dates are in its `deadlines`,
    samples/expected/SPEC.md); overdue means due before `as_of` and not recurring.
    """
    answer = set()
    for stem in SEED_STEMS:
        expected = load_expected(stem)
        for task in expected["tasks"]:
            if agency not in task["lead_agencies"] or not task["deadlines"]:
                continue
            due = max(dt.date.fromisoformat(d) for d in task["deadlines"])
            in_quarter = first <= due <= last
            overdue = due < as_of and not task["recurring"]
            if in_quarter or overdue:
                status = "overdue" if overdue else "recurring" if task["recurring"] else "upcoming"
                answer.add((expected["source"], task["line"], due.isoformat(), status, in_quarter))
    return answer


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    after = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return dt.date(day.year, first_month, 1), after - dt.timedelta(days=1)
