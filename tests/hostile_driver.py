"""Run the real batch over a folder of hostile inputs and watch it: tests/test_hostile.py.

    python tests/hostile_driver.py IN OUT REPORT.json FORBIDDEN...

In a process of its own, so that its memory figures are its own: an audit hook (inherited by
the forked workers) records every Python-level network call and every open() of a FORBIDDEN
path; each file's time and its worker's peak RSS are recorded as it finishes; the report gives
the run's summary, wall time and the peak RSS of the workers (reaped children).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from vnplan import batch, engines
from vnplan.batch import Limits
from vnplan.pipeline import discover

import bad_inputs

NETWORK_EVENTS = {
    "socket.connect",
    "socket.sendto",
    "socket.sendmsg",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "urllib.Request",
    "http.client.connect",
}
LOG_FD = -1
FORBIDDEN: set[str] = set()


def _log(record: dict[str, Any]) -> None:
    os.write(LOG_FD, (json.dumps(record, default=str) + "\n").encode())


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in NETWORK_EVENTS:
        _log({"kind": "network", "event": event, "args": repr(args)[:200]})
    elif event == "open" and isinstance(args[0], str | bytes):
        path = os.fsdecode(args[0])
        if path in FORBIDDEN or os.path.realpath(path) in FORBIDDEN:
            _log({"kind": "file", "event": event, "path": path})


def measured(path: str, limits: Limits) -> tuple[str, bytes]:
    """The real worker, timed; the worker's peak RSS so far (a bound for this file's)."""
    started = time.monotonic()
    result = engines.work(path, limits)
    if Path(path).name == bad_inputs.CHANGES:  # as if someone saved it while it was read
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("Sửa đổi sau khi đọc.\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _log({"kind": "file-done", "path": path, "seconds": time.monotonic() - started, "mb": peak})
    return result


def main() -> None:
    global LOG_FD
    folder, out, report = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    FORBIDDEN.update(os.path.realpath(p) for p in sys.argv[4:])
    events = report.with_suffix(".events")
    LOG_FD = os.open(events, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    sys.addaudithook(_audit)
    started = time.monotonic()
    refused: dict[str, str] = {}
    files = list(discover([str(folder)], out, refused=refused))
    (folder / bad_inputs.VANISHES).unlink()  # listed, then gone before any worker reads it
    summary = batch.run(files, out, workers=2, worker=measured, refused=refused)
    seconds = time.monotonic() - started
    lines = events.read_text("utf-8").splitlines()
    report.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "parent_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "failed": summary.failed,
                "files": summary.files,
                "events": [json.loads(line) for line in lines],
            },
            indent=1,
        ),
        "utf-8",
    )


if __name__ == "__main__":
    main()
