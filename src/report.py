"""`vnplan report`: one self-contained HTML page of a dataset's workload, for people who read.

Charts are Vega-Lite specs built with Altair; vl-convert supplies the vega, vega-lite and
vega-embed JavaScript, which is inlined, so the page opens with no network (an intranet
laptop, an e-mail attachment). Every number comes from the ready views of `vnplan.query`,
so the report and `vnplan query` never disagree. Each chart's rows are a named Vega data set
(`view.data(name)`), which is how the browser test reads them back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import altair as alt
import duckdb

from vnplan.query import NO_LEAD, columns, connect

Row = dict[str, Any]

STATUS_COLORS = {  # the same status, the same colour, in every chart
    "overdue": "#c0392b",
    "upcoming": "#2e86c1",
    "recurring": "#27ae60",
    "no date": "#a6acaf",
}
KIND_COLORS = {"dated": "#2e86c1", "recurring": "#27ae60", "no date": "#a6acaf"}


@dataclass(frozen=True)
class ReportData:
    """What the page shows, as plain rows (dates as ISO text)."""

    as_of: dt.date
    by_agency: list[Row]  # agency, label, status, tasks (registry agencies and groups only)
    by_month: list[Row]  # month, month_start, status, tasks
    by_quarter: list[Row]  # due_quarter, status, tasks
    kinds: list[Row]  # document, doc_id, source_path, kind, tasks
    overdue_by_agency: list[Row]  # agency, label, tasks
    totals: Row
    deduplicated: bool  # prose tasks restating an appendix row are left out
    documents: list[Row]
    tasks: list[Row]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    result = con.execute(sql, params)
    names = [d[0] for d in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


QUERIES = {
    # registry agencies and groups only: a mention the registry lacks is often a fragment of a
    # sentence ("cơ quan chức năng của"); the page says how many were left out
    "by_agency": """
        SELECT lead_agency AS agency, status, count(*) AS tasks
        FROM tasks_by_agency WHERE lead_resolved
        GROUP BY ALL ORDER BY agency, status""",
    "by_month": """
        SELECT strftime(due_date, '%Y-%m') AS month,
               strftime(date_trunc('month', due_date), '%Y-%m-%d') AS month_start,
               status, count(*) AS tasks
        FROM counted_tasks WHERE due_date IS NOT NULL GROUP BY ALL ORDER BY month, status""",
    "by_quarter": """
        SELECT due_quarter, status, count(*) AS tasks
        FROM counted_tasks WHERE due_date IS NOT NULL GROUP BY ALL ORDER BY due_quarter, status""",
    "kinds": """
        SELECT doc_id, source_path,
               CASE WHEN recurring THEN 'recurring' WHEN due_date IS NOT NULL THEN 'dated'
                    ELSE 'no date' END AS kind,
               count(*) AS tasks
        FROM counted_tasks GROUP BY ALL ORDER BY source_path, kind""",
    "overdue_by_agency": """
        SELECT lead_agency AS agency, count(*) AS tasks
        FROM tasks_by_agency WHERE status = 'overdue' AND lead_resolved
        GROUP BY ALL ORDER BY tasks DESC, agency""",
    "totals": """
        SELECT (SELECT count(*) FROM documents) AS documents,
               (SELECT count(*) FROM documents WHERE status = 'failed') AS failed,
               (SELECT count(*) FROM tasks) AS stored_tasks,
               count(*) AS tasks,
               count(*) FILTER (WHERE status = 'overdue') AS overdue,
               count(*) FILTER (WHERE status = 'upcoming') AS upcoming,
               count(*) FILTER (WHERE status = 'recurring') AS recurring,
               count(*) FILTER (WHERE status = 'no date') AS no_date,
               count(*) FILTER (WHERE len(lead_agencies) = 0) AS no_lead,
               count(*) FILTER (WHERE len(lead_agencies) = 0 AND status = 'overdue')
                   AS no_lead_overdue,
               (SELECT count(*) FROM tasks_by_agency WHERE NOT lead_resolved) AS unresolved,
               (SELECT count(*) FROM tasks_by_agency WHERE NOT lead_resolved
                AND status = 'overdue') AS unresolved_overdue,
               (SELECT count(DISTINCT lead_agency) FROM tasks_by_agency WHERE NOT lead_resolved)
                   AS unresolved_names
        FROM counted_tasks""",
    # per-document figures for the summaries; a failed document has no tasks, hence LEFT JOIN
    "documents": """
        SELECT d.doc_id, d.source_path, d.source_format, d.status, d.doc_number, d.doc_type,
               d.issuer, d.issued_date, d.title, d.page_count, d.error, d.warnings,
               count(t.task_id) AS tasks,
               count(t.task_id) FILTER (WHERE t.status = 'overdue') AS overdue,
               count(t.task_id) FILTER (WHERE t.status = 'upcoming') AS upcoming,
               count(t.task_id) FILTER (WHERE t.status = 'recurring') AS recurring,
               count(t.task_id) FILTER (WHERE t.status = 'no date') AS no_date,
               min(t.due_date) FILTER (WHERE t.status = 'upcoming') AS next_due
        FROM documents d
        LEFT JOIN counted_tasks t ON t.doc_id = d.doc_id AND t.source_path = d.source_path
        GROUP BY ALL ORDER BY d.source_path""",
    "tasks": """
        SELECT doc_id, source_path, origin, task_no, content, lead_agencies, deadline_raw,
               due_date, status, page_start, line
        FROM counted_tasks ORDER BY source_path, line NULLS LAST, task_id""",
}


# --------------------------------------------------------------------------- labels

LABEL_WIDTH = 32  # characters per line of an axis label: long names wrap, never cut
TITLE_WORDS = 8  # of a document's title, in its chart label (the summary below has it all)


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """Lines of at most `width` characters (a longer word keeps its own line), joined by \n:
    the charts' axes split labels there (labelExpr), so a long name takes two lines."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def _short_title(title: str | None) -> str:
    words = (title or "").split()
    return " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")


