"""Stage 3 — normalize: resolve agencies, type the deadlines, name the leaders.

Pure functions over the parsed `Document`; the vocabulary lives in `data/`.
"""

from __future__ import annotations

import regex as re

from vnplan.models import AgencyRole, Document, Milestone, Task
from vnplan.normalize.agencies import (
    LEVEL_BEFORE_NAME,
    agency_levels,
    expand_abbreviations,
    names,
    registry_records,
    resolve_cell,
)
from vnplan.normalize.deadlines import parse_deadline
from vnplan.normalize.leaders import parse_leaders
from vnplan.normalize.mentions import find_mentions
from vnplan.textutil import fold

__all__ = ["normalize_document", "normalize_task", "plan_year", "registry_records"]

TITLE_YEAR = re.compile(r"(?<![\p{L}])năm\s+(\d{4})(?!\d)", re.IGNORECASE)
LOCALITY = re.compile(r"(?:thành\s+phố|tỉnh)\s+(\p{Lu}.*)$", re.IGNORECASE)


def issuer_locality(doc: Document) -> str | None:
    """'Ủy ban nhân dân thành phố Hà Nội' → 'Hà Nội': what "Thành phố" means in its cells."""
    match = LOCALITY.search(doc.issuer or "")
    return match.group(1).strip() if match else None


def _localise(task: Task, locality: str | None) -> Task:
    """Local agencies ("Sở Nội vụ", "Văn phòng UBND Thành phố") belong to the issuer's province."""
    if locality is None:
        return task
    levels = agency_levels()
    agencies = [
        a.model_copy(update={"province": locality})
        if a.canonical and levels.get(a.canonical) in ("province", "district", "commune")
        else a
        for a in task.agencies
    ]
    return task.model_copy(update={"agencies": agencies})


def plan_year(doc: Document) -> tuple[int | None, str]:
    """The year a phrase without one ("quý I") refers to, and where it came from.

    A plan for "năm 2024" issued on 31/12/2023 means 2024: the title's year wins over the
    issue date's.
    """
    if doc.title and (m := TITLE_YEAR.search(doc.title)):
        return int(m.group(1)), "the title"
    if doc.issued_date:
        return doc.issued_date.year, "the issue date"
    return None, "nowhere"


def _milestone(m: Milestone, year: int | None) -> Milestone:
    time = parse_deadline(m.deadline_raw, year)
    return m.model_copy(
        update={
            "lead_agencies": names(resolve_cell(m.lead_raw, AgencyRole.LEAD)),
            "support_agencies": names(resolve_cell(m.support_raw, AgencyRole.SUPPORT)),
            "deadlines": time.dates,
        }
    )


def normalize_task(task: Task, year: int | None = None) -> Task:
    lead = resolve_cell(task.lead_raw, AgencyRole.LEAD)
    support = resolve_cell(task.support_raw, AgencyRole.SUPPORT)
    monitor = resolve_cell(task.monitor_raw, AgencyRole.MONITOR)
    mentioned = find_mentions(task.content)
    time = parse_deadline(task.deadline_raw, year)
    milestones = [_milestone(m, year) for m in task.milestones]
    dates = sorted(set(time.dates).union(*(m.deadlines for m in milestones)))
    leaders = parse_leaders(task.leader_raw)
    assignees = [x.name for x in parse_leaders(task.assignee_raw) if x.name]
    return task.model_copy(
        update={
            "leaders": leaders,
            "leader_names": list(dict.fromkeys(x.name for x in leaders if x.name)),
            "assignees": list(dict.fromkeys(assignees)),
            "agencies": lead + support + monitor + mentioned,
            "lead_agencies": names(lead),
            "support_agencies": names(support),
            "mentioned_agencies": names(mentioned),
            "deadline_items": time.items,
            "deadlines": dates,
            "due_date": dates[-1] if dates else None,
            "recurring": time.recurring,
            "milestones": milestones,
        }
    )


def canonical_issuer(issuer: str | None) -> str | None:
    """The issuer as the registry spells it ("Sở Công thương tỉnh Lào Cai" → "Sở Công Thương
    tỉnh Lào Cai"); as parsed when the registry does not know it."""
    if not issuer:
        return issuer
    issuer = expand_abbreviations(issuer)  # "UBND huyện Bảo Thắng"
    mentions = resolve_cell(issuer, AgencyRole.MENTIONED)
    if len(mentions) != 1 or not mentions[0].resolved or mentions[0].canonical is None:
        return issuer
    canonical = mentions[0].canonical
    if fold(canonical) != fold(issuer):
        return issuer
    # a level word before a place's name is written in lower case: "thành phố Hà Nội"
    return str(LEVEL_BEFORE_NAME.sub(lambda m: m.group(0).lower(), canonical))


def normalize_document(doc: Document) -> Document:
    doc = doc.model_copy(update={"issuer": canonical_issuer(doc.issuer)})
    year, source = plan_year(doc)
    locality = issuer_locality(doc)
    tasks = [_localise(normalize_task(t, year), locality) for t in doc.tasks]
    warnings = list(doc.warnings)
    assumed = [t.task_no or "?" for t in tasks if any(d.year_assumed for d in t.deadline_items)]
    if assumed:
        warnings.append(
            f"{len(assumed)} time phrase(s) gave no year: took {year} from {source} "
            f"(tasks {', '.join(assumed)})"
        )
    unresolved = sorted({a.raw for t in tasks for a in t.agencies if a.canonical is None})
    if unresolved:
        warnings.append(f"agency mention(s) not in the registry: {'; '.join(unresolved)}")
    targets = [
        t.model_copy(update={"year": year}) if t.year is None and year is not None else t
        for t in doc.targets
    ]
    return doc.model_copy(update={"tasks": tasks, "targets": targets, "warnings": warnings})
