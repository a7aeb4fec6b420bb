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
from vnplan.models import Document, DocumentStatus, SourceFormat
from vnplan.normalize import normalize_document
from vnplan.parse import parse_document

# Suffixes picked up when a folder is given; a file named explicitly is always processed.
DOCUMENT_SUFFIXES = {".txt", ".pdf", ".docx", ".doc", ".rtf", ".odt", ".html", ".htm"}


def failed_document(path: str, error: str) -> Document:
    """The record of a file that could not be read: a `failed` row naming the fault."""
    try:
        data = Path(path).read_bytes()
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


def process_file(path: str) -> Document:
    """Run every stage on one file; failures are returned as a failed Document."""
    try:
        raw = load(path)
        return normalize_document(parse_document(raw, __version__))
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
) -> Iterator[str]:
    """Files named, and document files found (recursively, sorted) in folders named.

    In folders, `include_globs` (default: every document suffix) and `exclude_globs` match
    paths relative to the folder ("**/2023/*.pdf", "drafts/**"); hidden folders and the
    output folder are skipped. A file named explicitly is always taken, missing or not: it
    becomes a failed row rather than a crash.
    """
    includes, excludes = list(include_globs), list(exclude_globs)
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            candidates = [
                str(f) for f in sorted(p.rglob("*")) if _wanted(f, p, exclude, includes, excludes)
            ]
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
    if not f.is_file() or any(part.startswith(".") for part in relative.parts):
        return False
    if out is not None and out.resolve() in f.resolve().parents:
        return False
    if includes:
        if not any(relative.match(g) or f.match(g) for g in includes):
            return False
    elif f.suffix.lower() not in DOCUMENT_SUFFIXES:
        return False
    return not any(relative.match(g) or f.match(g) for g in excludes)