def _relative_paths(paths: list[str]) -> dict[str, str]:
    """Each path from the folder all of them share (`pdf/a.pdf`, `scan/a.pdf`, `a.txt`)."""
    if not paths:
        return {}
    parts = {p: PurePath(p).parts for p in paths}
    shared = 0
    for column in zip(*parts.values(), strict=False):
        if len(set(column)) > 1:
            break
        shared += 1
    # a file's own name is always kept, even when every path is that one file
    return {p: "/".join(mine[min(shared, len(mine) - 1) :]) for p, mine in parts.items()}


def document_labels(documents: list[Row]) -> dict[tuple[str, str], str]:
    """(doc_id, source_path) → a label no other document shares: number and title, or number
    and path (from the folder all share) where two share both (one plan in several formats,
    copies)."""
    suffixes = _relative_paths([d["source_path"] for d in documents])
    number = {(d["doc_id"], d["source_path"]): d["doc_number"] or "(no number)" for d in documents}
    firsts = {
        key: f"{number[key]} · {_short_title(d['title']) or suffixes[key[1]]}"
        for d in documents
        for key in [(d["doc_id"], d["source_path"])]
    }
    taken = Counter(firsts.values())
    return {
        key: label if taken[label] == 1 else f"{number[key]} · {suffixes[key[1]]}"
        for key, label in firsts.items()
    }


