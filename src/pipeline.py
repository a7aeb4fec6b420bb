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


def _failed(path: str, error: str) -> Document:
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
        return _failed(path, str(exc))
    except Exception as exc:  # a bug must not lose the batch; the row says what happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _failed(
            path,
            f"{path}: internal error {type(exc).__name__}: {exc} "
            f"(at {Path(where.filename).name}:{where.lineno})",
        )


def discover(paths: Iterable[str], exclude: Path | None = None) -> Iterator[str]:
    """Files named, and document files found (recursively, sorted) in folders named."""
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in DOCUMENT_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not (exclude is not None and exclude.resolve() in f.resolve().parents)
            )
            candidates = [str(f) for f in found]
        else:
            candidates = [given]  # missing files too: they become failed rows, not crashes
        for c in candidates:
            if c not in seen:
                seen.add(c)
                yield c
