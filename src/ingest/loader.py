"""Choose an extractor for a file and run it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from vnplan.ingest import text
from vnplan.ingest.errors import IngestError
from vnplan.models import RawDocument

Extractor = Callable[[str, bytes, str], RawDocument]

# Suffix → extractor. Formats without an extractor yet fail with a clear message.
EXTRACTORS: dict[str, Extractor] = {
    ".txt": text.extract,
    ".md": text.extract,
    ".markdown": text.extract,
    "": text.extract,
}


def doc_id_for(data: bytes) -> str:
    """Content hash of the source bytes: the same file gives the same id wherever it lives."""
    return hashlib.sha256(data).hexdigest()[:16]


def load(path: str | Path) -> RawDocument:
    """Read one file into a `RawDocument`, or raise `IngestError` naming the file and the fault."""
    shown = str(path)
    p = Path(path)
    if p.is_dir():
        raise IngestError(shown, "is a directory, not a file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(shown, f"cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise IngestError(shown, "empty file (0 bytes)")
    suffix = p.suffix.lower()
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        raise IngestError(shown, f"unsupported format '{suffix}': no extractor for it yet")
    return extractor(shown, data, doc_id_for(data))