def collect(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> ReportData:
    rows = {name: _rows(con, sql) for name, sql in QUERIES.items()}
    deduplicated = "duplicate_of" in columns(con, "tasks")
    labels = document_labels(rows["documents"])
    for row in rows["kinds"]:
        row["document"] = labels[(row["doc_id"], row["source_path"])]
    for row in [*rows["by_agency"], *rows["overdue_by_agency"]]:
        row["label"] = wrap(row["agency"])
    for row in rows["kinds"]:
        row["label"] = wrap(row["document"])
    return ReportData(
        as_of=as_of,
        by_agency=rows["by_agency"],
        by_month=rows["by_month"],
        by_quarter=rows["by_quarter"],
        kinds=rows["kinds"],
        overdue_by_agency=rows["overdue_by_agency"],
        totals=rows["totals"][0],
        deduplicated=deduplicated,
        documents=rows["documents"],
        tasks=rows["tasks"],
    )


# --------------------------------------------------------------------------- charts

# Every chart is as wide as its box (`width: container`), axes and legend inside it; titles
# and notes are HTML above the chart, where they wrap instead of being cut.
FIT = {"type": "fit-x", "contains": "padding", "resize": True}
SPLIT_LINES = "split(datum.label, '\\n')"  # a label's \n → lines (see `wrap`)
LINE_HEIGHT = 13  # px per line of an axis label
STEP_PADDING = 10  # px between two bands' labels


def _data(name: str, rows: list[Row]) -> alt.InlineData:
    """Rows as a named data set: Vega keeps the name, so `view.data(name)` finds them."""
    return alt.InlineData(values=rows, name=name)


def _status_color() -> alt.Color:
    # the legend is HTML above the chart (`_legend_html`): it wraps on a phone, where an
    # SVG legend beside or above the bars runs out of the chart
    return alt.Color(
        "status:N",
        scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
        sort=list(STATUS_COLORS),
        legend=None,
    )


def _bars_by_label(rows: list[Row], name: str, sort: Any) -> tuple[alt.Chart, int]:
    """Horizontal bars, one band per label, and the height that gives every band room for
    its label's lines. (A height in steps would do it too, but Vega-Lite warns about it
    with a container width.)"""
    lines = max((r["label"].count("\n") + 1 for r in rows), default=1)
    step = max(20, LINE_HEIGHT * lines + STEP_PADDING)
    y = alt.Y(
        "label:N",
        sort=sort,
        title=None,
        axis=alt.Axis(
            labelExpr=SPLIT_LINES,
            labelLimit=0,
            labelFontSize=11,
            labelLineHeight=LINE_HEIGHT,
            labelPadding=4,
        ),
        scale=alt.Scale(paddingInner=0.25),
    )
    bands = len({r["label"] for r in rows})
    return alt.Chart(_data(name, rows)).mark_bar().encode(y=y), step * bands


def _finish(chart: Any, height: int = 220) -> dict[str, Any]:
    spec: dict[str, Any] = chart.properties(width="container", height=height).to_dict()
    spec["autosize"] = FIT
    return spec


def agency_chart(data: ReportData) -> dict[str, Any]:
    bars, step = _bars_by_label(data.by_agency, "tasks_by_agency", "-x")
    chart = bars.encode(
        x=alt.X("sum(tasks):Q", title="tasks led"),
        color=_status_color(),
        tooltip=["agency:N", "status:N", "tasks:Q"],
    )
    return _finish(chart, step)


def timeline_chart(data: ReportData) -> dict[str, Any]:
    bars = (
        alt.Chart(_data("deadlines_by_month", data.by_month))
        .mark_bar()
        .encode(
            x=alt.X("month_start:T", timeUnit="utcyearmonth", title="due month"),
            y=alt.Y("sum(tasks):Q", title="tasks due"),
            color=_status_color(),
            tooltip=["month:N", "status:N", "tasks:Q"],
        )
    )
    as_of = [{"as_of": data.as_of.isoformat(), "label": f"as of {data.as_of.isoformat()}"}]
    rule = alt.Chart(_data("as_of", as_of)).mark_rule(color="#000", strokeDash=[4, 3])
    rule = rule.encode(x=alt.X("as_of:T", timeUnit="utcyearmonthdate"))
    # the label sits left of the line when the line is in the chart's right half, so it
    # never runs past the chart's edge
    label = rule.mark_text(
        align=alt.ExprRef("scale('x', datum.as_of) > width / 2 ? 'right' : 'left'"),
        dx=alt.ExprRef("scale('x', datum.as_of) > width / 2 ? -4 : 4"),
        dy=-4,
        y=0,
        fontSize=11,
    ).encode(text="label:N")
    return _finish(alt.layer(bars, rule, label))


def quarter_chart(data: ReportData) -> dict[str, Any]:
    chart = (
        alt.Chart(_data("deadlines_by_quarter", data.by_quarter))
        .mark_bar()
        .encode(
            x=alt.X("due_quarter:O", title="due quarter", sort="ascending"),
            y=alt.Y("sum(tasks):Q", title="tasks due"),
            color=_status_color(),
            tooltip=["due_quarter:N", "status:N", "tasks:Q"],
        )
    )
    return _finish(chart)


def kinds_chart(data: ReportData) -> dict[str, Any]:
    order = list(dict.fromkeys(r["label"] for r in data.kinds))  # the documents' order
    bars, step = _bars_by_label(data.kinds, "task_kinds", order)
    chart = bars.encode(
        x=alt.X("sum(tasks):Q", title="tasks"),
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(KIND_COLORS), range=list(KIND_COLORS.values())),
            legend=None,
        ),
        tooltip=["document:N", "source_path:N", "kind:N", "tasks:Q"],
    )
    return _finish(chart, step)


