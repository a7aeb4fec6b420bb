"""SQL over a dataset: DuckDB views named after the tables, plus ready views for analysts.

The views read the Parquet files through `vnplan.dataset.duckdb_source`, so a query never
names a file and keeps working when the tables become partitioned folders. Nothing is
copied: the connection is in memory and the dataset stays read-only.

Ready views (all leave out prose tasks that restate an appendix row, when the dataset says
which ones do, so a task is counted once):

- `tasks_by_agency` — one row per task x lead agency, with due date, status and document;
  a task that names no lead agency has one row labelled `NO_LEAD` ('(no lead agency)').
- `due_by_quarter`  — per quarter of the due date: tasks, overdue, upcoming, recurring.
- `overdue`         — tasks due before the as-of date and not recurring, most overdue first.
- `agency_quarter(agency, quarter)` — a table macro: what `agency` leads that falls due in
  `quarter` ('2023Q4'), plus everything it leads that is already overdue.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from vnplan.dataset import TABLES, duckdb_source, table_path
from vnplan.results import FORMATS, guess_format, write_result
from vnplan.textutil import fold_key

REQUIRED = ("tasks", "documents")  # every dataset has these; the others came later
QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)
QUARTER_ALT = re.compile(r"^\s*Q([1-4])\s*[/-]\s*(\d{4})\s*$", re.IGNORECASE)  # "Q4/2023"


@dataclass(frozen=True)
class View:
    name: str
    summary: str
    sql: str


def _status(table: str = "t") -> str:
    """The one definition of a task's status as of the as-of date, shared by every view."""
    return (
        f"CASE WHEN {table}.recurring THEN 'recurring' "
        f"WHEN {table}.due_date IS NULL THEN 'no date' "
        f"WHEN {table}.due_date < as_of() THEN 'overdue' ELSE 'upcoming' END"
    )


def _quarter(expr: str) -> str:
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE year({expr}) || 'Q' || quarter({expr}) END"


# The lead agency of a task that names none: a label, so no row of tasks_by_agency is blank.
NO_LEAD = "(no lead agency)"


def _resolved_leads(tables: set[str]) -> str:
    """SQL of (task_id, name): each task's lead agencies the registry resolved, from the
    mentions themselves (an unresolved mention may still carry a tidied name)."""
    if "task_agencies" in tables:
        return (
            "SELECT DISTINCT task_id, canonical_name AS name FROM task_agencies "
            "WHERE role = 'lead' AND resolved AND canonical_name IS NOT NULL"
        )
    # nothing says which names are resolved: none is claimed
    return "SELECT NULL::VARCHAR AS task_id, NULL::VARCHAR AS name WHERE false"


def ready_views(counted_tasks: str, tables: set[str] | None = None) -> list[View]:
    """The ready views over `counted_tasks`: the tasks, each counted once, with their status
    (`overdue`, `upcoming`, `recurring`, `no date`) and due quarter ('2023Q4'). `tables`: the
    dataset's tables (task_agencies says which lead agencies the registry resolved)."""
    resolved = _resolved_leads(set(TABLES) if tables is None else tables)
    return [
        View(
            "tasks_by_agency",
            f"one row per task x lead agency ('{NO_LEAD}': the task names none; "
            "lead_resolved: the name is a registry agency, not a mention as printed)",
            f"""
            SELECT coalesce(a.lead_agency, '{NO_LEAD}') AS lead_agency,
                   CASE WHEN a.lead_agency IS NULL THEN NULL
                        ELSE r.name IS NOT NULL END AS lead_resolved,
                   t.status, t.due_date, t.due_quarter, t.recurring,
                   t.deadline_raw,
                   t.task_no, t.content, t.product, t.origin, t.section_path,
                   t.support_agencies, d.doc_number, d.doc_type, d.issued_date, d.title,
                   t.source_path, t.page_start, t.line, t.task_id, t.doc_id
            FROM {counted_tasks} t
            -- a task with no lead agency keeps one row (labelled NO_LEAD): nothing drops silently
            CROSS JOIN unnest(CASE WHEN len(t.lead_agencies) = 0 THEN [NULL::VARCHAR]
                                   ELSE t.lead_agencies END) AS a(lead_agency)
            LEFT JOIN ({resolved}) r ON r.task_id = t.task_id AND r.name = a.lead_agency
            -- two copies of the same bytes share a doc_id: join on the path too
            LEFT JOIN documents d ON d.doc_id = t.doc_id AND d.source_path = t.source_path
            """,
        ),
        View(
            "due_by_quarter",
            "per quarter of the due date: tasks, overdue, upcoming, recurring",
            f"""
            SELECT t.due_quarter,
                   count(*) AS tasks,
                   count(*) FILTER (WHERE t.status = 'overdue') AS overdue,
                   count(*) FILTER (WHERE t.status = 'upcoming') AS upcoming,
                   count(*) FILTER (WHERE t.recurring) AS recurring,
                   count(DISTINCT t.doc_id) AS documents
            FROM {counted_tasks} t
            WHERE t.due_date IS NOT NULL
            GROUP BY ALL
            ORDER BY due_quarter
            """,
        ),
        View(
            "overdue",
            "tasks due before the as-of date and not recurring, most overdue first",
            f"""
            SELECT as_of() - t.due_date AS days_overdue, t.due_date, t.due_quarter, t.deadline_raw,
                   t.lead_agencies, t.task_no, t.content, d.doc_number, d.title,
                   t.source_path, t.page_start, t.line, t.task_id, t.doc_id
            FROM {counted_tasks} t
            LEFT JOIN documents d ON d.doc_id = t.doc_id AND d.source_path = t.source_path
            WHERE t.due_date < as_of() AND NOT t.recurring
            ORDER BY t.due_date, t.source_path, t.line
            """,
        ),
    ]


