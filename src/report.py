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
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

import altair as alt
import duckdb

from vnplan.query import columns, connect

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
    by_agency: list[Row]  # agency, status, tasks
    by_month: list[Row]  # month, month_start, status, tasks
    by_quarter: list[Row]  # due_quarter, status, tasks
    kinds: list[Row]  # document, kind, tasks
    overdue_by_agency: list[Row]  # agency, tasks
    totals: Row
    deduplicated: bool  # prose tasks restating an appendix row are left out
    documents: list[Row]
    tasks: list[Row]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


DOC_LABEL = "coalesce(d.doc_number, '?') || ' · ' || regexp_extract(t.source_path, '[^/\\\\]+$')"

QUERIES = {
    "by_agency": """
        SELECT lead_agency AS agency, status, count(*) AS tasks
        FROM tasks_by_agency WHERE lead_agency IS NOT NULL
        GROUP BY ALL ORDER BY agency, status""",
    "by_month": """
        SELECT strftime(due_date, '%Y-%m') AS month,
               strftime(date_trunc('month', due_date), '%Y-%m-%d') AS month_start,
               status, count(*) AS tasks
        FROM counted_tasks WHERE due_date IS NOT NULL GROUP BY ALL ORDER BY month, status""",
    "by_quarter": """
        SELECT due_quarter, status, count(*) AS tasks
        FROM counted_tasks WHERE due_date IS NOT NULL GROUP BY ALL ORDER BY due_quarter, status""",
    "kinds": f"""
        SELECT {DOC_LABEL} AS document,
               CASE WHEN t.recurring THEN 'recurring' WHEN t.due_date IS NOT NULL THEN 'dated'
                    ELSE 'no date' END AS kind,
               count(*) AS tasks
        FROM counted_tasks t
        LEFT JOIN documents d ON d.doc_id = t.doc_id AND d.source_path = t.source_path
        GROUP BY ALL ORDER BY document, kind""",
    "overdue_by_agency": """
        SELECT lead_agency AS agency, count(*) AS tasks
        FROM tasks_by_agency WHERE status = 'overdue' AND lead_agency IS NOT NULL
        GROUP BY ALL ORDER BY tasks DESC, agency""",
    "totals": """
        SELECT (SELECT count(*) FROM documents) AS documents,
               (SELECT count(*) FROM documents WHERE status = 'failed') AS failed,
               count(*) AS tasks,
               count(*) FILTER (WHERE status = 'overdue') AS overdue,
               count(*) FILTER (WHERE status = 'upcoming') AS upcoming,
               count(*) FILTER (WHERE status = 'recurring') AS recurring,
               count(*) FILTER (WHERE status = 'no date') AS no_date,
               count(*) FILTER (WHERE len(lead_agencies) = 0) AS no_lead,
               count(*) FILTER (WHERE len(lead_agencies) = 0 AND status = 'overdue')
                   AS no_lead_overdue
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


def collect(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> ReportData:
    rows = {name: _rows(con, sql) for name, sql in QUERIES.items()}
    deduplicated = "duplicate_of" in columns(con, "tasks")
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


def _data(name: str, rows: list[Row]) -> alt.InlineData:
    """Rows as a named data set: Vega keeps the name, so `view.data(name)` finds them."""
    return alt.InlineData(values=rows, name=name)


def _status_color(title: str = "status") -> alt.Color:
    return alt.Color(
        "status:N",
        title=title,
        scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values())),
        sort=list(STATUS_COLORS),
    )


def _title(text: str, no_lead: int) -> alt.TitleParams:
    """A chart title that says how many tasks it cannot show: those naming no lead agency."""
    return alt.TitleParams(text, subtitle=f"not shown: {no_lead} tasks naming no lead agency")


def _height(rows: list[Row], key: str) -> int:
    return max(60, 18 * len({r[key] for r in rows}))


def agency_chart(data: ReportData) -> alt.Chart:
    chart: alt.Chart = (  # Altair's chained calls are typed loosely
        alt.Chart(_data("tasks_by_agency", data.by_agency))
        .mark_bar()
        .encode(
            x=alt.X("sum(tasks):Q", title="tasks led"),
            y=alt.Y("agency:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            color=_status_color(),
            tooltip=["agency:N", "status:N", "tasks:Q"],
        )
        .properties(
            title=_title("Tasks per lead agency", data.totals["no_lead"]),
            width=360,
            height=_height(data.by_agency, "agency"),
        )
    )
    return chart


def timeline_chart(data: ReportData) -> alt.LayerChart:
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
    label = rule.mark_text(align="left", dx=4, dy=-4, y=0, fontSize=11).encode(text="label:N")
    return alt.LayerChart(
        layer=[bars, rule, label], title="Deadlines by month", width=820, height=220
    )


def quarter_chart(data: ReportData) -> alt.Chart:
    chart: alt.Chart = (
        alt.Chart(_data("deadlines_by_quarter", data.by_quarter))
        .mark_bar()
        .encode(
            x=alt.X("due_quarter:O", title="due quarter", sort="ascending"),
            y=alt.Y("sum(tasks):Q", title="tasks due"),
            color=_status_color(),
            tooltip=["due_quarter:N", "status:N", "tasks:Q"],
        )
        .properties(title="Deadlines by quarter", width=360, height=220)
    )
    return chart


def kinds_chart(data: ReportData) -> alt.Chart:
    chart: alt.Chart = (
        alt.Chart(_data("task_kinds", data.kinds))
        .mark_bar()
        .encode(
            x=alt.X("sum(tasks):Q", title="tasks"),
            y=alt.Y("document:N", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "kind:N",
                title="deadline",
                scale=alt.Scale(domain=list(KIND_COLORS), range=list(KIND_COLORS.values())),
            ),
            tooltip=["document:N", "kind:N", "tasks:Q"],
        )
        .properties(
            title="Recurring vs dated tasks, per document",
            width=360,
            height=_height(data.kinds, "document"),
        )
    )
    return chart


def overdue_chart(data: ReportData) -> alt.Chart:
    chart: alt.Chart = (
        alt.Chart(_data("overdue_by_agency", data.overdue_by_agency))
        .mark_bar(color=STATUS_COLORS["overdue"])
        .encode(
            x=alt.X("tasks:Q", title="overdue tasks led"),
            y=alt.Y("agency:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=["agency:N", "tasks:Q"],
        )
        .properties(
            title=_title(
                f"Overdue as of {data.as_of.isoformat()}, per lead agency",
                data.totals["no_lead_overdue"],
            ),
            width=360,
            height=_height(data.overdue_by_agency, "agency"),
        )
    )
    return chart


CHARTS = {  # element id → (what to say when there is nothing to draw, the chart)
    "chart-timeline": ("No task has a due date.", timeline_chart),
    "chart-agencies": ("No task names a lead agency.", agency_chart),
    "chart-overdue": ("Nothing is overdue.", overdue_chart),
    "chart-quarters": ("No task has a due date.", quarter_chart),
    "chart-kinds": ("No tasks.", kinds_chart),
}


def chart_specs(data: ReportData) -> dict[str, dict[str, Any] | str]:
    """Element id → Vega-Lite spec, or a sentence where an empty chart would only confuse."""
    rows = {
        "chart-timeline": data.by_month,
        "chart-agencies": data.by_agency,
        "chart-overdue": data.overdue_by_agency,
        "chart-quarters": data.by_quarter,
        "chart-kinds": data.kinds,
    }
    return {
        key: build(data).to_dict() if rows[key] else empty for key, (empty, build) in CHARTS.items()
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
    agencies = "; ".join(task["lead_agencies"] or [])
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
        f"<details><summary>{len(tasks)} tasks</summary><table class='tasks'><thead><tr>"
        "<th>No.</th><th>Task</th><th>Lead</th><th>Deadline as printed</th><th>Due</th>"
        f"<th>Status</th><th>Source</th></tr></thead><tbody>{rows}</tbody></table></details>"
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
        f"<section class='document' data-doc-id='{_e(doc['doc_id'])}'>"
        f"<h3>{heading}</h3><p class='title'>{_e(doc['title'])}</p>"
        f"<p class='facts'>{' · '.join(f for f in facts if f)}</p>"
        f"{_counts(doc)}{_problems(doc)}{_task_table(tasks, page_dir)}</section>"
    )


CSS = """
body { font-family: "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       margin: 24px auto; max-width: 1180px; color: #1c2833; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; }
h3 { font-size: 15px; margin: 0 0 4px; }
.kpis { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.kpi { border: 1px solid #d5d8dc; border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.kpi b { display: block; font-size: 22px; } .kpi span { font-size: 12px; color: #566573; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 24px; }
.charts .wide { grid-column: 1 / -1; }
.document { border-top: 1px solid #d5d8dc; padding: 12px 0; }
.title, .facts, .counts { margin: 2px 0; font-size: 13px; } .facts { color: #566573; }
.overdue { color: #c0392b; } .error { color: #c0392b; }
table.tasks { border-collapse: collapse; font-size: 12px; margin-top: 6px; width: 100%; }
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


def _counting_note(deduplicated: bool) -> str:
    if deduplicated:
        return "Prose tasks that restate an appendix row are counted once."
    return (
        "This dataset does not mark prose tasks that restate an appendix row (it has no "
        "<code>duplicate_of</code> column), so such a task counts twice: as its row and as prose."
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
    charts = "".join(
        f"<div id='{key}' class='{'wide' if key == 'chart-timeline' else ''}'>"
        f"{'' if isinstance(spec, dict) else f'<p class=empty>{_e(spec)}</p>'}</div>"
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
the dataset does not know whether the task was done. {_counting_note(data.deduplicated)}</p>
<div class="kpis">{_kpis(data.totals, data.as_of)}</div>
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