def overdue_chart(data: ReportData) -> dict[str, Any]:
    bars, step = _bars_by_label(data.overdue_by_agency, "overdue_by_agency", "-x")
    chart = bars.mark_bar(color=STATUS_COLORS["overdue"]).encode(
        x=alt.X("tasks:Q", title="overdue tasks led"),
        tooltip=["agency:N", "tasks:Q"],
    )
    return _finish(chart, step)


def _left_out(no_lead: int, unresolved: int, names: int | None = None) -> str:
    """The line under an agency chart's title: what it cannot show, and why."""
    parts = [f"{no_lead} tasks that name no lead agency"]
    if unresolved:
        which = f" ({names} names)" if names else ""
        parts.append(
            f"{unresolved} lead-agency mentions{which} that match no registry agency, "
            "often a piece of a sentence; <code>vnplan agencies OUT --unresolved</code> "
            "lists them"
        )
    return "Not shown: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class ChartBox:
    """A chart on the page: its heading and note (HTML), and what to say when it is empty."""

    title: str
    note: str
    empty: str
    build: Callable[[ReportData], dict[str, Any]]
    rows: Callable[[ReportData], list[Row]]
    colors: dict[str, str] | None = None  # the legend: value → colour
    wide: bool = False


def _legend_html(colors: dict[str, str] | None) -> str:
    if not colors:
        return ""
    items = "".join(
        f"<li><span class='swatch' style='background:{c}'></span>{_e(v)}</li>"
        for v, c in colors.items()
    )
    return f"<ul class='legend'>{items}</ul>"


def chart_boxes(data: ReportData) -> dict[str, ChartBox]:
    """Element id → the chart drawn there, in page order."""
    t = data.totals
    overdue_title = f"Overdue as of {data.as_of.isoformat()}, per lead agency"
    return {
        "chart-timeline": ChartBox(
            "Deadlines by month",
            "Each task at the month of its due date; the dashed line is the as-of date.",
            "No task has a due date.",
            timeline_chart,
            lambda d: d.by_month,
            STATUS_COLORS,
            wide=True,
        ),
        "chart-agencies": ChartBox(
            "Tasks per lead agency",
            "A task led by two agencies counts for each. "
            + _left_out(t["no_lead"], t["unresolved"], t["unresolved_names"]),
            "No task names a registry agency as its lead.",
            agency_chart,
            lambda d: d.by_agency,
            STATUS_COLORS,
        ),
        "chart-overdue": ChartBox(
            overdue_title,
            _left_out(t["no_lead_overdue"], t["unresolved_overdue"]),
            "Nothing is overdue.",
            overdue_chart,
            lambda d: d.overdue_by_agency,
        ),
        "chart-quarters": ChartBox(
            "Deadlines by quarter",
            "Tasks with a due date, by its quarter.",
            "No task has a due date.",
            quarter_chart,
            lambda d: d.by_quarter,
            STATUS_COLORS,
        ),
        "chart-kinds": ChartBox(
            "Recurring vs dated tasks, per document",
            "Each document by its number and title, or by its path where two share them "
            "(the same plan in several formats, or copies).",
            "No tasks.",
            kinds_chart,
            lambda d: d.kinds,
            KIND_COLORS,
        ),
    }


def chart_specs(data: ReportData) -> dict[str, dict[str, Any] | str]:
    """Element id → Vega-Lite spec, or a sentence where an empty chart would only confuse."""
    return {
        key: box.build(data) if box.rows(data) else box.empty
        for key, box in chart_boxes(data).items()
    }


