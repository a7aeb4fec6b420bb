"""Stage 3 — normalize: resolve agencies, type the deadlines, name the leaders.

Pure functions over the parsed `Document`; the vocabulary lives in `data/`.
"""

from __future__ import annotations

from vnplan.models import AgencyRole, Document, Milestone, Task
from vnplan.normalize.agencies import names, resolve_cell
from vnplan.normalize.deadlines import parse_deadline
from vnplan.normalize.leaders import leader_names

__all__ = ["normalize_document", "normalize_task"]


def _milestone(m: Milestone) -> Milestone:
    time = parse_deadline(m.deadline_raw)
    return m.model_copy(
        update={
            "lead_agencies": names(resolve_cell(m.lead_raw, AgencyRole.LEAD)),
            "support_agencies": names(resolve_cell(m.support_raw, AgencyRole.SUPPORT)),
            "deadlines": time.dates,
        }
    )


def normalize_task(task: Task) -> Task:
    lead = resolve_cell(task.lead_raw, AgencyRole.LEAD)
    support = resolve_cell(task.support_raw, AgencyRole.SUPPORT)
    monitor = resolve_cell(task.monitor_raw, AgencyRole.MONITOR)
    time = parse_deadline(task.deadline_raw)
    milestones = [_milestone(m) for m in task.milestones]
    dates = sorted(set(time.dates).union(*(m.deadlines for m in milestones)))
    return task.model_copy(
        update={
            "leader_names": leader_names(task.leader_raw),
            "agencies": lead + support + monitor,
            "lead_agencies": names(lead),
            "support_agencies": names(support),
            "deadline_items": time.items,
            "deadlines": dates,
            "due_date": dates[-1] if dates else None,
            "recurring": time.recurring,
            "milestones": milestones,
        }
    )


def normalize_document(doc: Document) -> Document:
    tasks = [normalize_task(t) for t in doc.tasks]
    unresolved = sum(1 for t in tasks for a in t.agencies if a.canonical is None)
    warnings = list(doc.warnings)
    if unresolved:
        warnings.append(f"{unresolved} agency mention(s) not found in the registry")
    return doc.model_copy(update={"tasks": tasks, "warnings": warnings})
