"""Hostile and broken inputs through the real batch: each gets a clear row, none is lost, the
good file beside them is exported, time and memory stay bounded, nothing is fetched from the
network and nothing outside the input and output folders is read.

The corpus (tests/bad_inputs.py) is built into a temporary folder with one copy of a seed plan
and run once, by `vnplan.batch.run` with the default limits, in a process of its own
(tests/hostile_driver.py) whose audit hook records network calls and opens of forbidden paths,
while a listener here counts connections to the canary URL every remote reference points at.
The figures (wall time, peak RSS, per-file times) are printed and kept in REPORT.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from vnplan.cli import main
from vnplan.ingest import IngestError, load
from vnplan.ingest.archive import DEFAULT_MAX_UNZIPPED

import bad_inputs
from conftest import SAMPLES, SEEDS

SEED = "000_76046f262c6874d6"
WALL_LIMIT = 120.0  # seconds for the whole corpus on 2 workers (measured: see the report)
RSS_LIMIT_MB = 1536.0  # peak RSS of any worker
OUTSIDE = "symlink points outside the input folder"

# What must happen to each input: (status, text its error or a warning must hold).
EXPECTED: dict[str, tuple[str, str]] = {
    "truncated.pdf": ("failed", "truncated PDF: the file ends before its end-of-file marker"),
    "encrypted.pdf": ("failed", "encrypted PDF: needs a password"),
    "malformed.pdf": ("failed", "damaged PDF: its structure cannot be read"),
    "bomb.pdf": ("failed", "memory limit of 2048 MB"),
    "zip-bomb.docx": ("failed", f"over the limit of {DEFAULT_MAX_UNZIPPED}"),
    "xxe.docx": ("ok", "word/document.xml declares a DOCTYPE (XML entities): not expanded"),
    "zip-method.docx": ("failed", "damaged ZIP archive, not a readable DOCX (That compression"),
    "hostile.html": ("ok", "no appendix task table found"),
    "fields.rtf": (  # LibreOffice converts it and fetches neither field; CI installs it
        ("ok", "converted from '.rtf' with LibreOffice")
        if shutil.which("soffice")
        else ("failed", "needs LibreOffice")
    ),
    "empty.txt": ("failed", "empty file (0 bytes)"),
    "long-line.txt": ("ok", "no appendix task table found"),
    "long-table.txt": ("ok", ""),
    "mixed-utf8-cp1258.txt": ("ok", "mixed encodings: 20 of 41 lines not UTF-8, decoded as cp1258"),
    "invalid-utf8.txt": ("ok", "8 invalid UTF-8 byte sequence(s) replaced by U+FFFD"),
    "garbled-utf8.txt": ("failed", "not valid UTF-8 text (165 invalid byte sequences)"),
    "utf16-no-bom.txt": ("ok", "UTF-16 without a byte-order mark (utf-16-le)"),
    "binary.txt": ("failed", "binary content (NUL bytes): not a text document"),
    "lone-surrogates-utf16.txt": ("failed", "not valid UTF-16 text (100 invalid byte sequences)"),
    "plan.pdf": ("failed", "is a directory, not a file"),
    "passwd.txt": ("failed", f"{OUTSIDE} (/etc/passwd), not read"),
    "secret-link.txt": ("failed", OUTSIDE),
    "fifo.txt": ("failed", "is a FIFO (named pipe), not a regular file: not read"),
    "device.txt": ("failed", "is a character device, not a regular file: not read"),
    "unreadable.txt": ("failed", "cannot be read (Permission denied)"),
    "locked": ("failed", "folder cannot be read (Permission denied): the files in it are not"),
    bad_inputs.VANISHES: ("failed", "cannot be read (No such file or directory)"),
    bad_inputs.CHANGES: ("partial", "the file changed while it was read"),
}
# Root reads what has no permissions: these two are then ordinary input (one more row: the
# file in the folder). tests/test_input_faults.py runs them without root's privileges.
AS_ROOT = {"unreadable.txt", "locked"}
MOVED = {bad_inputs.VANISHES, bad_inputs.CHANGES}  # the run changes these under the batch


# --------------------------------------------------------------------------- the canary


@dataclass
class Canary:
    url: str
    hits: list[bytes] = field(default_factory=list)


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    """A listener on 127.0.0.1 that records whatever connects to it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    found = Canary(f"http://127.0.0.1:{server.getsockname()[1]}")
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    found.hits.append(connection.recv(300) or b"(connected)")
                except OSError:
                    found.hits.append(b"(connected)")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join()
    server.close()


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    folder: Path
    outside: Path
    out: Path
    report: dict[str, Any]
    documents: pd.DataFrame
    before: dict[str, str]

    def row(self, name: str) -> Any:
        rows = self.documents[self.documents.source_path == str(self.folder / name)]
        assert len(rows) == 1, f"{name}: {len(rows)} rows"
        return rows.iloc[0]


