"""The one place that wires the stages: file → ingest → parse → normalize → Document.

`process_file` never raises: a file that cannot be read becomes a `failed` Document naming the
file and the fault, so one bad file never stops a batch.
"""

from __future__ import annotations

import hashlib
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


def failed_document(path: str, error: str, *, read: bool = True) -> Document:
    """The record of a file that could not be read: a `failed` row naming the fault.

    Its doc_id hashes the file's bytes, or its path when the file is not to be read (`read`
    false: a link out of the input folder) or cannot be.
    """
    try:
        data = Path(path).read_bytes() if read else path.encode()
    except OSError:
        data = path.encode()
    return Document(
        doc_id=hashlib.sha256(data).hexdigest()[:16],
        source_path=path,
        source_format=SourceFormat.UNKNOWN,
        status=DocumentStatus.FAILED,
        error=error,
        pipeline_version=__version__,
    )


def process_file(path: str, max_unzipped: int = DEFAULT_MAX_UNZIPPED) -> Document:
    """Run every stage on one file; failures are returned as a failed Document."""
    try:
        raw = load(path, max_unzipped)
        return expect_tasks(normalize_document(parse_document(raw, __version__)), raw.blocks)
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
    it goes to `refused` (path → reason), for the batch to record as a failed row.
    """
    includes, excludes = list(include_globs), list(exclude_globs)
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            root = p.resolve()
            candidates = []
            for f in sorted(p.rglob("*")):
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


def _wanted(
    f: Path, root: Path, out: Path | None, includes: list[str], excludes: list[str]
) -> bool:
    relative = f.relative_to(root)
    if any(part.startswith(".") for part in relative.parts):
        return False
    if not (f.is_file() or (f.is_dir() and f.suffix.lower() in DOCUMENT_SUFFIXES)):
        return False
    if out is not None and out.resolve() in f.resolve().parents:
        return False
    if includes:
        if not any(relative.match(g) or f.match(g) for g in includes):
            return False
    elif f.suffix.lower() not in DOCUMENT_SUFFIXES:
        return False
    return not any(relative.match(g) or f.match(g) for g in excludes)
