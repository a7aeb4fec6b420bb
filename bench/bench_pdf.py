"""Benchmark the PDF extractor against a bare pdfplumber loop on a long PDF (a script, not a test).

    .venv/bin/python bench/bench_pdf.py [PDF] [--pages 500] [--tracemalloc]

Without a PDF, one is built in a temporary folder by repeating a seed PDF's pages
(tools/make_pdf_samples.py --bench). Over the same file, in the same run:

- vnplan: `vnplan.ingest.pdf.extract` (text, tables, running lines, paragraphs);
- pdfplumber: the loop most projects start with, `extract_text()` + `extract_tables()` on
  every page (each page closed after use, so its memory is not held either);
- pipeline: the whole of `vnplan.pipeline.process_file` (ingest, parse, normalize), for scale.

Each runs in a child process of its own, so each peak RSS (getrusage ru_maxrss) is its own.
`--tracemalloc` adds a run of the extractor under tracemalloc (the Python heap's peak; slower).
The issue's targets: peak RSS under 400 MB on 500 pages; the speed ratio is reported, not
asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RSS_LIMIT_MB = 400


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _run_vnplan(path: Path) -> int:
    from vnplan.ingest.pdf import extract

    raw = extract(str(path), path.read_bytes(), "bench")
    return raw.page_count or 0


def _run_pipeline(path: Path) -> int:
    from vnplan.pipeline import process_file

    document = process_file(str(path))
    if document.status == "failed":
        raise SystemExit(document.error)
    return document.page_count or 0


def _run_pdfplumber(path: Path) -> int:
    import pdfplumber

    count = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
            count += 1
    return count


ENGINES = {"vnplan": _run_vnplan, "pdfplumber": _run_pdfplumber, "pipeline": _run_pipeline}


def child(engine: str, path: Path, trace: bool) -> None:
    """Run one engine once and print its numbers as JSON (in a fresh process)."""
    before = _peak_rss_mb()
    if trace:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    pages = ENGINES[engine](path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    print(
        json.dumps(
            {
                "engine": engine + (" (tracemalloc)" if trace else ""),
                "pages": pages,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "rss_start_mb": before,
                "rss_peak_mb": _peak_rss_mb(),
                "heap_peak_mb": heap,
            }
        )
    )


def measure(engine: str, path: Path, trace: bool = False) -> dict[str, float | str | None]:
    command = [sys.executable, __file__, "--child", engine, str(path)]
    if trace:
        command.append("--tracemalloc")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, float | str | None] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def build(pages: int, folder: Path) -> Path:
    target = folder / f"bench-{pages}.pdf"
    tool = ROOT / "tools" / "make_pdf_samples.py"
    command = [sys.executable, str(tool), "--bench", str(target), "--pages", str(pages)]
    subprocess.run(command, check=True, capture_output=True)
    return target


def _row(result: dict[str, float | str | None]) -> str:
    pages, seconds = float(result["pages"] or 0), float(result["seconds"] or 0)
    cpu = float(result["cpu_seconds"] or 0)
    heap = result["heap_peak_mb"]
    return (
        f"{result['engine']!s:<22} {pages:>5.0f} {seconds:>8.1f} {pages / seconds:>7.1f} "
        f"{cpu:>8.1f} {pages / cpu:>7.1f} {float(result['rss_peak_mb'] or 0):>9.0f} "
        f"{'-' if heap is None else format(float(heap), '.0f'):>7}"
    )


def _rate(results: list[dict[str, float | str | None]], engine: str, key: str) -> float:
    found = next(r for r in results if r["engine"] == engine)
    return float(found["pages"] or 0) / float(found[key] or 1)


def report(path: Path, results: list[dict[str, float | str | None]]) -> None:
    print(f"{path} ({path.stat().st_size / 2**20:.1f} MB)")
    print(
        f"{'engine':<22} {'pages':>5} {'wall s':>8} {'pages/s':>7} "
        f"{'CPU s':>8} {'pages/s':>7} {'RSS MB':>9} {'heap MB':>7}"
    )
    for result in results:
        print(_row(result))
    wall = _rate(results, "vnplan", "seconds") / _rate(results, "pdfplumber", "seconds")
    cpu = _rate(results, "vnplan", "cpu_seconds") / _rate(results, "pdfplumber", "cpu_seconds")
    peak = next(float(r["rss_peak_mb"] or 0) for r in results if r["engine"] == "vnplan")
    verdict = "under" if peak < RSS_LIMIT_MB else "OVER"
    print(f"vnplan extractor / bare pdfplumber loop: {wall:.1f}× pages/s (wall), {cpu:.1f}× (CPU)")
    print(f"vnplan extractor peak RSS {peak:.0f} MB: {verdict} the {RSS_LIMIT_MB} MB target")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.pdf, args.tracemalloc)
        return 0
    with tempfile.TemporaryDirectory(prefix="vnplan-bench-") as folder:
        path = args.pdf or build(args.pages, Path(folder))
        results = [measure(engine, path) for engine in ("vnplan", "pdfplumber", "pipeline")]
        if args.tracemalloc:
            results.append(measure("vnplan", path, trace=True))
        report(path, results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