# The bundle's ES module scope is closed: the page's own script needs vegaEmbed on window.
EXPORT_EMBED = "window.vegaEmbed = vegaEmbed;"


def javascript() -> str:
    """vega + vega-lite + vega-embed in one script, for the Vega-Lite version Altair writes."""
    import vl_convert

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])  # v6.4.1 → 6.4
    known = vl_convert.get_vegalite_versions()
    bundle: str = vl_convert.javascript_bundle(
        EXPORT_EMBED, vl_version=wanted if wanted in known else None
    )
    return bundle


# --------------------------------------------------------------------------- page


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def source_href(source_path: str, page_dir: Path, page: int | None = None) -> str | None:
    """A link from the report to the source file (relative, so both can move together)."""
    path = Path(source_path)
    target = path if path.is_absolute() else Path.cwd() / path
    if not target.exists():
        return None
    relative = PurePath(os.path.relpath(target.resolve(), page_dir.resolve())).as_posix()
    fragment = f"#page={page}" if page and target.suffix.lower() == ".pdf" else ""
    return quote(relative) + fragment


def _where(task: Row) -> str:
    parts = []
    if task["page_start"]:
        parts.append(f"p. {task['page_start']}")
    if task["line"]:
        parts.append(f"line {task['line']}")
    return ", ".join(parts) or "—"


def _task_row(task: Row, page_dir: Path) -> str:
    href = source_href(task["source_path"], page_dir, task["page_start"])
    where = _e(_where(task))
    location = f'<a href="{_e(href)}">{where}</a>' if href else where
    agencies = "; ".join(task["lead_agencies"] or []) or NO_LEAD
    content = task["content"] or ""
    short = content if len(content) <= 220 else content[:219] + "…"
    # prose tasks have no STT: say where the task came from instead
    number = _e(task["task_no"]) if task["task_no"] else f"<i>{_e(task['origin'])}</i>"
    return (
        f'<tr class="status-{_e(task["status"]).replace(" ", "-")}"><td>{number}</td>'
        f'<td title="{_e(content)}">{_e(short)}</td><td>{_e(agencies)}</td>'
        f"<td>{_e(task['deadline_raw'])}</td><td>{_e(task['due_date'])}</td>"
        f"<td>{_e(task['status'])}</td><td>{location}</td></tr>"
    )


def _counts(doc: Row) -> str:
    if doc["error"]:  # a failed file has no tasks to count; its error says why
        return ""
    return (
        f"<p class='counts'><b>{doc['tasks']}</b> tasks · "
        f"<b class='overdue'>{doc['overdue']}</b> overdue · "
        f"<b>{doc['upcoming']}</b> upcoming (next {_e(doc['next_due']) or '—'}) · "
        f"<b>{doc['recurring']}</b> recurring · <b>{doc['no_date']}</b> no date</p>"
    )


def _problems(doc: Row) -> str:
    if doc["error"]:
        return f"<p class='error'>{_e(doc['error'])}</p>"
    if not doc["warnings"]:
        return ""
    items = "".join(f"<li>{_e(w)}</li>" for w in doc["warnings"])
    return f"<details><summary>{len(doc['warnings'])} warnings</summary><ul>{items}</ul></details>"


def _task_table(tasks: list[Row], page_dir: Path) -> str:
    if not tasks:
        return ""
    rows = "".join(_task_row(t, page_dir) for t in tasks)
    return (
        f"<details><summary>{len(tasks)} tasks</summary><div class='scroll'>"
        "<table class='tasks'><thead><tr>"
        "<th>No.</th><th>Task</th><th>Lead</th><th>Deadline as printed</th><th>Due</th>"
        f"<th>Status</th><th>Source</th></tr></thead><tbody>{rows}</tbody></table></div>"
        "</details>"
    )


