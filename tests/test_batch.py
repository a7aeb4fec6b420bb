"""Batch runs: incremental reruns, SIGKILL at random points, Dask, limits, dying workers."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from vnplan import batch, engines
from vnplan.batch import Limits
from vnplan.cli import main
from vnplan.models import Document

from conftest import SAMPLES, SEEDS, dataset_tree, seed_copies


def test_incremental_reruns(tmp_path: Path) -> None:
    src, out = seed_copies(tmp_path / "in", 2), tmp_path / "out"
    first = batch.run([str(p) for p in sorted(src.iterdir())], out, workers=2)
    assert (first.processed, first.reused, first.failed) == (6, 0, 0)
    before = dataset_tree(out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet") if p.is_file()}

    again = batch.run([str(p) for p in sorted(src.iterdir())], out, workers=2)
    assert (again.processed, again.reused, again.partitions_written) == (0, 6, 0)
    assert dataset_tree(out) == before  # nothing rewritten
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps

    changed = src / "003_3a026ceb35acf91e-01.txt"
    changed.write_text(changed.read_text("utf-8") + "Sửa đổi.\n", "utf-8")
    (src / "000_76046f262c6874d6-00.txt").unlink()
    third = batch.run([str(p) for p in sorted(src.iterdir())], out, workers=2)
    assert (third.processed, third.reused, third.removed) == (1, 4, 1)
    docs = pd.read_parquet(out / "documents.parquet")
    assert len(docs) == 5 and not docs.source_path.str.endswith("000_76046f262c6874d6-00.txt").any()
    assert len(list((out / "json").glob("*.json"))) == 5
    # only the 2018 partition held a changed file; 2023 lost one, so both were rewritten,
    # and the tables still hold each document exactly once
    tasks = pd.read_parquet(out / "tasks.parquet")
    assert tasks.groupby("doc_id").task_id.apply(lambda ids: ids.is_unique).all()
    assert set(tasks.doc_id) == set(docs.doc_id)


def test_unchanged_rerun_processes_nothing_even_after_a_touch(tmp_path: Path) -> None:
    src, out = seed_copies(tmp_path / "in", 1), tmp_path / "out"
    batch.run([str(p) for p in sorted(src.iterdir())], out, workers=1)
    before = dataset_tree(out)
    for path in src.iterdir():
        os.utime(path)  # new mtime, same bytes: hashed, found unchanged, not reprocessed
    summary = batch.run([str(p) for p in sorted(src.iterdir())], out, workers=1)
    assert (summary.processed, summary.reused) == (0, 3)
    assert dataset_tree(out) == before


def test_sigkill_at_three_random_points_then_rerun_gives_the_same_dataset(tmp_path: Path) -> None:
    src = seed_copies(tmp_path / "in", 4)  # 12 documents
    reference, out = tmp_path / "reference", tmp_path / "out"
    command = [sys.executable, "-m", "vnplan.cli", "run", str(src), "-q", "--workers", "2"]
    subprocess.run([*command, "--out", str(reference)], check=True, capture_output=True)
    started = time.monotonic()
    subprocess.run([*command, "--out", str(tmp_path / "timing")], check=True, capture_output=True)
    full_run = time.monotonic() - started
    rng = random.Random(20231231)
    for _ in range(3):
        process = subprocess.Popen(
            [*command, "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.2, 0.9) * full_run)
        os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, mid-flight
        process.wait()
    finished = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert dataset_tree(out) == dataset_tree(reference)
    tasks = pd.read_parquet(out / "tasks.parquet")
    assert tasks.task_id.is_unique  # each document's records exactly once


def test_dask_gives_the_same_dataset_as_local_processes(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    src = seed_copies(tmp_path / "in", 1)
    paths = [str(p) for p in sorted(src.iterdir())]
    batch.run(paths, tmp_path / "local", workers=2)
    summary = batch.run(paths, tmp_path / "dask", engine="dask")  # a LocalCluster
    assert summary.processed == 3
    assert dataset_tree(tmp_path / "dask") == dataset_tree(tmp_path / "local")


def test_limits_turn_a_file_into_a_failed_row(tmp_path: Path) -> None:
    seed = str(SAMPLES / "001_d1ea71c28f9b4230.txt")
    slow = batch.run([seed], tmp_path / "a", workers=1, limits=Limits(timeout=0.001))
    assert "exceeded the time limit of 0.001 s" in slow.failures[0]["error"]
    big = batch.run([seed], tmp_path / "b", workers=1, limits=Limits(max_bytes=1000))
    assert "exceeds the limit of 1000" in big.failures[0]["error"]
    docs = pd.read_parquet(tmp_path / "b" / "documents.parquet")
    assert list(docs.status) == ["failed"]


def dying_worker(path: str, limits: Limits) -> tuple[str, bytes]:
    """A worker that dies (as on an out-of-memory kill) on one file."""
    if path.endswith("-01.txt"):
        os._exit(137)
    return engines.work(path, limits)


def test_a_dying_worker_takes_down_only_its_file(tmp_path: Path) -> None:
    src = seed_copies(tmp_path / "in", 2)
    paths = [str(p) for p in sorted(src.iterdir())]
    summary = batch.run(paths, tmp_path / "out", workers=2, worker=dying_worker)
    dead = sorted(f["path"] for f in summary.failures)
    assert dead == sorted(p for p in paths if p.endswith("-01.txt"))
    assert all("worker died" in f["error"] for f in summary.failures)
    assert summary.processed == 6 and summary.failed == 3


def test_run_summary_exit_codes_and_json_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = seed_copies(tmp_path / "in", 1)
    (src / "empty.txt").write_bytes(b"")
    assert main(["run", str(src), "--out", str(tmp_path / "out"), "--log-json"]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    files = [x for x in lines if x["event"] == "file"]
    assert len(files) == 4 and {x["status"] for x in files} == {"ok", "failed"}
    summary = next(x for x in lines if x["event"] == "summary")
    assert (summary["files"], summary["failed"]) == (4, 1)
    [log] = list((tmp_path / "out" / "runs").glob("*.json"))
    record = json.loads(log.read_text())
    assert record["failures"][0]["path"].endswith("empty.txt") and record["seconds"] > 0
    (tmp_path / "empty-folder").mkdir()  # no documents at all: the run itself fails
    assert main(["run", str(tmp_path / "empty-folder"), "--out", str(tmp_path / "o2")]) == 2


def test_dataset_layout_is_readable_as_one_table(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "out"
    batch.run([str(SAMPLES / f"{s}.txt") for s in SEEDS], out, workers=2)
    info = json.loads((out / "dataset.json").read_text())
    assert info["partition_key"] == "issued_year" and info["partitions"] == ["2018", "2023"]
    pandas_rows = len(pd.read_parquet(out / "tasks.parquet"))
    duck = duckdb.sql(
        f"SELECT count(*), count(DISTINCT issued_year) FROM "
        f"read_parquet('{out}/tasks.parquet/**/*.parquet', hive_partitioning = true)"
    ).fetchall()[0]
    assert duck == (pandas_rows, 2) and pandas_rows == info["tables"]["tasks"]
    shutil.rmtree(out / "tasks.parquet" / "issued_year=2018")
    assert batch.run([str(SAMPLES / f"{s}.txt") for s in SEEDS], out).partitions_written == 1


def test_a_partition_is_written_a_row_group_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_docs: dict[str, Document]
) -> None:
    """A large partition streams out in row groups (one document in memory at a time) and
    reads back as the same table as one written whole."""
    import pyarrow.parquet as pq

    from vnplan.export import dataset

    docs = list(seed_docs.values())
    whole = dataset.write_partition(tmp_path / "whole", "2023", docs)
    monkeypatch.setattr(dataset, "ROW_GROUP", 7)
    ordered = sorted(docs, key=lambda d: (d.source_path, d.doc_id))
    streamed = dataset.write_partition(tmp_path / "streamed", "2023", iter(ordered), ordered=True)
    assert streamed == whole and whole["tasks"] > 100
    for table in dataset.PARTITIONED:
        part = f"{table}.parquet/issued_year=2023/part-0.parquet"
        a, b = (
            pq.ParquetFile(tmp_path / "whole" / part),
            pq.ParquetFile(tmp_path / "streamed" / part),
        )
        assert a.read().equals(b.read())
    tasks = pq.ParquetFile(tmp_path / "streamed" / "tasks.parquet/issued_year=2023/part-0.parquet")
    assert tasks.metadata.num_row_groups == len(docs)  # each seed has > 7 tasks: a group each
