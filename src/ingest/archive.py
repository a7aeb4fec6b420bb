"""Guard for ZIP packages (DOCX, ODT, …): a decompression bomb is refused before it inflates.

The central directory declares every entry's compressed and uncompressed size. Python's zipfile
never inflates an entry past its declared size (it stops there and fails the CRC check), so
checking the declared sizes before python-docx opens the package bounds what reading it costs.
"""

from __future__ import annotations

import io
import zipfile

from vnplan.ingest.errors import IngestError

DEFAULT_MAX_UNZIPPED = 512 * 1024 * 1024  # bytes, all entries together
# Deflate cannot pack better than about 1032:1; ordinary XML packs 5–30:1, images about 1:1.
# An entry over a megabyte that packs near deflate's maximum is repetition made to inflate.
MAX_RATIO = 500
RATIO_FLOOR = 1024 * 1024


def check_zip(path: str, data: bytes, max_unzipped: int = DEFAULT_MAX_UNZIPPED) -> None:
    """Raise `IngestError` when the archive in `data` would inflate past the limits.

    A damaged archive passes: the extractor that reads it says what is wrong.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        return
    total = sum(e.file_size for e in entries)
    if max_unzipped and total > max_unzipped:
        raise IngestError(
            path,
            f"ZIP package decompresses to {total} bytes, over the limit of {max_unzipped} "
            "(a decompression bomb, or raise --max-unzipped-mb)",
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise IngestError(
                path,
                f"ZIP entry {entry.filename} decompresses to {entry.file_size} bytes from "
                f"{entry.compress_size} (ratio {ratio:.0f}:1, over {MAX_RATIO}:1): a "
                "decompression bomb",
            )