def document_section(doc: Row, tasks: list[Row], page_dir: Path) -> str:
    """One document's summary: header facts, a link to its file, counts, warnings, tasks."""
    href = source_href(doc["source_path"], page_dir)
    name = _e(doc["source_path"])
    link = f'<a class="source" href="{_e(href)}">{name}</a>' if href else name
    heading = " ".join(_e(x) for x in (doc["doc_type"], doc["doc_number"]) if x) or name
    facts = [
        f"issued {_e(doc['issued_date'])}" if doc["issued_date"] else "",
        _e(doc["issuer"]),
        f"{doc['page_count']} pages" if doc["page_count"] else "",
        f"{_e(doc['source_format'])}, {_e(doc['status'])}",
        link,
    ]
    return (
        f"<section class='document' data-doc-id='{_e(doc['doc_id'])}' "
        f"data-source='{_e(doc['source_path'])}'>"
        f"<h3>{heading}</h3><p class='title'>{_e(doc['title'])}</p>"
        f"<p class='facts'>{' · '.join(f for f in facts if f)}</p>"
        f"{_counts(doc)}{_problems(doc)}{_task_table(tasks, page_dir)}</section>"
    )


CSS = """
body { font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       margin: 24px auto; max-width: 1280px; color: #1c2833; padding: 0 16px;
       overflow-wrap: break-word; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; }
h3 { font-size: 15px; margin: 0 0 4px; }
.kpis { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0 8px; }
.kpi { border: 1px solid #d5d8dc; border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.kpi b { display: block; font-size: 22px; } .kpi span { font-size: 12px; color: #566573; }
.note { font-size: 13px; color: #566573; margin: 2px 0 8px; }
/* two columns where each gets 520 px, else one: no chart is ever drawn over another */
.charts { display: grid; gap: 24px; margin-top: 16px; align-items: start;
          grid-template-columns: repeat(auto-fit, minmax(min(100%, 520px), 1fr)); }
.chart { margin: 0; min-width: 0; border: 1px solid #e5e8e8; border-radius: 6px;
         padding: 12px; }
.chart.wide { grid-column: 1 / -1; }
.chart .vega { width: 100%; min-width: 0; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0 0 6px;
          padding: 0; font-size: 12px; }
.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 5px;
          vertical-align: -1px; }
.document { border-top: 1px solid #d5d8dc; padding: 12px 0; }
.title, .facts, .counts { margin: 2px 0; font-size: 13px; } .facts { color: #566573; }
.overdue { color: #c0392b; } .error { color: #c0392b; }
/* a phone scrolls the task table sideways rather than squeeze a letter per line */
.scroll { overflow-x: auto; }
table.tasks { border-collapse: collapse; font-size: 12px; margin-top: 6px; width: 100%;
              min-width: 720px; }
table.tasks th, table.tasks td { border: 1px solid #e5e8e8; padding: 3px 6px;
                                 vertical-align: top; text-align: left; }
table.tasks td:nth-child(5) { white-space: nowrap; }
tr.status-overdue td:nth-child(6) { color: #c0392b; font-weight: bold; }
summary { cursor: pointer; font-size: 13px; margin-top: 4px; }
details ul { font-size: 13px; margin: 4px 0; }
footer { margin-top: 32px; font-size: 12px; color: #566573; }
"""

# Renders every chart, keeps the views for tests and curious readers (window.vnplanViews),
# and says on <body data-rendered> when all are drawn or which failed.
EMBED = """
window.vnplanViews = {};
const specs = JSON.parse(document.getElementById("vnplan-specs").textContent);
Promise.all(Object.entries(specs).map(([id, spec]) =>
  vegaEmbed("#" + id, spec, {actions: false, renderer: "svg"})
    .then((result) => { window.vnplanViews[id] = result.view; })))
  .then(() => { document.body.dataset.rendered = "ok"; })
  .catch((error) => { document.body.dataset.rendered = "error"; console.error(error); });
"""


def _counting_note(totals: Row, deduplicated: bool) -> str:
    """Why the page's task count is not the one `vnplan run` printed, when it is not."""
    stored, counted = totals["stored_tasks"], totals["tasks"]
    if not deduplicated:
        return (
            "This dataset does not mark prose tasks that restate an appendix row (it has no "
            "<code>duplicate_of</code> column), so such a task counts twice: as its row and "
            "as prose."
        )
    if stored == counted:
        return "Every task the run stored is counted here."
    return (
        f"The run stored {stored} tasks; this page counts {counted}: {stored - counted} prose "
        "tasks restate an appendix row (the body of a plan repeating its table) and are "
        "counted once, through that row."
    )


