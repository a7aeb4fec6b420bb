"""Legacy office formats (.doc, .rtf, .odt) through LibreOffice, then the DOCX extractor.

LibreOffice is the maintained reader of these formats; running it headless to convert to
.docx keeps one table-and-numbering reader (vnplan.ingest.docx) for every Word-like file. When
LibreOffice is not installed the file fails with a message naming the missing program.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from vnplan.ingest import docx
from vnplan.ingest.errors import IngestError
from vnplan.models import RawDocument, SourceFormat

CONVERT_SECONDS = 180
PROGRAMS = ("soffice", "libreoffice")
FORMATS = {".doc": SourceFormat.DOC, ".rtf": SourceFormat.RTF, ".odt": SourceFormat.ODT}


def _program() -> str | None:
    return next((found for name in PROGRAMS if (found := shutil.which(name))), None)


ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream Office wraps a locked file in


def convert_to_docx(path: str, data: bytes, suffix: str) -> bytes:
    """The file as .docx bytes, converted by LibreOffice in a private profile and folder."""
    if ENCRYPTED in data[:65536]:
        raise IngestError(path, "encrypted (password-protected) Office document: cannot be read")
    program = _program()
    if program is None:
        raise IngestError(
            path, f"reading '{suffix}' files needs LibreOffice ('soffice'), which is not installed"
        )
    with tempfile.TemporaryDirectory(prefix="vnplan-office-") as tmp:
        folder = Path(tmp)
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        command = [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",  # parallel runs don't clash
            "--convert-to",
            "docx",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise IngestError(
                path, f"LibreOffice took over {CONVERT_SECONDS} s converting it"
            ) from exc
        converted = folder / "out" / "input.docx"
        if not converted.exists():
            raise IngestError(path, f"LibreOffice could not convert this '{suffix}' file")
        return converted.read_bytes()


def _extractor(suffix: str) -> Callable[[str, bytes, str], RawDocument]:
    def extract(path: str, data: bytes, doc_id: str) -> RawDocument:
        raw = docx.extract(path, convert_to_docx(path, data, suffix), doc_id)
        warnings = [*raw.warnings, f"converted from '{suffix}' with LibreOffice"]
        return raw.model_copy(update={"source_format": FORMATS[suffix], "warnings": warnings})

    return extract


extract_doc = _extractor(".doc")
extract_rtf = _extractor(".rtf")
extract_odt = _extractor(".odt")
