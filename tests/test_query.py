"""`vnplan query`: the analysts' question answered by one command, views, formats, README code."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from vnplan import query
from vnplan.cli import main
from vnplan.dataset import read_table

from conftest import ROOT, SAMPLES, SEEDS
from expected import load_expected

AS_OF = dt.date(2023, 11, 15)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dataset") / "out"
    assert main(["run", *(str(SAMPLES / f"{s}.txt") for s in SEEDS), "--out", str(folder)]) == 0
    return folder


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expected_answer(agency: str, first: dt.date, last: dt.date, as_of: dt.date) -> set[Any]:
    """The question answered from the hand-checked files alone: (file, line, due, status, in Q).

    A task's due date is the latest date it states (milestones' dates are in its `deadlines`,
    samples/expected/SPEC.md); overdue means due before `as_of` and not recurring.
    """
    answer = set()
    for stem in SEEDS:
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


def _readme_command(prefix: str) -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    line = next(x.strip() for x in readme.splitlines() if x.strip().startswith(prefix))
    return shlex.split(line.split(" #")[0])


def test_the_one_command_answers_the_question(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README's command, run as printed (but on this dataset), against the expected files."""
    argv = _readme_command("vnplan query out --agency")
    assert argv[:3] == ["vnplan", "query", "out"] and "--as-of" in argv
    as_of = dt.date.fromisoformat(argv[argv.index("--as-of") + 1])
    code, printed, err = _run([*argv[1:2], str(out), *argv[3:], "--format", "json"], capsys)
    assert code == 0, err
    rows = json.loads(printed)
    got = {
        (Path(r["source_path"]).name, r["line"], r["due_date"], r["status"], r["in_quarter"])
        for r in rows
        if r["origin"] == "appendix"  # the expected files hold the appendix rows
    }
    want = expected_answer("Sở Nội vụ", *quarter_bounds(as_of), as_of)  # "this quarter"
    assert got == want
    assert any(r[4] for r in want) and any(not r[4] for r in want)  # both parts of the question
    assert [r["due_date"] for r in rows] == sorted(r["due_date"] for r in rows)


def test_another_quarter_and_the_sql_macro_agree(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", str(out), "--agency", "Sở Nội vụ", "--quarter", "Q1/2024"]
    code, printed, _ = _run([*args, "--as-of", "2024-01-10", "--format", "json"], capsys)
    assert code == 0
    shortcut = json.loads(printed)
    want = expected_answer("Sở Nội vụ", *quarter_bounds(dt.date(2024, 1, 10)), dt.date(2024, 1, 10))
    got = {
        (Path(r["source_path"]).name, r["line"], r["due_date"], r["status"], r["in_quarter"])
        for r in shortcut
        if r["origin"] == "appendix"
    }
    assert got == want
    assert any(r[3] == "upcoming" for r in want)
    sql = "SELECT * FROM agency_quarter('Sở Nội vụ', '2024Q1')"
    args = ["query", str(out), sql, "--as-of", "2024-01-10", "--format", "json"]
    code, printed, _ = _run(args, capsys)
    assert code == 0 and json.loads(printed) == shortcut


def test_an_unknown_agency_gets_suggestions(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["query", str(out), "--agency", "So Noi vu", "--format", "csv"]
    code, printed, err = _run(args, capsys)
    assert code == 0 and printed.count("\n") == 1  # the header only
    assert "no task has lead agency 'So Noi vu'" in err and "Sở Nội vụ" in err


def test_ready_views_agree_with_the_tables(out: Path) -> None:
    con = query.connect(out, AS_OF)
    # restated prose tasks (duplicate_of) are counted through their appendix row only
    tasks = [t for t in read_table(out, "tasks").to_pylist() if not t["duplicate_of"]]
    by_agency = con.execute("SELECT count(*) FROM tasks_by_agency").fetchone()
    assert by_agency == (sum(max(1, len(t["lead_agencies"])) for t in tasks),)
    overdue = [t for t in tasks if t["due_date"] and t["due_date"] < AS_OF and not t["recurring"]]
    assert con.execute("SELECT count(*) FROM overdue").fetchone() == (len(overdue),)
    quarters = dict(con.execute("SELECT due_quarter, tasks FROM due_by_quarter").fetchall())
    assert sum(quarters.values()) == sum(1 for t in tasks if t["due_date"])
    first, last = quarter_bounds(dt.date(2023, 11, 1))
    assert quarters["2023Q4"] == sum(
        1 for t in tasks if t["due_date"] and first <= t["due_date"] <= last
    )
    for name in ("documents", "task_agencies", "agencies", "sections", "targets", "citations"):
        rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        assert rows == (read_table(out, name).num_rows,), name


def test_restated_prose_tasks_are_counted_once(out: Path) -> None:
    """The ready views leave out the prose tasks that restate an appendix row (duplicate_of)."""
    tasks = read_table(out, "tasks").to_pylist()
    restated = {t["task_id"] for t in tasks if t["duplicate_of"]}
    assert restated  # the seeds' bodies restate their appendices
    kept = {t["task_id"] for t in tasks if not t["duplicate_of"]}
    con = query.connect(out, AS_OF)
    counted = {r[0] for r in con.execute("SELECT DISTINCT task_id FROM tasks_by_agency").fetchall()}
    assert counted == kept and not counted & restated
    assert con.execute("SELECT count(*) FROM tasks").fetchone() == (len(tasks),)  # raw table


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "table"])
def test_output_formats(out: Path, tmp_path: Path, fmt: str) -> None:
    sql = (
        "SELECT lead_agency, count(*) AS n, min(due_date) AS first_due, list(task_no) AS nos "
        "FROM tasks_by_agency WHERE lead_agency = 'Sở Nội vụ' GROUP BY ALL"
    )
    target = tmp_path / f"result.{'txt' if fmt == 'table' else fmt}"
    assert main(["query", str(out), sql, "--output", str(target)]) == 0  # format from the suffix
    if fmt == "parquet":
        row = pq.read_table(target).to_pylist()[0]
        assert row["lead_agency"] == "Sở Nội vụ" and isinstance(row["first_due"], dt.date)
        return
    text = target.read_text("utf-8")
    if fmt == "json":
        row = json.loads(text)[0]
        assert row["lead_agency"] == "Sở Nội vụ" and re.fullmatch(
            r"\d{4}-\d\d-\d\d", row["first_due"]
        )
        assert isinstance(row["nos"], list)
    elif fmt == "csv":
        header, line = text.splitlines()
        assert header == "lead_agency,n,first_due,nos" and line.startswith("Sở Nội vụ,")
    else:
        lines = text.splitlines()
        assert lines[0].split() == ["lead_agency", "n", "first_due", "nos"]
        assert set(lines[1].replace(" ", "")) == {"-"} and lines[-1] == "(1 row)"
        assert lines[2].startswith("Sở Nội vụ")


