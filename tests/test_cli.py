"""`vnplan` end to end: the dataset on disk, bad files in a batch, reruns, the contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from vnplan import __version__
from vnplan.cli import main

from conftest import SAMPLES, SEEDS
from expected import load_expected

TASK_COLUMNS = {  # DESIGN.md's contract: names and Arrow types
    "task_id": "string",
    "doc_id": "string",
    "source_path": "string",
    "origin": "string",
    "section_path": "list<element: string>",
    "task_no": "string",
    "content": "string",
    "product": "string",
    "leader_names": "list<element: string>",
    "lead_agencies": "list<element: string>",
    "support_agencies": "list<element: string>",
    "lead_raw": "string",
    "support_raw": "string",
    "deadline_raw": "string",
    "deadlines": "list<element: date32[day]>",
    "due_date": "date32[day]",
    "recurring": "bool",
    "page_start": "int32",
    "page_end": "int32",
}
DOCUMENT_COLUMNS = {
    "doc_id",
    "source_path",
    "source_format",
    "status",
    "doc_number",
    "doc_type",
    "issuer",
    "place",
    "issued_date",
    "title",
    "signer",
    "page_count",
    "task_count",
    "pipeline_version",
    "error",
}
AGENCY_COLUMNS = {"task_id", "role", "canonical_name", "agency_kind", "raw_mention", "match_score"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """The three seeds plus one bad file of each kind, run as one batch."""
    src = tmp_path_factory.mktemp("in")
    for stem in SEEDS:
        shutil.copy(SAMPLES / f"{stem}.txt", src / f"{stem}.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.pdf").write_bytes(b"%PDF-1.7\n\x00\x01\x02\x03 not really")
    (src / "image.txt").write_bytes(bytes(range(256)) * 4)
    (src / "letter.txt").write_text(
        "Kính gửi: Sở Nội vụ\n\nĐề nghị báo cáo trước ngày 15/9/2023.\n"
    )
    (src / "nested").mkdir()
    shutil.copy(SAMPLES / "003_3a026ceb35acf91e.txt", src / "nested" / "copy.txt")
    out = tmp_path_factory.mktemp("out")
    code = main(["run", str(src), str(src / "missing.txt"), "--out", str(out), "--quiet"])
    return src, out, code


def test_exit_code_is_one_when_a_file_failed(batch: tuple[Path, Path, int]) -> None:
    assert batch[2] == 1


def test_failed_files_are_rows_with_a_reason(batch: tuple[Path, Path, int]) -> None:
    src, out, _ = batch
    docs = pd.read_parquet(out / "documents.parquet")
    assert set(docs.columns) >= DOCUMENT_COLUMNS
    docs = docs.set_index("source_path")
    failed = docs[docs.status == "failed"]
    reasons = {Path(p).name: e for p, e in failed.error.items()}
    assert set(reasons) == {"empty.txt", "binary.pdf", "image.txt", "missing.txt"}
    assert "empty file (0 bytes)" in reasons["empty.txt"]
    assert "PDF" in reasons["binary.pdf"]  # named for what its bytes are
    assert "binary content" in reasons["image.txt"]
    assert "cannot be read" in reasons["missing.txt"]
    assert all(str(src) in e or "missing.txt" in e for e in reasons.values())  # names the file


def test_a_text_without_a_table_is_ok_with_no_tasks_and_says_why(
    batch: tuple[Path, Path, int],
) -> None:
    _, out, _ = batch
    docs = pd.read_parquet(out / "documents.parquet")
    letter = docs[docs.source_path.str.endswith("letter.txt")].iloc[0]
    assert (letter.status, letter.task_count) == ("ok", 0)
    assert any("no appendix task table" in w for w in letter.warnings)


def test_the_other_files_still_export(batch: tuple[Path, Path, int]) -> None:
    _, out, _ = batch
    tasks = pq.read_table(out / "tasks.parquet").to_pandas()
    counts = tasks[tasks.origin == "appendix"].groupby("source_path").size()
    by_name = {Path(p).name: n for p, n in counts.items()}
    assert by_name == {**{f"{s}.txt": n for s, n in SEEDS.items()}, "copy.txt": 26}
    # the copy in nested/ is the same bytes: same doc_id, distinct source_path
    docs = pd.read_parquet(out / "documents.parquet")
    assert docs.doc_id.value_counts().max() == 2


def test_tasks_parquet_has_the_contract_columns(batch: tuple[Path, Path, int]) -> None:
    _, out, _ = batch
    schema = ds.dataset(str(out / "tasks.parquet"), partitioning="hive").schema
    assert {name: str(schema.field(name).type) for name in TASK_COLUMNS} == TASK_COLUMNS
    assert str(schema.field("milestones").type).startswith("list<element: struct<content: string")


def test_task_agencies_long_form(batch: tuple[Path, Path, int]) -> None:
    _, out, _ = batch
    agencies = pd.read_parquet(out / "task_agencies.parquet")
    assert set(agencies.columns) >= AGENCY_COLUMNS
    assert set(agencies.role) == {"lead", "support", "monitor", "mentioned"}
    tasks = pd.read_parquet(out / "tasks.parquet")
    assert set(agencies.task_id) <= set(tasks.task_id)
    lead = agencies[(agencies.role == "lead") & agencies.resolved]
    assert (lead.canonical_name == "Sở Nội vụ").sum() > 10
    # a name the registry lacks is kept whole, as printed, with no score; a cited assignment
    # or a bare title is no agency and has no canonical name
    unresolved = agencies[~agencies.resolved]
    assert (unresolved.match_score == 0).all()
    named = unresolved[unresolved.agency_kind != "not_agency"]
    assert (named.canonical_name.str.len() > 0).all()
    assert agencies[agencies.agency_kind == "not_agency"].canonical_name.isna().all()


def test_one_json_per_document_holds_the_whole_record(batch: tuple[Path, Path, int]) -> None:
    _, out, _ = batch
    docs = pd.read_parquet(out / "documents.parquet")
    files = sorted(p.stem for p in (out / "json").glob("*.json"))
    assert files == sorted(set(docs.doc_id))
    doc_id = docs[docs.doc_number == "6745/QĐ-UBND"].doc_id.iloc[0]
    record = json.loads((out / "json" / f"{doc_id}.json").read_text())
    assert sum(t["origin"] == "appendix" for t in record["tasks"]) == 43
    assert record["sections"][0]["title"] == "QUYẾT ĐỊNH"


def test_task_ids_are_unique_and_stable(batch: tuple[Path, Path, int], tmp_path: Path) -> None:
    _, out, _ = batch
    first = pd.read_parquet(out / "tasks.parquet")
    assert first.groupby("source_path").task_id.apply(lambda ids: ids.is_unique).all()
    # the same bytes under another name are the same document: same ids (dedupe on doc_id)
    copy = first[first.source_path.str.endswith("copy.txt")]
    seed = first[first.source_path.str.endswith("003_3a026ceb35acf91e.txt")]
    assert list(copy.task_id) == list(seed.task_id)
    assert main(["run", str(SAMPLES / "001_d1ea71c28f9b4230.txt"), "--out", str(tmp_path)]) == 0
    again = pd.read_parquet(tmp_path / "tasks.parquet")
    mine = first[first.source_path.str.endswith("001_d1ea71c28f9b4230.txt")]
    assert list(again.task_id) == list(mine.task_id)


def _tree(root: Path) -> dict[str, bytes]:
    """Every dataset file's bytes; the run log and the incremental state are not the dataset."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in (".vnplan", "runs")
    }


