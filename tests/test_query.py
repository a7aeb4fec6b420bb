"""`vnplan query`: the analysts' question answered by one command, views, formats, README code."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vnplan import query, results
from vnplan.cli import main
from vnplan.dataset import read_table

from conftest import SAMPLES, SEEDS
from expected import agency_answer, quarter_bounds

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


def test_another_quarter_and_the_sql_macro_agree(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", str(out), "--agency", "Sở Nội vụ", "--quarter", "Q1/2024"]
    code, printed, _ = _run([*args, "--as-of", "2024-01-10", "--format", "json"], capsys)
    assert code == 0
    shortcut = json.loads(printed)
    want = agency_answer("Sở Nội vụ", *quarter_bounds(dt.date(2024, 1, 10)), dt.date(2024, 1, 10))
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


@pytest.mark.parametrize("typed", ["sở nội vụ", "SO NOI VU", "So  Noi vu", "Sở Nội Vụ"])
def test_an_agency_is_found_whatever_its_case_and_diacritics(
    out: Path, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    """Case, diacritics and spacing folded: the answer for the agency, saying which it is."""
    args = ["query", str(out), "--as-of", "2023-11-15", "--format", "json"]
    code, printed, err = _run([*args, "--agency", typed], capsys)
    assert code == 0, err
    assert f"{typed!r} matched lead agency 'Sở Nội vụ'" in err
    assert "did you mean" not in err
    code, exact, _ = _run([*args, "--agency", "Sở Nội vụ"], capsys)
    assert code == 0 and json.loads(printed) == json.loads(exact) != []


def test_an_unknown_agency_gets_suggestions_and_fails(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", str(out), "--agency", "So Noi vy", "--format", "csv"]
    code, printed, err = _run(args, capsys)
    assert code == 1 and printed == ""
    assert "no task has lead agency 'So Noi vy'; did you mean" in err and "Sở Nội vụ" in err


def test_tasks_with_no_lead_agency_are_labelled(out: Path) -> None:
    con = query.connect(out, AS_OF)
    tasks = [t for t in read_table(out, "tasks").to_pylist() if not t["duplicate_of"]]
    no_lead = sum(1 for t in tasks if not t["lead_agencies"])
    assert no_lead  # the seeds have tasks that name no lead agency
    rows = con.execute(
        "SELECT lead_agency, lead_resolved, count(*) FROM tasks_by_agency "
        "WHERE lead_agency IS NULL OR lead_agency = '' OR lead_resolved IS NULL GROUP BY ALL"
    ).fetchall()
    assert rows == [(query.NO_LEAD, None, no_lead)]


def test_lead_resolved_says_which_names_the_registry_knows(out: Path) -> None:
    """lead_resolved: a canonical name the registry resolved, not a mention as printed."""
    con = query.connect(out, AS_OF)
    resolved = {
        (m["task_id"], m["canonical_name"])
        for m in read_table(out, "task_agencies").to_pylist()
        if m["role"] == "lead" and m["resolved"]
    }
    rows = con.execute(
        "SELECT task_id, lead_agency, lead_resolved FROM tasks_by_agency WHERE lead_agency <> ?",
        [query.NO_LEAD],
    ).fetchall()
    assert rows and all(flag == ((task, name) in resolved) for task, name, flag in rows)


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
    text = results.format_table(table, max_width=30)
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
