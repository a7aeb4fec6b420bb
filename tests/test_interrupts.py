"""Real signals to a real `vnplan run`: Ctrl-C (SIGINT), SIGTERM, twice, and SIGKILL.

Each run is a `vnplan run` process of its own over copies of the seed plans (enough that a
signal lands mid-run), its per-file lines read as they come so that each signal is sent at a
known point: as soon as its workers exist, after the first file, after half of them. Bounds
are generous (a slow, shared 2-core machine): an interrupted run must be gone within 20 s,
its workers within 10 s of a SIGKILL; a rerun must give the dataset of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import bad_inputs
from conftest import SEEDS, dataset_tree, seed_copies

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

COPIES = 6  # 18 documents: a few seconds of work on 2 workers
EXIT_BOUND = 20.0  # seconds from the (last) signal to the run's exit
KILL_BOUND = 10.0  # seconds for the workers of a killed run to be gone
COMMAND = [sys.executable, "-m", "vnplan.cli", "run", "--workers", "2", "-q"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_copies(tmp_path_factory.mktemp("signals") / "in", COPIES)


@pytest.fixture(scope="module")
def reference(corpus: Path) -> dict[str, bytes]:
    out = corpus.parent / "reference"
    subprocess.run([*COMMAND, str(corpus), "--out", str(out)], check=True, capture_output=True)
    return dataset_tree(out)


# --------------------------------------------------------------------------- processes


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, …); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None and int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    """The processes still running (a zombie has ended: only its exit status is left)."""
    return {pid for pid in pids if (fields := _stat(pid)) is not None and fields[0] != "Z"}


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    """Waits until none of `pids` runs, at most `seconds`; the ones left."""
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(pids)


@dataclass
class Run:
    """A `vnplan run` process, its stderr read line by line by a thread."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)
    workers: set[int] = field(default_factory=set)

    def read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def until(self, files: int, timeout: float = 300.0) -> None:
        """Waits until `files` per-file lines have been printed (the workers noted meanwhile)."""
        deadline = time.monotonic() + timeout
        while sum(": ok, " in line for line in self.seen) < files:
            self.workers |= _children(self.process.pid)
            try:
                self.seen.append(self.lines.get(timeout=0.05))
            except queue.Empty:
                assert self.process.poll() is None, "".join(self.seen)
                assert time.monotonic() < deadline, f"no {files} files in {timeout} s"

    def until_workers(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.workers:
            assert self.process.poll() is None and time.monotonic() < deadline, self.seen
            self.workers |= _children(self.process.pid)
            time.sleep(0.02)

    def finish(self) -> tuple[int, float, str]:
        """(exit code, seconds it took from now, all of stderr)."""
        started = time.monotonic()
        code = self.process.wait(timeout=120)
        seconds = time.monotonic() - started
        while True:
            try:
                self.seen.append(self.lines.get(timeout=2))
            except queue.Empty:
                break
        return code, seconds, "".join(self.seen)


@pytest.fixture
def start() -> Iterator[Callable[..., Run]]:
    runs: list[Run] = []

    def launch(*args: str) -> Run:
        process = subprocess.Popen(
            [*COMMAND, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # signals from this test only, never the terminal's
        )
        run = Run(process)
        threading.Thread(target=run.read, daemon=True).start()
        runs.append(run)
        return run

    yield launch
    for run in runs:  # a failed test leaves nothing running
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait()
        for pid in _alive(run.workers):
            os.kill(pid, signal.SIGKILL)


def _whole(path: Path) -> bool:
    """A dataset file reads back: a Parquet file's footer and rows, a JSON document."""
    try:
        if path.suffix == ".parquet":
            pq.read_table(path)
        elif path.suffix == ".json":
            json.loads(path.read_bytes())
    except (OSError, ValueError, pa.ArrowInvalid):
        return False
    return True


def _rerun_matches(corpus: Path, out: Path, reference: dict[str, bytes]) -> str:
    again = subprocess.run(
        [*COMMAND, str(corpus), "--out", str(out)], capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert dataset_tree(out) == reference
    return again.stderr


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize(
    ("name", "signum", "after_files"),
    [
        ("SIGINT as soon as the workers exist", signal.SIGINT, 0),
        ("SIGINT after the first file", signal.SIGINT, 1),
        ("SIGTERM after half the files", signal.SIGTERM, len(SEEDS) * COPIES // 2),
    ],
)
def test_one_signal_winds_the_run_down_and_a_rerun_resumes(
    name: str,
    signum: int,
    after_files: int,
    corpus: Path,
    reference: dict[str, bytes],
    tmp_path: Path,
    start: Callable[..., Run],
) -> None:
    out = tmp_path / "out"
    run = start(str(corpus), "--out", str(out))
    run.until_workers()
    run.until(after_files)
    run.process.send_signal(signum)
    code, seconds, stderr = run.finish()
    print(f"\n{name}: exit {code} {seconds:.2f} s after the signal")
    assert code == 130, stderr[-2000:]
    assert seconds < EXIT_BOUND
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    [line] = [x for x in stderr.splitlines() if "interrupted" in x]
    total = len(SEEDS) * COPIES
    assert line.startswith("vnplan: interrupted: ") and line.endswith(
        f" of {total} files done; rerun to resume"
    )
    done = int(line.split()[2])
    assert after_files <= done < total
    # what finished is in a dataset of its own, each document once
    if done:
        docs = pd.read_parquet(out / "documents.parquet")
        assert len(docs) == done and docs.source_path.is_unique
    assert _gone_within(run.workers, KILL_BOUND) == set()
    summary = _rerun_matches(corpus, out, reference)
    assert f"{done} unchanged" in summary  # resumed: the finished files are not done again


def test_a_second_signal_exits_at_once_and_a_rerun_resumes(
    corpus: Path, reference: dict[str, bytes], tmp_path: Path, start: Callable[..., Run]
) -> None:
    """The dataset of an earlier run is there; a run over more files gets two Ctrl-C: it
    exits at once, and every dataset file on disk is whole (each is written to a temporary
    name and renamed, so a second Ctrl-C during the first one's export tears none)."""
    out = tmp_path / "out"
    subset = [str(corpus), "--out", str(out), "--exclude", "*-0[3-9].txt"]
    subprocess.run([*COMMAND, *subset], check=True, capture_output=True)
    earlier = dataset_tree(out)
    run = start(str(corpus), "--out", str(out))
    run.until(1)
    run.process.send_signal(signal.SIGINT)
    time.sleep(0.3)  # inside the grace: files are in flight
    run.process.send_signal(signal.SIGINT)
    code, seconds, stderr = run.finish()
    print(f"\ntwo SIGINTs: exit {code} {seconds:.2f} s after the second")
    assert code == 130 and seconds < EXIT_BOUND, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "interrupted again" in stderr or "interrupted: " in stderr  # the 2nd may come late
    assert _gone_within(run.workers, KILL_BOUND) == set()
    on_disk = {k: v for k, v in dataset_tree(out).items() if not Path(k).name.startswith(".")}
    assert set(earlier) <= set(on_disk)  # nothing of the earlier dataset is lost
    assert [k for k in on_disk if not _whole(out / k)] == []
    _rerun_matches(corpus, out, reference)


def test_a_file_still_in_flight_after_the_grace_is_stopped_and_left_for_the_rerun(
    tmp_path: Path, start: Callable[..., Run]
) -> None:
    """A 30,000-row table (about 20 s of work) is in flight when Ctrl-C comes: after a grace
    of half a second its worker is stopped; the run exits, the file has no row yet."""
    folder = seed_copies(tmp_path / "in", 2)
    (folder / "000-long-table.txt").write_bytes(bad_inputs.long_table(30_000))
    out = tmp_path / "out"
    run = start(str(folder), "--out", str(out), "--grace", "0.5")
    run.until(1)
    run.process.send_signal(signal.SIGINT)
    code, seconds, stderr = run.finish()
    print(f"\nlong file in flight, grace 0.5 s: exit {code} {seconds:.2f} s after the signal")
    assert code == 130 and seconds < EXIT_BOUND, stderr[-2000:]
    docs = pd.read_parquet(out / "documents.parquet")
    assert not docs.source_path.str.endswith("000-long-table.txt").any()
    assert _gone_within(run.workers, KILL_BOUND) == set()


def test_workers_of_a_killed_run_exit_within_seconds(
    corpus: Path, tmp_path: Path, start: Callable[..., Run]
) -> None:
    run = start(str(corpus), "--out", str(tmp_path / "out"))
    run.until(1)
    workers = run.workers | _children(run.process.pid)
    assert workers, "no worker process seen"
    started = time.monotonic()
    run.process.kill()  # SIGKILL to the run alone: its workers must notice by themselves
    run.process.wait()
    left = _gone_within(workers, KILL_BOUND)
    print(f"\nSIGKILL: {len(workers)} workers gone {time.monotonic() - started:.2f} s later")
    assert left == set()
