"""Batch runs: parallel, incremental, crash-safe, on local processes or a Dask cluster.

State lives in `OUT/.vnplan/`:
- `state/<key>.json` — one finished document per source path (the normalized Document), written
  atomically as soon as its worker returns. It is the truth: a killed run loses at most the
  files in flight, and the next run finds every finished one again by content hash.
- `manifest.json` — an index: per source path its hash, size, mtime, doc_id, partition and
  pipeline version, and per partition a fingerprint of its documents. A file whose size and
  mtime are unchanged is not read again; a partition whose fingerprint is unchanged is not
  rewritten, so an unchanged rerun writes nothing.

The dataset is then brought up to date partition by partition (vnplan.export).

Ctrl-C or SIGTERM (vnplan.interrupt): no new file is started, the files in flight get
`grace` seconds to finish (then their workers are stopped and the files left to the next
run), what finished is stored and the dataset written for it; the summary says `interrupted`.
A file that cannot be read, vanishes or changes while it is read is a row like any other.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vnplan import __version__
from vnplan.engines import Hooks, Stop, Worker, run_dask, run_local, work
from vnplan.export import (
    SCHEMA_VERSION,
    document_json,
    migrate_layout,
    partition_of,
    remove_partition,
    write_agencies,
    write_atomic,
    write_dataset_info,
    write_partition,
)
from vnplan.ingest.archive import DEFAULT_MAX_UNZIPPED
from vnplan.interrupt import GRACE_SECONDS, Interrupt, say
from vnplan.models import Document, DocumentStatus
from vnplan.normalize import registry_records
from vnplan.pipeline import failed_document, regular_sha256

STATE_DIR = ".vnplan"
MANIFEST_FLUSH_SECONDS = 2.0
CHANGED = (
    "the file changed while it was read: this row may mix two versions; the next run reads it again"
)


@dataclass(frozen=True)
class Limits:
    """Guards that keep one pathological file from stalling or sinking the night."""

    timeout: float = 300.0  # seconds per file (local engine)
    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 2000
    # Address space a worker may add to what it starts with; 0 = no limit. OCR adds about
    # 1.1 GB; a PDF stream that inflates to gigabytes kills its worker here (a failed row).
    max_memory_mb: int = 2048
    max_unzipped: int = DEFAULT_MAX_UNZIPPED  # bytes a ZIP package (DOCX, ODT) may inflate to


@dataclass
class FileEntry:
    sha256: str
    size: int
    mtime_ns: int
    doc_id: str
    partition: str
    version: str
    status: str
    tasks: int


@dataclass
class RunSummary:
    started: str
    files: int = 0
    processed: int = 0
    reused: int = 0
    removed: int = 0
    failed: int = 0
    partial: int = 0
    tasks: int = 0
    partitions_written: int = 0
    seconds: float = 0.0
    # peak resident memory of this process, and of the largest finished child process (a
    # worker, or a program a worker ran: tesseract, soffice) over this process's life
    peak_rss_mb: float = 0.0
    worker_peak_rss_mb: float = 0.0
    interrupted: bool = False  # Ctrl-C or SIGTERM: the files not done are left to the next run
    failures: list[dict[str, str]] = field(default_factory=list)


def _key(path: str) -> str:
    return hashlib.sha1(path.encode()).hexdigest()[:20]


class Batch:
    """One run over a set of files into one dataset folder."""

    def __init__(self, out: Path, limits: Limits | None = None, full: bool = False) -> None:
        self.out = out
        self.limits = limits or Limits()
        self.full = full
        self.state = out / STATE_DIR / "state"
        self.manifest_path = out / STATE_DIR / "manifest.json"
        self.state.mkdir(parents=True, exist_ok=True)
        manifest = self._load_manifest()
        self.files: dict[str, FileEntry] = {
            p: FileEntry(**e) for p, e in manifest.get("files", {}).items()
        }
        self.partitions: dict[str, str] = manifest.get("partitions", {})
        self._flushed = time.monotonic()
        self._clean_temporaries()

    # ----------------------------------------------------------------- manifest and state

    def _load_manifest(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        same = data.get("version") == __version__ and data.get("schema_version") == SCHEMA_VERSION
        return data if same else {}

    def save_manifest(self) -> None:
        data = {
            "version": __version__,
            "schema_version": SCHEMA_VERSION,
            "files": {p: asdict(e) for p, e in sorted(self.files.items())},
            "partitions": dict(sorted(self.partitions.items())),
        }
        write_atomic(self.manifest_path, (json.dumps(data, indent=1) + "\n").encode())
        self._flushed = time.monotonic()

    def _clean_temporaries(self) -> None:
        """Half-written files of a killed run: dot-prefixed, never read, removed here."""
        for tmp in self.out.rglob(".*.tmp-*"):
            tmp.unlink(missing_ok=True)

    def _state_path(self, path: str) -> Path:
        return self.state / f"{_key(path)}.json"

    def load_document(self, path: str) -> Document:
        return Document.model_validate_json(self._state_path(path).read_bytes())

    def _stored(self, path: str) -> Document | None:
        try:
            return self.load_document(path)
        except (OSError, ValueError):
            return None  # lost or damaged state: processed again

    def _stored_doc_id(self, path: str) -> tuple[str | None, str | None]:
        """(doc_id, pipeline_version) of the finished document for `path`, if any."""
        try:
            data = json.loads(self._state_path(path).read_bytes())
        except (OSError, ValueError):
            return None, None
        return data.get("doc_id"), data.get("pipeline_version")

    # ----------------------------------------------------------------- what needs work

    def plan(
        self, paths: list[str], stop: Stop | None = None
    ) -> tuple[list[str], list[str], list[str]]:
        """(to process, unchanged, removed) source paths; after `stop()`, nothing more to do."""
        todo, unchanged = [], []
        for path in paths:
            if stop is not None and stop():
                break  # interrupted while hashing: the rest is left to the next run
            entry = self.files.get(path)
            try:
                info = os.stat(path)
            except OSError:
                todo.append(path)  # missing or unreadable: the worker records why
                continue
            if self.full or entry is None or entry.version != __version__:
                pass
            elif (
                entry.size == info.st_size
                and entry.mtime_ns == info.st_mtime_ns
                and self._state_path(path).exists()
            ):
                unchanged.append(path)
                continue
            sha = None if self.full else regular_sha256(path)
            if sha is not None:
                doc_id, version = self._stored_doc_id(path)
                document = self._stored(path) if doc_id == sha[:16] else None
                if document is not None and version == __version__:
                    # finished before (maybe by a killed run) and not changed since
                    self._record(path, document, sha)
                    unchanged.append(path)
                    continue
            todo.append(path)
        current = set(paths)
        removed = [p for p in self.files if p not in current]
        return todo, unchanged, removed

    def _record(
        self, path: str, doc: Document, sha: str | None = None, stale: bool = False
    ) -> None:
        """Index a finished document; `stale`: its file is to be read again by the next run."""
        try:
            info = os.stat(path)
            size, mtime = info.st_size, info.st_mtime_ns
        except OSError:
            size, mtime = 0, 0
        if stale:
            size, mtime = -1, -1  # never matches: the next run hashes the file again
        if sha is None:
            sha = regular_sha256(path) or hashlib.sha256(path.encode()).hexdigest()
        self.files[path] = FileEntry(
            sha256=sha,
            size=size,
            mtime_ns=mtime,
            doc_id=doc.doc_id,
            partition=partition_of(doc),
            version=doc.pipeline_version,
            status=doc.status.value,
            tasks=len(doc.tasks),
        )

    def finish(self, path: str, payload: bytes) -> Document:
        """A worker's result: stored at once, then indexed.

        The file is hashed again here: bytes that differ from those the worker read (its
        doc_id) mean the file changed meanwhile, and the row says so.
        """
        doc = Document.model_validate_json(payload)
        sha = regular_sha256(path)
        # not the bytes the worker saw (or none now): the next run looks at the file again
        stale = sha is None or sha[:16] != doc.doc_id
        if stale and sha is not None and doc.status is not DocumentStatus.FAILED:
            update = {"status": DocumentStatus.PARTIAL, "warnings": [*doc.warnings, CHANGED]}
            doc = doc.model_copy(update=update)
            payload = document_json(doc)
        write_atomic(self._state_path(path), payload)
        # no hash for a stale row: the next run's (the file's real one) changes its partition's
        # fingerprint, so that the partition is written again with the row read anew
        self._record(path, doc, "" if stale else sha, stale)
        if time.monotonic() - self._flushed > MANIFEST_FLUSH_SECONDS:
            self.save_manifest()
        return doc

    def refuse(self, path: str, reason: str) -> Document:
        """A file not to be read (a link out of the input folder): its failed row, unread."""
        doc = failed_document(path, reason, read=False)
        write_atomic(self._state_path(path), document_json(doc))
        self._record(path, doc, hashlib.sha256(path.encode()).hexdigest())
        return doc

    def forget(self, path: str) -> None:
        self.files.pop(path, None)
        self._state_path(path).unlink(missing_ok=True)

    # ----------------------------------------------------------------- the dataset

    def _fingerprints(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = {}
        for path in [p for p in self.files if not self._state_path(p).exists()]:
            del self.files[path]  # its state was lost: the next run processes it again
        for path, entry in self.files.items():
            members.setdefault(entry.partition, []).append(path)
        return members

    def export(self) -> int:
        """Bring every changed partition, the JSON files and agencies.parquet up to date."""
        migrate_layout(self.out)
        members = self._fingerprints()
        written = 0
        for partition, paths in sorted(members.items()):
            lines = sorted(f"{p}\t{self.files[p].sha256}\t{self.files[p].version}" for p in paths)
            fingerprint = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            exists = (self.out / "tasks.parquet" / f"issued_year={partition}").is_dir()
            if self.partitions.get(partition) == fingerprint and exists:
                continue
            ordered = sorted(paths, key=lambda p: (p, self.files[p].doc_id))
            docs = (self.load_document(p) for p in ordered)  # one in memory at a time
            write_partition(self.out, partition, docs, ordered=True)
            self.partitions[partition] = fingerprint
            self.save_manifest()  # a crash after this point does not redo this partition
            written += 1
        for partition in [p for p in self.partitions if p not in members]:
            remove_partition(self.out, partition)
            del self.partitions[partition]
            written += 1
        if written or not (self.out / "dataset.json").exists():
            self._write_json_files()
            counts = self._counts()
            counts["agencies"] = write_agencies(self.out, registry_records())
            write_dataset_info(self.out, __version__, counts, list(self.partitions))
        self.save_manifest()
        return written

    def _write_json_files(self) -> None:
        """json/<doc_id>.json for every document (the first source path when bytes repeat)."""
        folder = self.out / "json"
        folder.mkdir(parents=True, exist_ok=True)
        wanted: dict[str, str] = {}
        for path in sorted(self.files):
            wanted.setdefault(self.files[path].doc_id, path)
        for doc_id, path in wanted.items():
            target = folder / f"{doc_id}.json"
            source = self._state_path(path)
            if not target.exists() or target.read_bytes() != source.read_bytes():
                write_atomic(target, source.read_bytes())
        for old in folder.glob("*.json"):
            if old.stem not in wanted:
                old.unlink()

    def _counts(self) -> dict[str, int]:
        import pyarrow.parquet as pq

        counts: dict[str, int] = {}
        for table in ("documents", "tasks", "task_agencies", "sections", "targets", "citations"):
            files = sorted((self.out / f"{table}.parquet").glob("*/part-0.parquet"))
            counts[table] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        return counts


def check_out(out: Path, inputs: Iterable[str]) -> tuple[str | None, list[str]]:
    """(error, warnings) about the output folder, found before any work is done.

    An error: `out` is a file (or inside one), or it is or holds an input (the folder walk
    skips the output folder, so nothing would be read). A warning: `out` is inside an input
    folder (the walk skips it: the dataset is not read as input).
    """
    existing = next((p for p in (out, *out.parents) if p.exists() or p.is_symlink()), None)
    if existing is not None and not existing.is_dir():
        what = "is a file" if existing == out else f"is inside {existing}, a file"
        return f"--out {out} {what}: give a folder (it is created if missing)", []
    target = out.resolve()
    warnings = []
    for given in inputs:
        source = Path(given).resolve()
        if source == target or target in source.parents:
            return f"--out {out} holds the input {given}: give an output folder beside it", []
        if source.is_dir() and source in target.parents:
            warnings.append(
                f"--out {out} is inside the input folder {given}: it is skipped when that "
                "folder is read"
            )
    return None, warnings


def run(
    paths: Iterable[str],
    out: Path,
    *,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    full: bool = False,
    limits: Limits | None = None,
    worker: Worker = work,
    on_done: Callable[[Document], None] | None = None,
    on_start: Callable[[str], None] | None = None,
    refused: dict[str, str] | None = None,
    interrupt: Interrupt | None = None,
    grace: float = GRACE_SECONDS,
) -> RunSummary:
    """Process `paths` into the dataset at `out`; returns what happened.

    `refused` (path → reason, from `discover`) are files never to be read: each is recorded
    as a failed row from its path alone. `interrupt` (installed here if not given) turns
    Ctrl-C and SIGTERM into a stop request: the summary then says `interrupted`.
    """
    started = time.monotonic()
    summary = RunSummary(started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    own = interrupt is None
    stop = Interrupt().install() if interrupt is None else interrupt
    batch = Batch(out, limits, full)
    refusals = dict(refused or {})
    files = [p for p in paths if p not in refusals]
    summary.files = len(files) + len(refusals)

    def done(doc: Document) -> None:
        summary.processed += 1
        if on_done is not None:
            on_done(doc)

    hooks = Hooks(done, on_start or (lambda path: None), stop, grace)

    def second() -> None:  # the second Ctrl-C: workers stopped, the process leaves at once
        for pool in hooks.pools:
            pool.kill_now()
        finished = summary.processed + summary.reused
        say(f"vnplan: interrupted again: {finished} of {summary.files} files done; rerun to resume")

    stop.on_second = second
    try:
        todo, unchanged, removed = batch.plan(files, stop)
        removed = [p for p in removed if p not in refusals]
        summary.reused, summary.removed = len(unchanged), len(removed)
        for path in removed:
            batch.forget(path)
        for path, reason in sorted(refusals.items()):
            done(batch.refuse(path, reason))
        if todo and not stop():
            if engine == "dask":
                run_dask(todo, batch, scheduler, worker, hooks)
            else:
                run_local(todo, batch, workers or os.cpu_count() or 1, worker, hooks)
        batch.save_manifest()
        summary.partitions_written = batch.export()
        summary.interrupted = stop()
    finally:
        stop.on_second = None
        if own:
            stop.restore()
    for path, entry in sorted(batch.files.items()):
        summary.tasks += entry.tasks
        if entry.status == DocumentStatus.FAILED.value:
            summary.failed += 1
            error = batch.load_document(path).error or ""
            summary.failures.append({"path": path, "error": error})
        elif entry.status == DocumentStatus.PARTIAL.value:
            summary.partial += 1
    summary.seconds = round(time.monotonic() - started, 3)
    kib = 1024  # ru_maxrss is in KiB on Linux
    summary.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib, 1)
    summary.worker_peak_rss_mb = round(
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib, 1
    )
    _write_summary(out, summary)
    return summary


def _write_summary(out: Path, summary: RunSummary) -> None:
    """OUT/runs/<timestamp>.json: counts, duration, failures — for schedulers and people."""
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    name = summary.started.replace(":", "") + f"-{os.getpid()}.json"
    write_atomic(
        runs / name, (json.dumps(asdict(summary), ensure_ascii=False, indent=1) + "\n").encode()
    )