def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    inputs = [str(SAMPLES / f"{s}.txt") for s in SEEDS] + [str(SAMPLES / "docx")]
    assert main(["run", *inputs, "--out", str(a), "-q", "--workers", "2"]) == 0
    assert main(["run", *inputs, "--out", str(b), "-q", "--workers", "1"]) == 0
    first = _tree(a)
    assert "dataset.json" in first
    assert any(k.startswith("tasks.parquet/issued_year=") for k in first)
    assert first == _tree(b)
    assert main(["run", *inputs, "--out", str(a), "-q", "--full"]) == 0
    assert _tree(a) == first  # reprocessing everything writes the same bytes


def test_folder_walk_skips_notes_hidden_and_output(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "2023").mkdir(parents=True)
    (root / ".trash").mkdir()
    (root / "drafts").mkdir()
    for name in ("2023/a.txt", ".trash/b.txt", "drafts/c.txt", "notes.md", "x.json"):
        shutil.copy(SAMPLES / "003_3a026ceb35acf91e.txt", root / name)
    out = root / "out"
    assert main(["run", str(root), "--out", str(out), "-q", "--exclude", "drafts/*"]) == 0
    assert main(["run", str(root), "--out", str(out), "-q", "--exclude", "drafts/*"]) == 0
    docs = pd.read_parquet(out / "documents.parquet")
    assert [Path(p).relative_to(root).as_posix() for p in docs.source_path] == ["2023/a.txt"]
    again = tmp_path / "again"
    assert main(["run", str(root), "--out", str(again), "-q", "--include", "*.md"]) == 0
    docs = pd.read_parquet(again / "documents.parquet")
    assert [Path(p).name for p in docs.source_path] == ["notes.md"]


def _readme_line(prefix: str) -> str:
    readme = (SAMPLES.parent / "README.md").read_text("utf-8")
    return next(line for line in readme.splitlines() if line.startswith(prefix))


def test_readme_queries_run_on_the_dataset(tmp_path: Path) -> None:
    seeds = [str(SAMPLES / f"{s}.txt") for s in SEEDS]
    assert main(["run", *seeds, "--out", str(tmp_path / "out"), "-q"]) == 0
    hand_checked = sum(
        "Sở Nội vụ" in t["lead_agencies"] for s in SEEDS for t in load_expected(s)["tasks"]
    )
    duckdb_cli = '.venv/bin/duckdb -c "'  # the README's commands name the .venv's programs
    sql = _readme_line(duckdb_cli).removeprefix(duckdb_cli).removesuffix('"')
    sql = sql.replace("'out/", f"'{tmp_path}/out/")
    rows = duckdb.connect().execute(sql).fetchall()
    assert rows[0] == ("Sở Nội vụ", hand_checked)

    python = '.venv/bin/python -c "'
    code = _readme_line(python).removeprefix(python).removesuffix('"')
    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert len(printed.splitlines()) == hand_checked + 1  # header line + one line per task


