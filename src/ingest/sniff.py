"""Format by content: what a file's bytes say it is, whatever its name claims.

Portals and mail clients rename files freely (a "Word" download that is an HTML page saved as
.doc, a .pdf that is a DOCX), so the loader asks the bytes first and falls back on the suffix
only for plain text, which has no signature.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import regex as re


@dataclass(frozen=True)
class Format:
    key: str  # the suffix whose extractor reads it: ".pdf", ".docx", ".html", …
    described: str  # for messages: "a PDF", "a legacy Word .doc (OLE2 compound file)", …
    missing: str  # why it cannot be read when no extractor is registered for `key`


def _format(key: str, name: str, described: str) -> Format:
    return Format(key, described, f"no {name} extractor installed")


PDF = _format(".pdf", "PDF", "a PDF")
DOCX = _format(".docx", "DOCX", "a Word .docx document")
ODT = _format(".odt", "ODT", "an OpenDocument text (.odt)")
RTF = _format(".rtf", "RTF", "an RTF document")
HTML = _format(".html", "HTML", "an HTML page")
DOC = _format(".doc", "DOC", "a legacy Word .doc (OLE2 compound file)")
ZIP = Format(
    ".zip", "a ZIP archive but not a DOCX (no word/document.xml)", "not a document vnplan reads"
)

_NAMED = {
    ".pdf": "a PDF",
    ".docx": "a DOCX",
    ".doc": "a Word .doc",
    ".rtf": "an RTF document",
    ".odt": "an ODT",
    ".htm": "an HTML page",
    ".html": "an HTML page",
    ".txt": "a text file",
}


def called(suffix: str) -> str:
    """What a file's name claims it is, for messages: ".docx" → "a DOCX"."""
    return _NAMED.get(suffix, f"a '{suffix}' file" if suffix else "a text file")


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An HTML page opens with a doctype or <html> (Word's "Save as Web Page" too), perhaps after an
# XML declaration or comments; a text file that merely mentions "<html" later is not one.
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)


def _head_text(data: bytes) -> str:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("latin-1").lstrip("\ufeff").removeprefix("\xef\xbb\xbf")


def _zip_format(data: bytes) -> Format:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.text"
            ):
                return ODT
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError, RuntimeError):
        pass  # a truncated or damaged archive is still not a document we can read
    return ZIP


def sniff(data: bytes) -> Format | None:
    """The format the bytes show, or None for text (or anything without a known signature)."""
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:  # some writers put junk first
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if data.startswith(_OLE2):
        return DOC
    head = _head_text(data)
    if head.lstrip().startswith("{\\rtf"):
        return RTF
    if _HTML_START.match(head):
        return HTML
    return None