# The analysts' question as a table macro: due in the quarter, or led and already overdue.
AGENCY_QUARTER = """
CREATE MACRO agency_quarter(agency, quarter) AS TABLE
SELECT status, coalesce(due_quarter = quarter, false) AS in_quarter, due_date, doc_number,
       task_no, content, deadline_raw, source_path, page_start, line, origin, issued_date,
       task_id
FROM tasks_by_agency
WHERE lead_agency = agency
  AND (due_quarter = quarter OR status = 'overdue')
ORDER BY due_date, source_path, line
"""


def parse_quarter(text: str) -> str:
    """'2023Q4', '2023-q4' or 'Q4/2023' → '2023Q4'."""
    if match := QUARTER.match(text):
        return f"{match[1]}Q{match[2]}"
    if match := QUARTER_ALT.match(text):
        return f"{match[2]}Q{match[1]}"
    raise ValueError(f"{text!r} is not a quarter: write it as 2023Q4")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str]:
    return {row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()}


def connect(out: Path, as_of: dt.date | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the dataset's tables and the ready views as of `as_of`."""
    for name in REQUIRED:
        if not table_path(out, name).exists():
            raise FileNotFoundError(
                f"{table_path(out, name)}: no such table; run `vnplan run … --out {out}` first"
            )
    con = duckdb.connect()
    present = {name for name in TABLES if table_path(out, name).exists()}
    for name in TABLES:
        if name in present:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {duckdb_source(out, name)}")
    day = as_of or dt.date.today()
    con.execute(f"CREATE MACRO as_of() AS DATE '{day.isoformat()}'")
    # duplicate_of marks prose tasks that restate an appendix row; datasets written before
    # the column existed count every task.
    keep = "duplicate_of IS NULL" if "duplicate_of" in columns(con, "tasks") else "true"
    con.execute(
        f"CREATE VIEW counted_tasks AS SELECT *, {_status()} AS status, "
        f"{_quarter('t.due_date')} AS due_quarter FROM tasks t WHERE {keep}"
    )
    for view in ready_views("counted_tasks", present):
        con.execute(f"CREATE VIEW {view.name} AS {view.sql}")
    con.execute(AGENCY_QUARTER)
    return con


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pa.Table:
    table: pa.Table = con.sql(sql, params=list(params) or None).to_arrow_table()
    return table


@dataclass(frozen=True)
class AgencyMatch:
    """What an agency name typed by a person resolved to among the dataset's lead agencies."""

    names: tuple[str, ...]  # the lead agencies it matched: one, or several when ambiguous
    close: tuple[str, ...] = ()  # nothing matched: the closest names, for "did you mean"


def _aliases(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(alias, canonical name) pairs of the registry entries the dataset uses, when it has them."""
    if "agencies" not in _views(con) or "aliases" not in columns(con, "agencies"):
        return []
    rows = con.execute(
        "SELECT alias, canonical_name FROM agencies, unnest(aliases) AS a(alias)"
    ).fetchall()
    return [(alias, name) for alias, name in rows if alias and name]


def match_agency(con: duckdb.DuckDBPyConnection, typed: str) -> AgencyMatch:
    """The lead agency meant by `typed`: the exact name, else the names equal to it with case,
    diacritics and spacing folded ('so noi vu' → 'Sở Nội vụ'), else a registry alias of one."""
    rows = con.execute(
        "SELECT lead_agency, bool_or(lead_resolved) FROM tasks_by_agency GROUP BY ALL"
    ).fetchall()
    resolved = {name: bool(flag) for name, flag in rows}
    if typed in resolved:
        return AgencyMatch((typed,))
    key = fold_key(typed)
    found = [name for name in resolved if fold_key(name) == key]
    found += [name for alias, name in _aliases(con) if fold_key(alias) == key and name in resolved]
    # a registry name beats a mention as printed that folds the same ("Sở nội vụ" in a cell)
    best = [n for n in found if resolved[n]] or found
    if best:
        return AgencyMatch(tuple(dict.fromkeys(best)))
    folded = {fold_key(name): name for name in resolved}
    close = difflib.get_close_matches(key, list(folded), n=5, cutoff=0.5)
    return AgencyMatch((), tuple(folded[c] for c in close))


def agency_quarter(con: duckdb.DuckDBPyConnection, agency: str, quarter: str) -> pa.Table:
    """What `agency` (a lead agency name as the dataset spells it) leads in `quarter`."""
    return run_sql(con, "SELECT * FROM agency_quarter(?, ?)", [agency, quarter])


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}


def describe(con: duckdb.DuckDBPyConnection) -> str:
    """The views a query can use, with their columns: what `vnplan query OUT` alone prints."""
    lines = ["tables:"]
    for name in TABLES:
        if con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]
        ).fetchone() != (0,):
            lines.append(f"  {name}: {', '.join(sorted(columns(con, name)))}")
    lines.append("ready views:")
    for view in ready_views("counted_tasks", _views(con)):
        lines.append(f"  {view.name} — {view.summary}")
        lines.append(
            f"    {', '.join(r[0] for r in con.execute(f'DESCRIBE {view.name}').fetchall())}"
        )
    lines.append("  agency_quarter(agency, quarter) — what an agency leads due in a quarter,")
    lines.append(
        "    and what it leads that is overdue: SELECT * FROM agency_quarter('Sở Nội vụ', '2023Q4')"
    )
    lines.append("  as_of() — the --as-of date (default today)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- output


# --------------------------------------------------------------------------- command line

QUERY_EPILOG = """examples:
  vnplan query out --agency "Sở Nội vụ" --as-of 2023-11-15
      what Sở Nội vụ leads that falls due this quarter (the as-of date's), and what is overdue
  vnplan query out "SELECT lead_agency, count(*) n FROM tasks_by_agency GROUP BY ALL"
  vnplan query out "SELECT * FROM overdue" --as-of 2024-01-01 --format csv --output late.csv
  vnplan query out                      list the tables and ready views with their columns
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the `query` subcommand."""
    parser = sub.add_parser(
        "query",
        help="SQL (DuckDB) over a dataset, with ready views; --agency for one agency's quarter",
        description="Run SQL on a dataset with DuckDB. Views: the tables (tasks, documents, "
        "task_agencies, agencies, sections, targets, citations) and ready views "
        "tasks_by_agency, due_by_quarter, overdue, agency_quarter(agency, quarter); as_of() "
        "is the --as-of date.",
        epilog=QUERY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", metavar="OUT", help="a dataset folder written by `run`")
    parser.add_argument("sql", nargs="?", metavar="SQL", help="the query (omit: list the views)")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date 'overdue' is judged on (default: today)",
    )
    parser.add_argument(
        "--agency",
        metavar="NAME",
        help="instead of SQL: what NAME leads due in --quarter, and its overdue tasks (NAME is "
        "matched with case and diacritics folded; exit 1 when no lead agency matches)",
    )
    parser.add_argument(
        "--quarter", metavar="YYYYQn", help="with --agency: the quarter (default: the as-of date's)"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="output format (default: table on a terminal, else CSV; "
        "with --output, from the file's suffix)",
    )
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument(
        "--max-width",
        type=int,
        default=60,
        metavar="N",
        help="table format: cut cells to N characters (0: never; default 60)",
    )
    parser.set_defaults(func=command)


def _fail(message: str, code: int) -> int:
    print(f"vnplan: {message}", file=sys.stderr)
    return code


def _no_single_agency(typed: str, match: AgencyMatch) -> str:
    if match.names:
        return f"{typed!r} matches several lead agencies: {' / '.join(match.names)}; give one"
    hint = f"; did you mean {' / '.join(match.close)}?" if match.close else ""
    return f"no task has lead agency {typed!r}{hint}"


def command(args: argparse.Namespace) -> int:
    """`vnplan query`: 0 on success, 1 when the query fails or --agency matches no single lead
    agency, 2 on a usage error."""
    if args.sql and args.agency:
        return _fail("give SQL or --agency, not both", 2)
    if args.quarter and not args.agency:
        return _fail("--quarter goes with --agency", 2)
    as_of: dt.date = args.as_of or dt.date.today()
    try:
        quarter = parse_quarter(args.quarter) if args.quarter else quarter_of(as_of)
        con = connect(Path(args.dataset), as_of)
    except (ValueError, FileNotFoundError) as exc:
        return _fail(str(exc), 2)
    if not args.sql and not args.agency:
        print(describe(con))
        return 0
    try:
        if args.agency:
            match = match_agency(con, args.agency)
            if len(match.names) != 1:  # a typo would otherwise look like "nothing due"
                return _fail(_no_single_agency(args.agency, match), 1)
            (agency,) = match.names
            asked = "" if agency == args.agency else f"{args.agency!r} matched "
            print(f"vnplan: {asked}lead agency {agency!r}", file=sys.stderr)
            table = agency_quarter(con, agency, quarter)
        else:
            table = run_sql(con, args.sql)
        fmt = args.format or guess_format(args.output, sys.stdout)
        write_result(table, fmt, args.output, args.max_width)
    except duckdb.Error as exc:
        return _fail(f"query failed: {exc}", 1)
    except (ValueError, OSError) as exc:
        return _fail(str(exc), 2)
    return 0
