"""Ctrl-C and SIGTERM during a run: the first winds the run down, the second ends it at once.

The first signal only sets a flag: the batch stops giving out files, lets the files in flight
finish within a grace period (then stops their workers), stores what finished, writes the
dataset for it and returns `interrupted`. The second signal runs `on_second` (stop the
workers, say so) and leaves with EXIT_INTERRUPTED straight away: every file of the dataset is
written to a temporary name and renamed, so what is on disk is the last dataset written
whole, and the finished documents' state lets a rerun resume.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

GRACE_SECONDS = 5.0  # after Ctrl-C, how long the files in flight may take to finish

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report an interrupted command
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupt:
    """The run's handler for SIGINT and SIGTERM (installed from the main thread only)."""

    def __init__(self) -> None:
        self.requested = False
        self.signum: int | None = None
        self.on_second: Callable[[], None] | None = None
        self._previous: dict[int, object] = {}

    def install(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def restore(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous.clear()

    def __call__(self) -> bool:
        return self.requested

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            try:
                if self.on_second is not None:
                    self.on_second()
            finally:
                os._exit(EXIT_INTERRUPTED)
        self.requested, self.signum = True, signum


def say(line: str) -> None:
    """One line on stderr from a signal handler: no buffered stream, no lock to deadlock on."""
    with contextlib.suppress(OSError):
        os.write(2, (line.rstrip("\n") + "\n").encode("utf-8", "replace"))
