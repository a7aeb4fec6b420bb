"""The one place that wires the stages: file → ingest → parse → normalize → Document.

`process_file` never raises: a file that cannot be read becomes a `failed` Document naming the
file and the fault, so one bad file never stops a batch.
"""

from __future__ import annotations

import hashlib
import os
import stat
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

from vnplan import __version__
from vnplan.ingest import IngestError, load
from vnplan.ingest.archive import DEFAULT_MAX_UNZIPPED
from vnplan.models import Document, DocumentStatus, SourceFormat
from vnplan.normalize import normalize_document
from vnplan.parse import parse_document
from vnplan.parse.plans import expect_tasks

# Suffixes picked up when a folder is given; a file named explicitly is always processed.
DOCUMENT_SUFFIXES = {".txt", ".pdf", ".docx", ".doc", ".rtf", ".odt", ".html", ".htm"}


OUTSIDE = "symlink points outside the input folder"
UNREADABLE_FOLDER = "folder cannot be read"
# Warnings of ingest that say a page or part was not read: the document is then `partial`.
UNREAD_PARTS = ("; OCR not available", "; OCR failed (", ": cannot be read (")
SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def failed_document(path: str, error: str, *, read: bool = True) -> Document:
    """The record of a file that could not be read: a `failed` row naming the fault.

    Its doc_id hashes the file's bytes, or its path when the file is not to be read (`read`
    false: a link out of the input folder) or cannot be.
    """
    digest = regular_sha256(path) if read else None
    if digest is None:
        digest = hashlib.sha256(path.encode()).hexdigest()
    return Document(
        doc_id=digest[:16],
        source_path=path,
        source_format=SourceFormat.UNKNOWN,
        status=DocumentStatus.FAILED,
        error=error,
        pipeline_version=__version__,
    )


def regular_sha256(path: str | os.PathLike[str]) -> str | None:
    """The file's SHA-256, or None when it is not a regular file that can be read now.

    Opened without blocking (a FIFO would wait for a writer for ever) and checked on the open
    descriptor, so a file swapped between a check and the read cannot hang or stop the batch.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.sha256()
        with os.fdopen(fd, "rb", closefd=False) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def special_file(path: str) -> str | None:
    """What `path` is when it is neither a regular file nor a folder (None otherwise)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # missing or unreadable: the extractor names the fault
    return next((kind for test, kind in SPECIAL_FILES if test(mode)), None)


def _completeness(doc: Document) -> Document:
    """A document with a page or part that could not be read is `partial`, never `ok`."""
    lost = any(mark in warning for warning in doc.warnings for mark in UNREAD_PARTS)
    if doc.status is DocumentStatus.OK and lost:
        return doc.model_copy(update={"status": DocumentStatus.PARTIAL})
    return doc


def process_file(path: str, max_unzipped: int = DEFAULT_MAX_UNZIPPED) -> Document:
    """Run every stage on one file; failures are returned as a failed Document."""
    kind = special_file(path)
    if kind is not None:  # reading a FIFO waits for a writer, a device may never end
        return failed_document(path, f"{path}: is {kind}, not a regular file: not read", read=False)
    try:
        raw = load(path, max_unzipped)
        doc = normalize_document(parse_document(raw, __version__))
        return _completeness(expect_tasks(doc, raw.blocks))
    except IngestError as exc:
        return failed_document(path, str(exc))
    except Exception as exc:  # a bug must not lose the batch; the row says what happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return failed_document(
            path,
            f"{path}: internal error {type(exc).__name__}: {exc} "
            f"(at {Path(where.filename).name}:{where.lineno})",
        )


def discover(
    paths: Iterable[str],
    exclude: Path | None = None,
    include_globs: Iterable[str] = (),
    exclude_globs: Iterable[str] = (),
    refused: dict[str, str] | None = None,
) -> Iterator[str]:
    """Files named, and document files found (recursively, sorted) in folders named.

    In folders, `include_globs` (default: every document suffix) and `exclude_globs` match
    paths relative to the folder ("**/2023/*.pdf", "drafts/**"); hidden folders and the
    output folder are skipped, and a folder named like a document ("plan.pdf/") is taken so
    that it becomes a failed row. A file named explicitly is always taken, missing or not: it
    becomes a failed row rather than a crash.

    A symlink in a folder whose target lies outside that folder is never yielded (nor read):
    it goes to `refused` (path → reason), for the batch to record as a failed row; so does a
    folder that cannot be listed (its row names it). A FIFO, device or socket named like a
    document is yielded: its row says what it is, it is never opened for reading.
    """
    includes, excludes = list(include_globs), list(exclude_globs)
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            root = p.resolve()
            candidates = []
            for f in sorted(_walk(p, exclude, refused)):
                if not _wanted(f, p, exclude, includes, excludes):
                    continue
                target = f.resolve()
                if target == root or root in target.parents:
                    candidates.append(str(f))
                elif refused is not None:
                    refused[str(f)] = f"{f}: {OUTSIDE} ({target}), not read"
        else:
            candidates = [given]
        for c in candidates:
            if c not in seen:
                seen.add(c)
                yield c


def _walk(folder: Path, out: Path | None, unreadable: dict[str, str] | None) -> Iterator[Path]:
    """Every entry under `folder` (links to folders not followed), as `Path.rglob("*")` gives
    them, but a folder that cannot be listed goes to `unreadable` (path → reason) instead of
    being passed over in silence. Hidden folders and the output folder are not entered."""
    skip = out.resolve() if out is not None else None
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        if unreadable is not None:
            reason = exc.strerror or type(exc).__name__
            unreadable[str(folder)] = (
                f"{folder}: {UNREADABLE_FOLDER} ({reason}): the files in it are not in this run"
            )
        return
    for entry in entries:
        path = folder / entry.name
        yield path
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder and not entry.name.startswith(".") and path.resolve() != skip:
            yield from _walk(path, out, unreadable)


def _wanted(
    f: Path, root: Path, out: Path | None, includes: list[str], excludes: list[str]
) -> bool:
    relative = f.relative_to(root)
    if any(part.startswith(".") for part in relative.parts):
        return False
    # A folder only when named like a document; anything else (a FIFO, a device, a dangling
    # link) is taken, to become a failed row naming what it is.
    if f.is_dir() and f.suffix.lower() not in DOCUMENT_SUFFIXES:
        return False
    if out is not None and out.resolve() in f.resolve().parents:
        return False
    if includes:
        if not any(relative.match(g) or f.match(g) for g in includes):
            return False
    elif f.suffix.lower() not in DOCUMENT_SUFFIXES:
        return False
    return not any(relative.match(g) or f.match(g) for g in excludes)
