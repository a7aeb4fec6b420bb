"""Worker processes of the local engine: one file at a time each, stopped with what they run.

Why not `concurrent.futures.ProcessPoolExecutor`: it queues work ahead (a file queued is run
even after Ctrl-C), it cannot stop one worker, and a worker's death breaks the whole pool
without saying which file killed it. Here each worker holds one file, so the parent knows
which file each is on, can stop any of them, and a death takes down exactly one file.

Each worker:
- runs in a process group of its own, so that a terminal's Ctrl-C reaches only the run (which
  decides what to do) and the programs a worker starts (tesseract, soffice) are stopped with it;
- ignores SIGINT and SIGTERM (systemd sends SIGTERM to every process of the unit): only the
  run stops it, with SIGKILL to its group;
- dies with the run: on Linux the kernel sends it SIGKILL when the run dies (PR_SET_PDEATHSIG),
  and a watchdog thread checks every half second that its parent is still the run (where
  prctl is missing, or if the run died before it was set) and then kills its group.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 0.5
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}

Task = Callable[[str], tuple[str, bytes]]


def _die_with(parent: int) -> None:
    """Exit when `parent` does: a parent-death signal where Linux offers one, and a watchdog."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the run died before the signal was asked for
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="vnplan-watchdog").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    with contextlib.suppress(OSError):
        os.killpg(0, signal.SIGKILL)  # this worker and the programs it runs
    os._exit(1)


def _serve(conn: mpc.Connection, task: Task, parent: int, init: Callable[[], None]) -> None:
    """A worker's life: paths in, (path, payload) out, until told to stop or orphaned."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _die_with(parent)  # before `init`: its memory ceiling must leave room for this thread
    init()
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        conn.send(task(path))


@dataclass
class Slot:
    """One worker process and the file it holds (None: idle)."""

    process: Any  # multiprocessing.Process (its context's class)
    conn: mpc.Connection
    path: str | None = None
    started: float = 0.0


@dataclass(frozen=True)
class Done:
    path: str
    payload: bytes


@dataclass(frozen=True)
class Died:
    path: str
    exitcode: int | None


Event = Done | Died


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT/SIGTERM held back while forking: the child must not run the run's handlers."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class Pool:
    """Up to `size` workers, each given one path at a time."""

    def __init__(self, size: int, task: Task, init: Callable[[], None]) -> None:
        self.size = max(1, size)
        self.task = task
        self.init = init
        self.slots: list[Slot] = []
        self._context = mp.get_context()

    def _start(self) -> Slot:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(theirs, self.task, os.getpid(), self.init),
            daemon=True,
            name="vnplan-worker",
        )
        with _signals_blocked():
            process.start()
        theirs.close()
        pid = process.pid
        assert pid is not None  # started
        with contextlib.suppress(OSError):  # also here: no race with an early killpg
            os.setpgid(pid, pid)
        slot = Slot(process, ours)
        self.slots.append(slot)
        return slot

    def busy(self) -> list[Slot]:
        return [s for s in self.slots if s.path is not None]

    def submit(self, path: str) -> None:
        """Give `path` to an idle worker (started if fewer than `size` are alive)."""
        idle = [s for s in self.slots if s.path is None]
        slot = idle[0] if idle else self._start()
        slot.path, slot.started = path, time.monotonic()
        slot.conn.send(path)

    def has_room(self) -> bool:
        return len(self.busy()) < self.size

    def wait(self, timeout: float) -> list[Event]:
        """Results and deaths within `timeout` seconds (a dead worker's slot is removed)."""
        watched: list[Any] = [s.conn for s in self.busy()] + [
            s.process.sentinel for s in self.slots
        ]
        if not watched:
            return []
        ready = set(mpc.wait(watched, timeout))
        events: list[Event] = []
        for slot in list(self.slots):
            if slot.path is not None and slot.conn in ready:
                try:
                    path, payload = slot.conn.recv()
                except (EOFError, OSError):
                    pass  # it died while sending: its sentinel says so below
                else:
                    events.append(Done(path, payload))
                    slot.path = None
                    continue
            if slot.process.sentinel in ready or not slot.process.is_alive():
                slot.process.join()
                if slot.path is not None:
                    events.append(Died(slot.path, slot.process.exitcode))
                self._drop(slot)
        return events

    def kill(self, slot: Slot) -> None:
        """Stop one worker and the programs it runs, at once."""
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(OSError):
                kill(slot.process.pid, signal.SIGKILL)
                break
        slot.process.join()
        self._drop(slot)

    def kill_now(self) -> None:
        """From a signal handler: SIGKILL to every worker group, no waiting."""
        for slot in self.slots:
            with contextlib.suppress(OSError):
                os.killpg(slot.process.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(slot.process.pid, signal.SIGKILL)

    def close(self) -> None:
        """Idle workers are told to stop, busy ones killed; every one is reaped."""
        for slot in list(self.slots):
            if slot.path is None:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
                slot.process.join(timeout=2)
            if slot.process.is_alive():
                self.kill(slot)
            else:
                slot.process.join()
                self._drop(slot)

    def _drop(self, slot: Slot) -> None:
        slot.conn.close()
        if slot in self.slots:
            self.slots.remove(slot)
