"""How the files' work runs: each file in a worker process under the run's limits (time,
memory, size, pages), on local worker processes one file at a time, or on a Dask cluster.

`batch.py` decides what needs work and stores what comes back; this module only runs it.
"""

from __future__ import annotations

import resource
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vnplan.export import document_json
from vnplan.interrupt import GRACE_SECONDS
from vnplan.models import Document
from vnplan.pipeline import failed_document, process_file
from vnplan.workers import Died, Done, Pool

if TYPE_CHECKING:  # batch imports this module: its types only, for the annotations
    from vnplan.batch import Batch, Limits

POLL_SECONDS = 0.2  # how often the run looks at its workers (and at a Ctrl-C)
# A worker stuck in native code does not see its own alarm: stopped from outside this much later
OVERTIME_SECONDS = 30.0
Stop = Callable[[], bool]


class _Timeout(BaseException):  # not an Exception: the pipeline must not catch it
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _address_space() -> int:
    """This process's address space in bytes (Linux /proc), or 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _init_worker(limits: Limits) -> None:
    """Each worker process: a memory ceiling (signals: vnplan.workers).

    The ceiling is on the address space the worker may add to what it was forked with: a
    forked worker inherits its parent's (a test runner's or an application's may be large),
    and the file's work should get the same room whoever started the run.
    """
    if limits.max_memory_mb:
        ceiling = _address_space() + limits.max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def work(path: str, limits: Limits) -> tuple[str, bytes]:
    """Process one file inside a worker; returns (path, Document JSON). Never raises."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0
    if size > limits.max_bytes:
        doc = failed_document(path, f"{path}: {size} bytes exceeds the limit of {limits.max_bytes}")
        return path, document_json(doc)
    use_alarm = limits.timeout > 0 and hasattr(signal, "setitimer")
    if use_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limits.timeout)
    try:
        doc = process_file(path, limits.max_unzipped)
    except _Timeout:
        doc = failed_document(path, f"{path}: exceeded the time limit of {limits.timeout:g} s")
    except MemoryError:
        doc = failed_document(
            path, f"{path}: exceeded the memory limit of {limits.max_memory_mb} MB"
        )
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    if doc.page_count and doc.page_count > limits.max_pages:
        doc = failed_document(
            path, f"{path}: {doc.page_count} pages exceeds the limit of {limits.max_pages}"
        )
    return path, document_json(doc)


Worker = Callable[[str, "Limits"], tuple[str, bytes]]


def _died(path: str, limits: Limits) -> bytes:
    ceiling = limits.max_memory_mb
    memory = f"over the memory limit of {ceiling} MB" if ceiling else "memory"
    reason = f"{path}: the worker died ({memory}, or a crash in a native library)"
    return document_json(failed_document(path, reason))


def _overtime(path: str, limits: Limits) -> bytes:
    reason = f"{path}: exceeded the time limit of {limits.timeout:g} s (its worker was stopped)"
    return document_json(failed_document(path, reason))


@dataclass(frozen=True)
class _Task:
    """One file's work in a worker process (picklable, for any start method)."""

    worker: Worker
    limits: Limits

    def __call__(self, path: str) -> tuple[str, bytes]:
        return self.worker(path, self.limits)


@dataclass
class Hooks:
    """What a run tells its caller, and asks it: a file started, a file done, stop now?"""

    on_done: Callable[[Document], None]
    on_start: Callable[[str], None]
    stop: Stop
    grace: float = GRACE_SECONDS
    pools: list[Pool] = field(default_factory=list)  # for the second Ctrl-C to stop at once


def run_local(todo: list[str], batch: Batch, workers: int, worker: Worker, hooks: Hooks) -> None:
    """One file per worker at a time; a worker that dies takes down only its file.

    After a stop request no file is started; the files in flight get `hooks.grace` seconds,
    then their workers are killed and the files left unrecorded for the next run.
    """
    limits = batch.limits
    queue = deque(todo)
    pool = Pool(min(workers, len(todo)), _Task(worker, limits), partial(_init_worker, limits))
    hooks.pools.append(pool)
    overtime = limits.timeout + OVERTIME_SECONDS if limits.timeout > 0 else None
    deadline: float | None = None

    def fill() -> None:
        while queue and pool.has_room() and not hooks.stop():
            path = queue.popleft()
            hooks.on_start(path)
            pool.submit(path)

    try:
        while queue or pool.busy():
            if hooks.stop():
                queue.clear()
                deadline = deadline or time.monotonic() + hooks.grace
                if time.monotonic() >= deadline:
                    break
            fill()
            events = pool.wait(POLL_SECONDS)
            fill()  # freed workers start on their next file while the results are stored
            for event in events:
                if isinstance(event, Done):
                    hooks.on_done(batch.finish(event.path, event.payload))
                elif isinstance(event, Died) and not hooks.stop():
                    # after a stop request a death is the run's own doing: left to the next run
                    hooks.on_done(batch.finish(event.path, _died(event.path, limits)))
            for slot in pool.busy() if overtime else []:
                if slot.path and time.monotonic() - slot.started > (overtime or 0):
                    path = slot.path
                    pool.kill(slot)
                    hooks.on_done(batch.finish(path, _overtime(path, limits)))
    finally:
        pool.close()


def run_dask(
    todo: list[str], batch: Batch, scheduler: str | None, worker: Worker, hooks: Hooks
) -> None:
    """The same work on a Dask cluster: `scheduler` address, or a local cluster if None."""
    from dask.distributed import Client, LocalCluster, wait

    cluster = None if scheduler else LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
    client = Client(scheduler or cluster)
    try:
        # Worker threads take no signals, and a ceiling would bind the whole Dask worker: time
        # and memory are the cluster's own business (its worker lifetime and memory options).
        limits = replace(batch.limits, timeout=0, max_memory_mb=0)
        pending = set(client.map(worker, todo, limits=limits, pure=False))
        deadline: float | None = None
        while pending:
            if hooks.stop():
                deadline = deadline or time.monotonic() + hooks.grace
                if time.monotonic() >= deadline:
                    client.cancel(list(pending))
                    break
            try:
                finished, pending = wait(pending, POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for future in finished:
                path, payload = future.result()
                hooks.on_done(batch.finish(path, payload))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
