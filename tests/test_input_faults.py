"""Faults of the input that are not its bytes: each is a row, none stops or hangs the batch.

A file or folder without read permission (as root, whom permissions do not stop, the run is
made without the capabilities that override them, so that the read really fails), a FIFO and
devices, files that vanish or change during the run, an `--out` that cannot be the output
folder, and a scanned page that could not be read (Tesseract missing): `partial`, not `ok`.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from vnplan import batch, engines
from vnplan.batch import CHANGED, Limits
from vnplan.cli import main
from vnplan.pipeline import regular_sha256

from conftest import SAMPLES, SEEDS

ROOT = os.geteuid() == 0
SEED = "003_3a026ceb35acf91e"
PR_CAPBSET_DROP = 24  # linux/prctl.h
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2  # linux/capability.h


def _without_overrides() -> None:
    """In the child before exec: root loses the capabilities that ignore file permissions
    (from the bounding set, so that exec cannot give them back) and reads as others do."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _unprivileged(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    preexec = _without_overrides if ROOT else None
    return subprocess.run(command, capture_output=True, text=True, preexec_fn=preexec, **options)


def test_an_unreadable_file_and_folder_each_give_a_row_and_the_rest_completes(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in"
    (source / "locked").mkdir(parents=True)
    for stem in SEEDS:
        shutil.copy(SAMPLES / f"{stem}.txt", source / f"{stem}.txt")
    shutil.copy(SAMPLES / f"{SEED}.txt", source / "locked" / "inside.txt")
    shutil.copy(SAMPLES / f"{SEED}.txt", source / "secret.txt")
    (source / "secret.txt").chmod(0)
    (source / "locked").chmod(0)
    out = tmp_path / "out"
    try:
        probe = _unprivileged([sys.executable, "-c", f"open({str(source / 'secret.txt')!r})"])
    except (OSError, subprocess.SubprocessError) as exc:  # no CAP_SETPCAP to give them up
        pytest.skip(f"cannot give up root's file capabilities here: {exc}")
    assert "PermissionError" in probe.stderr  # the fault is real
    finished = _unprivileged(
        [sys.executable, "-m", "vnplan.cli", "run", str(source), "--out", str(out), "-q"],
        timeout=600,
    )
    for path in (source / "secret.txt", source / "locked"):
        path.chmod(0o755)  # for pytest to clean up
    assert finished.returncode == 1, finished.stderr[-2000:]  # some failed, the run went on
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    errors = docs.error.dropna().to_dict()
    assert errors == {
        str(source / "secret.txt"): f"{source / 'secret.txt'}: cannot be read (Permission denied)",
        str(source / "locked"): f"{source / 'locked'}: folder cannot be read (Permission denied):"
        " the files in it are not in this run",
    }
    for stem, tasks in SEEDS.items():
        row = docs.loc[str(source / f"{stem}.txt")]
        assert row.status == "ok" and row.task_count >= tasks
    # the summary names both
    failed = [line for line in finished.stderr.splitlines() if line.startswith("  failed: ")]
    assert sorted(failed) == sorted(f"  failed: {e}" for e in errors.values())


def test_fifos_and_devices_are_rows_and_never_hang(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(SAMPLES / f"{SEED}.txt", source / "plan.txt")
    os.mkfifo(source / "pipe.txt")  # found in a folder: reading it would wait for a writer
    named = [str(source), "/dev/zero", "/dev/null"]  # named: endless, and empty
    out = tmp_path / "out"
    finished = subprocess.run(
        [sys.executable, "-m", "vnplan.cli", "run", *named, "--out", str(out), "--log-json"],
        capture_output=True,
        text=True,
        timeout=300,  # a hang is a failure, not a stuck test run
    )
    assert finished.returncode == 1, finished.stderr[-2000:]
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    assert docs.error.dropna().to_dict() == {
        str(source / "pipe.txt"): f"{source / 'pipe.txt'}: is a FIFO (named pipe), not a "
        "regular file: not read",
        "/dev/zero": "/dev/zero: is a character device, not a regular file: not read",
        "/dev/null": "/dev/null: is a character device, not a regular file: not read",
    }
    assert docs.loc[str(source / "plan.txt")].status == "ok"
    summary = next(json.loads(x) for x in finished.stderr.splitlines() if '"summary"' in x)
    assert sorted(f["path"] for f in summary["failures"]) == sorted(
        [str(source / "pipe.txt"), "/dev/zero", "/dev/null"]
    )


def test_hashing_an_unreadable_path_never_stops_the_batch(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "folder.txt").mkdir()
    paths = [tmp_path / "pipe.txt", tmp_path / "folder.txt", tmp_path / "missing.txt"]
    assert [regular_sha256(p) for p in paths] == [None, None, None]
    todo, unchanged, _ = batch.Batch(tmp_path / "out").plan([str(p) for p in paths])
    assert (todo, unchanged) == ([str(p) for p in paths], [])


# --------------------------------------------------------------------------- during the run


def vanishing_worker(path: str, limits: Limits) -> tuple[str, bytes]:
    """Removes one file before reading it, and one after."""
    if path.endswith("gone-before.txt"):
        os.unlink(path)
    result = engines.work(path, limits)
    if path.endswith("gone-after.txt"):
        os.unlink(path)
    return result


def changing_worker(path: str, limits: Limits) -> tuple[str, bytes]:
    """Rewrites a file after reading it, as a user saving it at that moment would."""
    result = engines.work(path, limits)
    if path.endswith("changed.txt"):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("Sửa đổi.\n")
    return result


def _folder(folder: Path, *names: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / f"{SEED}.txt", folder / name)
    return [str(folder / name) for name in names]


def test_files_that_vanish_during_the_run_are_rows(tmp_path: Path) -> None:
    paths = _folder(tmp_path / "in", "gone-before.txt", "gone-after.txt", "plan.txt")
    out = tmp_path / "out"
    summary = batch.run(paths, out, workers=2, worker=vanishing_worker)
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    before = docs.loc[paths[0]]
    assert before.status == "failed" and "cannot be read (No such file" in before.error
    assert docs.loc[paths[1]].status == "ok"  # read whole before it went: its row stands
    assert (summary.processed, summary.failed) == (3, 1)
    again = batch.run([paths[2]], out, workers=1)  # the next run lists only what is there
    assert (again.reused, again.removed) == (1, 2)


def test_a_file_changed_while_it_was_read_is_partial_and_read_again(tmp_path: Path) -> None:
    paths = _folder(tmp_path / "in", "changed.txt", "plan.txt")
    out = tmp_path / "out"
    batch.run(paths, out, workers=2, worker=changing_worker)
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    changed = docs.loc[paths[0]]
    assert changed.status == "partial" and CHANGED in list(changed.warnings)
    assert docs.loc[paths[1]].status == "ok"
    again = batch.run(paths, out, workers=1)
    assert (again.processed, again.reused) == (1, 1)  # the changed file only
    docs = pd.read_parquet(out / "documents.parquet").set_index("source_path")
    assert docs.loc[paths[0]].status == "ok" and CHANGED not in list(docs.loc[paths[0]].warnings)


# --------------------------------------------------------------------------- --out


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("a file", "is a file: give a folder"),
        ("inside a file", "is inside"),
        ("the input folder", "holds the input"),
        ("a folder holding the input", "holds the input"),
    ],
)
def test_an_out_that_cannot_be_the_output_folder_is_one_line_before_any_work(
    where: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "data" / "in"
    _folder(source, "plan.txt")
    (tmp_path / "notes.txt").write_text("not a folder\n")
    out = {
        "a file": tmp_path / "notes.txt",
        "inside a file": tmp_path / "notes.txt" / "out",
        "the input folder": source,
        "a folder holding the input": tmp_path / "data",
    }[where]
    before = sorted(tmp_path.rglob("*"))
    assert main(["run", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"vnplan: --out {out} ") and says in err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, nothing read


def test_an_out_inside_the_input_folder_is_a_warning_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in"
    _folder(source, "plan.txt")
    out = source / "dataset"
    for _ in range(2):  # the second run would read the first one's output if it were not skipped
        assert main(["run", str(source), "--out", str(out), "-q"]) == 0
        err = capsys.readouterr().err
        assert f"vnplan: warning: --out {out} is inside the input folder {source}" in err
    docs = pd.read_parquet(out / "documents.parquet")
    assert list(docs.source_path) == [str(source / "plan.txt")]


# --------------------------------------------------------------------------- partial pages


def test_a_page_that_could_not_be_read_makes_the_document_partial(tmp_path: Path) -> None:
    """A PDF with one scanned page among text pages, read where Tesseract is missing."""
    mixed = SAMPLES / "scan" / f"{SEED}-mixed.pdf"
    empty_path = tmp_path / "bin"
    empty_path.mkdir()  # PATH without tesseract (the interpreter is named in full)
    out = tmp_path / "out"
    finished = subprocess.run(
        [sys.executable, "-m", "vnplan.cli", "run", str(mixed), "--out", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PATH": str(empty_path)},
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    [row] = pd.read_parquet(out / "documents.parquet").itertuples()
    assert row.status == "partial", list(row.warnings)
    assert any("OCR failed" in w and w.startswith("page ") for w in row.warnings)
    assert row.task_count > 0  # the pages with a text layer are read