def test_command_line_entry_point() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "vnplan.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == f"vnplan {__version__}"
    helped = subprocess.run(
        [sys.executable, "-m", "vnplan.cli", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--out DIR" in helped.stdout


def test_progress_and_summary_go_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(SAMPLES / "003_3a026ceb35acf91e.txt"), "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "003_3a026ceb35acf91e.txt: ok" in captured.err  # a line per file when not a terminal
    written = len(pd.read_parquet(tmp_path / "tasks.parquet"))
    assert (
        f"1 files (1 processed, 0 unchanged, 0 removed), {written} tasks, 0 failed" in captured.err
    )


def test_agencies_parquet_lists_the_registry_entries_used(batch: tuple[Path, Path, int]) -> None:
    _, out, _ = batch
    agencies = pd.read_parquet(out / "agencies.parquet").set_index("canonical_name")
    mentions_all = pd.read_parquet(out / "task_agencies.parquet")
    # every registry agency a task names is listed (a group the grammar names and a name the
    # registry lacks are not registry entries; a generic body of another province is its
    # registry name and the place: "Ủy ban nhân dân tỉnh Lào Cai")
    named = mentions_all[mentions_all.resolved & (mentions_all.agency_kind != "group")]
    for name in set(named.canonical_name):
        assert name in agencies.index or any(name.startswith(f"{a} ") for a in agencies.index)
    moved = agencies.loc["Sở Kế hoạch và Đầu tư"]
    assert (moved.successor, str(moved.valid_to)) == ("Sở Tài chính", "2025-02-28")
    assert agencies.loc["Sở Nội vụ"].mention_count > 50
    # the counts (aggregated by DuckDB over the files) match a count done here with pandas
    mentions = pd.read_parquet(out / "task_agencies.parquet").dropna(subset=["canonical_name"])
    by_name = mentions.groupby("canonical_name").task_id
    for name, row in agencies.iterrows():
        if name in by_name.groups:
            assert row.mention_count == by_name.size()[name]
            assert row.task_count == by_name.nunique()[name]


def test_unresolved_report(
    batch: tuple[Path, Path, int], capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = batch
    assert main(["agencies", str(out), "--unresolved", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    # the seeds' appendices hold one damaged mention (001:386+390), counted once per copy
    assert {"mention": "Các đơn vị sự ngành Thành phố", "role": "lead", "count": 1} in report
    assert all(r["count"] >= 1 for r in report)
    assert [r["count"] for r in report] == sorted((r["count"] for r in report), reverse=True)
    assert main(["agencies", str(out / "nowhere")]) == 2


# --------------------------------------------------------------------------- the terminal


def _with_a_failure(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(SAMPLES / "003_3a026ceb35acf91e.txt", folder / "plan.txt")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_failed_files_are_named_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _with_a_failure(tmp_path / "in")
    assert main(["run", str(src), "--out", str(tmp_path / "out"), "-q"]) == 1
    lines = capsys.readouterr().err.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("vnplan: 2 files ("))
    assert lines[at + 1 :] == [f"  failed: {src / 'empty.txt'}: empty file (0 bytes)"]
    assert not any(line.startswith("    warning:") for line in lines)  # --quiet


def test_on_a_terminal_the_bar_shows_the_current_file(tmp_path: Path) -> None:
    """stderr a terminal (a pty): a progress bar naming the file, failures by name."""
    import fcntl
    import pty
    import struct
    import termios

    src = _with_a_failure(tmp_path / "in")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))  # 160 columns
    process = subprocess.Popen(
        [sys.executable, "-m", "vnplan.cli", "run", str(src), "--out", str(tmp_path / "out")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end closed: the run is over
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 1
    screen = shown.decode("utf-8", "replace").replace("\r", "\n")
    bars = [line for line in screen.splitlines() if line.startswith("vnplan:") and "file" in line]
    assert any(line.rstrip().endswith(("plan.txt]", "empty.txt]")) for line in bars), bars
    assert f"vnplan: {src / 'empty.txt'}: failed, {src / 'empty.txt'}: empty file" in screen
    assert f"  failed: {src / 'empty.txt'}: empty file (0 bytes)" in screen


def test_warnings_name_their_place_never_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DOCX and HTML tables have no source lines: a row's place is its table row instead."""
    inputs = [str(SAMPLES / "docx" / "000_76046f262c6874d6.docx")]
    inputs.append(str(SAMPLES / "html" / "000_76046f262c6874d6.html"))
    assert main(["run", *inputs, "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    warnings = [x for x in capsys.readouterr().err.splitlines() if x.startswith("    warning: ")]
    assert any("table row " in w and "cells shifted right" in w for w in warnings), warnings
    assert not [w for w in warnings if "None" in w]
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert not [w for ws in docs.warnings for w in ws if "line None" in w or "page None" in w]
