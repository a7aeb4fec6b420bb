"""Stage 1 — ingest: one extractor per format, each returning a `RawDocument`.

`load(path)` picks the extractor from the file's content and suffix. Text leaves ingest as
Unicode NFC; nothing after this stage knows which format a file came in.
"""

from vnplan.ingest.errors import IngestError
from vnplan.ingest.loader import doc_id_for, load

__all__ = ["IngestError", "doc_id_for", "load"]