def test_table_columns_align_and_long_cells_are_cut(out: Path) -> None:
    con = query.connect(out, AS_OF)
    sql = (
        "SELECT task_no, content, due_date FROM tasks_by_agency "
        "WHERE lead_agency = 'Sở Nội vụ' ORDER BY line LIMIT 5"
    )
    table = query.run_sql(con, sql)
    text = query.format_table(table, max_width=30)
    lines = text.splitlines()
    starts = {line.index(cell) for line in lines[2:-1] for cell in [line.split("  ")[-1].strip()]}
    assert len(starts) == 1  # the last column starts at the same place on every row
    assert all(len(line) <= len("task_no") + 2 + 30 + 2 + 10 for line in lines[:-1])
    assert any("…" in line for line in lines)


def test_listing_and_errors(out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = _run(["query", str(out)], capsys)
    assert code == 0
    for view in ("tasks_by_agency", "due_by_quarter", "overdue", "agency_quarter", "citations"):
        assert view in printed
    assert _run(["query", str(out), "SELECT nope FROM tasks"], capsys)[0] == 1
    assert _run(["query", str(tmp_path / "missing"), "SELECT 1"], capsys)[0] == 2
    assert _run(["query", str(out), "SELECT 1", "--format", "parquet"], capsys)[0] == 2
    assert _run(["query", str(out), "--agency", "Sở Nội vụ", "--quarter", "2023Q5"], capsys)[0] == 2
    assert _run(["query", str(out), "SELECT 1", "--agency", "Sở Nội vụ"], capsys)[0] == 2


@pytest.mark.parametrize(
    ("text", "quarter"), [("2023Q4", "2023Q4"), ("2023-q1", "2023Q1"), ("Q2/2024", "2024Q2")]
)
def test_quarters(text: str, quarter: str) -> None:
    assert query.parse_quarter(text) == quarter


def test_as_of_defaults_to_today(out: Path) -> None:
    con = query.connect(out)
    assert con.execute("SELECT as_of()").fetchone() == (dt.date.today(),)


# --------------------------------------------------------------------------- README


def _analyst_snippets() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_names_pandas_duckdb_polars_and_spark() -> None:
    code = "\n".join(_analyst_snippets())
    for library in ("import pandas", "import duckdb", "import polars", "pyspark"):
        assert library in code, library


@pytest.mark.parametrize("library", ["pandas", "duckdb"])
def test_readme_analyses_run(out: Path, library: str) -> None:
    """The pandas and DuckDB examples run as printed, in a folder whose `out` is the dataset."""
    (snippet,) = [s for s in _analyst_snippets() if f"import {library}" in s]
    workdir = out.parent
    ran = subprocess.run(
        [sys.executable, "-c", snippet], cwd=workdir, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert "Sở Nội vụ" in ran.stdout
