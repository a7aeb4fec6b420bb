"""Format by content: the bytes decide which extractor reads a file, not its name."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from vnplan.ingest import IngestError, load, loader
from vnplan.ingest.sniff import DOC, DOCX, HTML, ODT, PDF, RTF, ZIP, Format, sniff
from vnplan.models import DocumentStatus, SourceFormat
from vnplan.pipeline import process_file

from conftest import SAMPLES


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", PDF),
        (b"\r\n%PDF-1.4 after some junk a writer left", PDF),
        (_zip({"[Content_Types].xml": b"", "word/document.xml": b"<w:document/>"}), DOCX),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), ODT),
        (_zip({"data.csv": b"a,b\n1,2\n"}), ZIP),
        (b"PK\x03\x04 truncated", ZIP),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl}", RTF),
        (b"<!DOCTYPE html>\n<html lang=vi>", HTML),
        (b"\xef\xbb\xbf  <HTML><head>", HTML),
        (b'<?xml version="1.0"?>\n<!-- saved --><html xmlns="http://www.w3.org/1999/xhtml">', HTML),
        ("<html><body>Sở Nội vụ".encode("utf-16"), HTML),
        (
            b'<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com">',
            HTML,
        ),
        (OLE2, DOC),
        ("Số: 6745/QĐ-UBND\n\nQUYẾT ĐỊNH".encode(), None),
        (b"A plan that mentions <html> in passing", None),
        (b"| TT | Nhiem vu |\n|--|--|\n| <b>I</b> | <b>Chi dao</b> |", None),
    ],
    ids=[
        "pdf",
        "pdf-late-header",
        "docx-zip",
        "odt",
        "plain-zip",
        "truncated-zip",
        "rtf",
        "html-doctype",
        "html-bom",
        "xhtml",
        "html-utf16",
        "word-html",
        "ole2-doc",
        "text",
        "text-mentioning-html",
        "markdown-with-tags",
    ],
)
def test_sniff(data: bytes, expected: Format | None) -> None:
    assert sniff(data) == expected


def test_seeds_are_text() -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        assert sniff(path.read_bytes()) is None


def test_a_doc_that_is_html_is_parsed(tmp_path: Path) -> None:
    html = SAMPLES / "html" / "003_3a026ceb35acf91e.html"
    path = tmp_path / "003.doc"  # portals serve pages saved by Word under .doc names
    path.write_bytes(html.read_bytes())
    doc = process_file(str(path))
    assert (doc.status, doc.source_format) == (DocumentStatus.OK, SourceFormat.HTML)
    assert "named '.doc' but an HTML page: read as such" in doc.warnings
    assert [t.content for t in doc.tasks] == [t.content for t in process_file(str(html)).tasks]


def test_a_pdf_that_is_a_zip_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a PDF extractor registered, that extractor diagnoses files named .pdf (see below).
    monkeypatch.delitem(loader.EXTRACTORS, ".pdf", raising=False)
    path = tmp_path / "plan.pdf"
    path.write_bytes(_zip({"data.csv": b"a,b\n"}))
    with pytest.raises(IngestError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message
    assert "looks like a ZIP archive but not a DOCX (no word/document.xml), named '.pdf'" in message
    failed = process_file(str(path))
    assert failed.status == DocumentStatus.FAILED and failed.error == message


def test_a_format_without_extractor_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Other extractors land over time: pretend PDF, RTF and DOC have none, as today.
    for key in (".pdf", ".rtf", ".doc"):
        monkeypatch.delitem(loader.EXTRACTORS, key, raising=False)
    cases = {
        "scan.txt": (b"%PDF-1.5\n", "looks like a PDF, named '.txt'; no PDF extractor installed"),
        "plan.pdf": (b"%PDF-1.5\n", "unsupported format '.pdf': looks like a PDF; no PDF extr"),
        "plan.rtf": (b"{\\rtf1 x}", "looks like an RTF document; no RTF extractor installed"),
        "old.doc": (OLE2, "looks like a legacy Word .doc (OLE2 compound file); no DOC extractor"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            load(path)


def test_the_named_formats_extractor_diagnoses_its_own_broken_files(tmp_path: Path) -> None:
    """A truncated .docx sniffs as a broken ZIP; the DOCX extractor says what is wrong."""
    if ".docx" not in loader.EXTRACTORS:
        pytest.skip("no DOCX extractor registered")
    path = tmp_path / "cut.docx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(IngestError) as info:
        load(path)
    assert str(path) in str(info.value) and "looks like" not in str(info.value)


def test_a_renamed_file_that_fails_says_what_it_is(tmp_path: Path) -> None:
    if ".pdf" not in loader.EXTRACTORS:
        pytest.skip("no PDF extractor registered")
    path = tmp_path / "plan.docx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")  # a PDF cut after its header
    with pytest.raises(IngestError, match="a PDF, not a DOCX as its name says: "):
        load(path)


def test_text_and_suffix_fallback_still_work(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("| STT | Nội dung | Thời gian |\n|--|--|--|\n| 1 | Việc | Quý I/2024 |\n")
    assert load(path).source_format == SourceFormat.TEXT
    odd = tmp_path / "plan.xyz"
    odd.write_text("x")
    with pytest.raises(IngestError, match=r"unsupported format '\.xyz'"):
        load(odd)
