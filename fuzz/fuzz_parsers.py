"""Coverage-guided fuzzing (atheris) of the text-facing parsers: `make fuzz`.

Each target takes arbitrary bytes as a UTF-8 string (or as a tab/pipe table), or as the raw
bytes of a text file or HTML page, and must return normally (an extractor's IngestError is a
clear refusal, so it counts as normal): any other exception is a crash, saved by atheris as
crash-<hash> in fuzz/crashes/, and becomes a regression test in tests/test_fuzz_regressions.py.

    python fuzz/fuzz_parsers.py TARGET -max_total_time=60 fuzz/corpus/TARGET
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from vnplan.ingest import html
    from vnplan.ingest.errors import IngestError
    from vnplan.ingest.text import blocks_from_text, decode_text
    from vnplan.models import AgencyRole, Paragraph
    from vnplan.normalize.agencies import resolve_cell
    from vnplan.normalize.deadlines import parse_deadline
    from vnplan.normalize.leaders import parse_leaders
    from vnplan.parse.header import parse_header
    from vnplan.parse.sections import build_sections
    from vnplan.parse.tables import parse_tables


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(4096)


def deadline(data: bytes) -> None:
    parsed = parse_deadline(_text(data), default_year=2024)
    assert parsed.dates == sorted(set(parsed.dates))


def agency(data: bytes) -> None:
    for mention in resolve_cell(_text(data), AgencyRole.LEAD):
        assert mention.raw


def leaders(data: bytes) -> None:
    parse_leaders(_text(data))


def document(data: bytes) -> None:
    """The text extractor, then the table, section and header parsers on what it found."""
    blocks = blocks_from_text(_text(data))
    parse_tables(blocks, "fuzz", "fuzz.txt", "0")
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    build_sections(paragraphs, "fuzz")
    parse_header(paragraphs)


def table(data: bytes) -> None:
    """A task table header the parser knows, then fuzzed rows."""
    header = "STT\tNội dung\tSản phẩm\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"
    blocks = blocks_from_text(header + _text(data))
    parse_tables(blocks, "fuzz", "fuzz.txt", "0")


def text_bytes(data: bytes) -> None:
    """Raw bytes as a text file: decoding (UTF-8/16, legacy encodings, mixed), then tables."""
    try:
        text, _ = decode_text("fuzz.txt", data)
    except IngestError:
        return  # a clear refusal is a correct answer
    parse_tables(blocks_from_text(text), "fuzz", "fuzz.txt", "0")


def html_bytes(data: bytes) -> None:
    """Raw bytes as an HTML page: charset, tag soup, spans, flattened tables."""
    try:
        html.extract("fuzz.html", data, "fuzz")
    except IngestError:
        return


TARGETS = {
    f.__name__: f for f in (deadline, agency, leaders, document, table, text_bytes, html_bytes)
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz_parsers.py {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
