"""Choose an extractor for a file and run it."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from pathlib import Path

from vnplan.ingest import text
from vnplan.ingest.archive import DEFAULT_MAX_UNZIPPED, check_zip
from vnplan.ingest.errors import IngestError
from vnplan.ingest.sniff import Format, called, sniff
from vnplan.models import RawDocument

Extractor = Callable[[str, bytes, str], RawDocument]


class _Deferred:
    """An extractor imported on first use: a text file never loads pdfplumber, PDFium, OpenCV
    or python-docx (about 0.4 s at start-up). One instance per extractor, so `is` still tells
    two suffixes' extractors apart."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, shown: str, data: bytes, doc_id: str) -> RawDocument:
        extract: Extractor = getattr(importlib.import_module(self.module), self.name)
        return extract(shown, data, doc_id)


_HTML = _Deferred("vnplan.ingest.html", "extract")

# Suffix → extractor. Formats without an extractor yet fail with a clear message.
EXTRACTORS: dict[str, Extractor] = {
    ".txt": text.extract,
    ".md": text.extract,
    ".markdown": text.extract,
    "": text.extract,
    ".docx": _Deferred("vnplan.ingest.docx", "extract"),
    ".html": _HTML,
    ".htm": _HTML,
    ".pdf": _Deferred("vnplan.ingest.pdf", "extract"),
    # these three through LibreOffice, when installed
    ".doc": _Deferred("vnplan.ingest.office", "extract_doc"),
    ".rtf": _Deferred("vnplan.ingest.office", "extract_rtf"),
    ".odt": _Deferred("vnplan.ingest.office", "extract_odt"),
}


def doc_id_for(data: bytes) -> str:
    """Content hash of the source bytes: the same file gives the same id wherever it lives."""
    return hashlib.sha256(data).hexdigest()[:16]


def load(path: str | Path, max_unzipped: int = DEFAULT_MAX_UNZIPPED) -> RawDocument:
    """Read one file into a `RawDocument`, or raise `IngestError` naming the file and the fault.

    A ZIP package (DOCX …) that declares more than `max_unzipped` bytes is refused unread.
    """
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
    if data.startswith(b"PK"):
        check_zip(shown, data, max_unzipped)  # before anything (sniff too) inflates an entry
    suffix = p.suffix.lower()
    # The bytes decide before the name does: a ".doc" that is an HTML page is read as HTML.
    found = sniff(data)
    if found is not None:
        return _read_by_content(shown, data, suffix, found)
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        raise IngestError(shown, f"unsupported format '{suffix}': no extractor for it yet")
    return extractor(shown, data, doc_id_for(data))


def _read_by_content(shown: str, data: bytes, suffix: str, found: Format) -> RawDocument:
    """Read a file whose bytes show its format, whatever its name says."""
    extractor = EXTRACTORS.get(found.key)
    if extractor is None:
        claimed = EXTRACTORS.get(suffix)
        if claimed is None or claimed is text.extract:
            if suffix == found.key:
                reason = f"unsupported format '{suffix}': looks like {found.described}"
            else:
                reason = f"unsupported format: looks like {found.described}, named '{suffix}'"
            raise IngestError(shown, f"{reason}; {found.missing}")
        # The extractor of the format the name claims knows best what is wrong with the file
        # (a truncated or encrypted DOCX is still a DOCX, with its own diagnosis).
        return claimed(shown, data, doc_id_for(data))
    renamed = suffix != found.key and EXTRACTORS.get(suffix) is not extractor
    try:
        raw = extractor(shown, data, doc_id_for(data))
    except IngestError as exc:
        if not renamed:
            raise
        raise IngestError(
            shown, f"{found.described}, not {called(suffix)} as its name says: {exc.reason}"
        ) from exc
    if renamed:
        name = f"named '{suffix}'" if suffix else "named without an extension"
        raw.warnings.append(f"{name} but {found.described}: read as such")
    return raw