def _kpis(totals: Row, as_of: dt.date) -> str:
    items = [
        ("documents", totals["documents"]),
        ("failed files", totals["failed"]),
        ("tasks", totals["tasks"]),
        (f"overdue on {as_of.isoformat()}", totals["overdue"]),
        ("upcoming", totals["upcoming"]),
        ("recurring", totals["recurring"]),
        ("no date", totals["no_date"]),
    ]
    return "".join(f"<div class='kpi'><b>{n}</b><span>{_e(k)}</span></div>" for k, n in items)


def render_html(data: ReportData, specs: dict[str, dict[str, Any] | str], page_dir: Path) -> str:
    by_doc: dict[tuple[str, str], list[Row]] = {}
    for task in data.tasks:
        by_doc.setdefault((task["doc_id"], task["source_path"]), []).append(task)
    documents = "".join(
        document_section(d, by_doc.get((d["doc_id"], d["source_path"]), []), page_dir)
        for d in data.documents
    )
    drawn = {key: spec for key, spec in specs.items() if isinstance(spec, dict)}
    # "</" inside a script would end it early: task text is untrusted input
    spec_json = json.dumps(drawn, ensure_ascii=False, default=str).replace("</", "<\\/")
    boxes = chart_boxes(data)
    charts = "".join(
        f"<figure class='chart{' wide' if boxes[key].wide else ''}'>"
        f"<figcaption><h3>{_e(boxes[key].title)}</h3>"
        f"<p class='note'>{boxes[key].note}</p>"
        f"{_legend_html(boxes[key].colors) if isinstance(spec, dict) else ''}</figcaption>"
        f"<div id='{key}' class='vega'>"
        f"{'' if isinstance(spec, dict) else f'<p class=empty>{_e(spec)}</p>'}</div></figure>"
        for key, spec in specs.items()
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>vnplan report — as of {data.as_of.isoformat()}</title>
<style>{CSS}</style>
<script>{javascript()}</script>
</head><body>
<h1>Plans and their tasks</h1>
<p>Status as of <b>{data.as_of.isoformat()}</b>: <i>overdue</i> means the due date has passed;
the dataset does not know whether the task was done.</p>
<div class="kpis">{_kpis(data.totals, data.as_of)}</div>
<p class="note" id="counting">{_counting_note(data.totals, data.deduplicated)}</p>
<div class="charts">{charts}</div>
<h2>Documents</h2>
{documents}
<footer>Generated by vnplan from the dataset's tables; the same numbers come from
<code>vnplan query</code>.</footer>
<script type="application/json" id="vnplan-specs">{spec_json}</script>
<script>{EMBED}</script>
</body></html>
"""


def write_report(out: Path, target: Path, as_of: dt.date | None = None) -> ReportData:
    """Write the HTML report of dataset `out` to `target`; returns what it shows."""
    day = as_of or dt.date.today()
    data = collect(connect(out, day), day)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = render_html(data, chart_specs(data), target.parent)
    target.write_text(page, encoding="utf-8")
    return data


# --------------------------------------------------------------------------- command line


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the `report` subcommand."""
    parser = sub.add_parser(
        "report",
        help="write a self-contained HTML report with charts of a dataset",
        description="Write one HTML page (no network needed to view it) with charts of the "
        "tasks per lead agency, deadlines by month and quarter, recurring vs dated tasks, "
        "overdue tasks as of a date, and a summary of each document with links to its source.",
    )
    parser.add_argument("dataset", metavar="OUT", help="a dataset folder written by `run`")
    parser.add_argument("--html", required=True, metavar="FILE", help="the page to write")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date 'overdue' is judged on (default: today)",
    )
    parser.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    try:
        data = write_report(Path(args.dataset), Path(args.html), args.as_of)
    except FileNotFoundError as exc:
        print(f"vnplan: {exc}", file=sys.stderr)
        return 2
    totals = data.totals
    print(
        f"vnplan: {args.html}: {totals['documents']} documents, {totals['tasks']} tasks, "
        f"{totals['overdue']} overdue as of {data.as_of.isoformat()}",
        file=sys.stderr,
    )
    return 0