def _tree(root: Path) -> dict[str, str]:
    """Every entry under `root`: a file's SHA-256, a link's target, a folder's or a special
    file's mark (a FIFO is never opened: it would wait for a writer)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.name in MOVED:
            continue
        if path.is_symlink():
            found[str(path)] = "-> " + os.readlink(path)
        elif path.is_file():
            try:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            except PermissionError:
                found[str(path)] = "unreadable"
        else:
            found[str(path)] = "dir" if path.is_dir() else "special"
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, canary: Canary) -> Path:
    """The input folder: every bad input and a copy of a seed plan (an outside folder beside)."""
    base = tmp_path_factory.mktemp("hostile")
    bad_inputs.build(base / "in", base / "outside", canary.url)
    shutil.copy(SAMPLES / f"{SEED}.txt", base / "in" / f"{SEED}.txt")
    return base / "in"


@pytest.fixture(scope="module")
def hostile(corpus: Path) -> Run:
    folder, outside, out = corpus, corpus.parent / "outside", corpus.parent / "out"
    before = _tree(folder) | _tree(outside)
    report_path = corpus.parent / "report.json"
    forbidden = ["/etc/passwd", str(outside / "secret.txt")]
    driver = Path(__file__).with_name("hostile_driver.py")
    finished = subprocess.run(
        [sys.executable, str(driver), str(folder), str(out), str(report_path), *forbidden],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(report_path.read_text("utf-8"))
    times = sorted(
        (e for e in report["events"] if e["kind"] == "file-done"), key=lambda e: -e["seconds"]
    )
    print(
        f"\nhostile corpus: {report['files']} files, {report['failed']} failed, "
        f"{report['seconds']:.1f} s wall, worker peak RSS {report['children_peak_mb']:.0f} MB; "
        "slowest: "
        + ", ".join(
            f"{Path(e['path']).name} {e['seconds']:.1f} s ({e['mb']:.0f} MB)" for e in times[:5]
        )
    )
    documents = pd.read_parquet(out / "documents.parquet")
    return Run(folder, outside, out, report, documents, before)


def _built(run: Run) -> list[str]:
    """The names of EXPECTED this machine could make (mknod needs a privilege)."""
    return [name for name in EXPECTED if os.path.lexists(run.folder / name) or name in MOVED]


def test_every_input_has_exactly_one_row(hostile: Run) -> None:
    names = [*_built(hostile), f"{SEED}.txt"]
    if bad_inputs.ROOT:  # root lists the folder and reads its file: a row for the file
        names = [*(n for n in names if n != "locked"), "locked/inside.txt"]
    expected = {str(hostile.folder / name) for name in names}
    assert sorted(hostile.documents.source_path) == sorted(expected)
    assert hostile.report["files"] == len(expected)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_bad_input_gives_a_clear_row(hostile: Run, name: str) -> None:
    if bad_inputs.ROOT and name in AS_ROOT:
        pytest.skip("as root, no permissions do not stop a read: see tests/test_input_faults.py")
    if name not in _built(hostile):
        pytest.skip(f"{name}: this machine does not allow making it (mknod)")
    status, says = EXPECTED[name]
    row = hostile.row(name)
    assert row.status == status, (row.error, list(row.warnings))
    if status == "failed":
        assert row.error.startswith(str(hostile.folder / name) + ": ")  # names the file
        assert says in row.error
    else:
        assert pd.isna(row.error)
        assert not says or any(says in w for w in row.warnings), list(row.warnings)


def test_the_good_file_is_exported_whole(hostile: Run) -> None:
    row = hostile.row(f"{SEED}.txt")
    assert row.status == "ok" and row.doc_number == "223/KH-UBND"
    tasks = pd.read_parquet(hostile.out / "tasks.parquet")
    seed = tasks[(tasks.doc_id == row.doc_id) & (tasks.origin == "appendix")]
    assert len(seed) == SEEDS[SEED]


def test_the_long_table_keeps_every_row(hostile: Run) -> None:
    row = hostile.row("long-table.txt")
    tasks = pd.read_parquet(hostile.out / "tasks.parquet", filters=[("doc_id", "==", row.doc_id)])
    assert len(tasks) == row.task_count == 10_000
    assert list(tasks.task_no[:3]) == ["1", "2", "3"] and tasks.task_no.iloc[-1] == "10000"


def test_time_and_memory_stay_bounded(hostile: Run) -> None:
    assert hostile.report["seconds"] < WALL_LIMIT
    assert hostile.report["children_peak_mb"] < RSS_LIMIT_MB
    done = [e for e in hostile.report["events"] if e["kind"] == "file-done"]
    assert max(e["seconds"] for e in done) < WALL_LIMIT / 2


def test_nothing_touches_the_network(hostile: Run, canary: Canary) -> None:
    assert canary.hits == []
    assert [e for e in hostile.report["events"] if e["kind"] == "network"] == []


def test_nothing_outside_the_folders_is_read_or_written(hostile: Run) -> None:
    assert [e for e in hostile.report["events"] if e["kind"] == "file"] == []
    assert _tree(hostile.folder) | _tree(hostile.outside) == hostile.before
    written = [
        p.read_text("utf-8")
        for folder in (hostile.out / "json", hostile.out / ".vnplan" / "state")
        for p in folder.glob("*.json")
    ]
    assert written and not any("root:" in t or bad_inputs.SECRET in t for t in written)


# --------------------------------------------------------------------------- the guards alone


def test_xxe_entities_are_neither_expanded_nor_fetched(corpus: Path) -> None:
    raw = load(corpus / "xxe.docx")
    text = "\n".join(getattr(b, "text", "") for b in raw.blocks)
    assert "root:" not in text and bad_inputs.XXE_MARK in text  # the text around them is kept
    [external] = [w for w in raw.warnings if w.startswith("external relationships")]
    assert "attachedTemplate" in external and "image" in external


def test_scripts_and_remote_resources_of_html_are_ignored(corpus: Path) -> None:
    raw = load(corpus / "hostile.html")
    text = "\n".join(getattr(b, "text", "") for b in raw.blocks)
    assert "KẾ HOẠCH Tổ chức hội nghị" in text and "Nội dung sau thuộc tính lớn" in text
    assert "KỊCH BẢN" not in text and "xxxx" not in text


def test_a_zip_bomb_under_the_size_limit_is_refused_by_its_ratio(corpus: Path) -> None:
    with pytest.raises(IngestError, match=r"word/document.xml decompresses to \d+ bytes .*ratio"):
        load(corpus / "zip-bomb.docx", max_unzipped=4 << 30)


def test_limits_are_set_from_the_command_line(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(corpus / "xxe.docx", folder / "small.docx")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    out = tmp_path / "out"
    for _ in range(2):  # a rerun keeps the refused link's row
        code = main(["run", str(folder), "--out", str(out), "-q", "--max-unzipped-mb", "0.01"])
        assert code == 1
        docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
        assert "decompresses to" in docs.error[str(folder / "small.docx")]
        assert OUTSIDE in docs.error[str(folder / "passwd.txt")]
