"""Benchmark vnplan against the tools a user would pick instead (a script, not a test).

    .venv/bin/python bench/bench_pdf.py [PDF] [--pages 500] [--tracemalloc] [--quick]

Without a PDF, long PDFs are built in a temporary folder by repeating a seed PDF's pages
(tools/make_pdf_samples.py --bench). In one run, each measurement in a child process of its
own (so each peak RSS, getrusage ru_maxrss, is its own; CPU includes the child's children,
Tesseract among them):

- text-layer PDF, 500 pages: `vnplan.ingest.pdf.extract` (the extractor) and
  `vnplan.pipeline.process_file` (the whole document: ingest, parse, normalize) against a bare
  pdfplumber loop (`extract_text()` + `extract_tables()` per page), PyMuPDF (`get_text()` +
  `find_tables()` with every table extracted) and bare pypdfium2 text (`get_text_range()`);
- per-page cost of the whole pipeline at 17, 100 and 500 pages (and the marginal cost between);
- scanned PDF (samples/scan, 17 pages): vnplan's scan path (`extract_scanned`, its OCR
  workers) against bare Tesseract (`image_to_data`, lang vie) on the same pages rendered at
  the same DPI, one after the other;
- cold start: `vnplan --version` and `vnplan run` on one small text file, CPU of the whole
  process tree, minimum of 5.

Results go to bench/results.json (key "compare"; bench_batch.py adds the batch run and the
2-worker speed-up) and are printed. The issue's targets are printed beside them, not asserted:
timings belong here, not in tests. `--quick` skips PyMuPDF and the scan (minutes each).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RSS_LIMIT_MB = 400
SCAN = ROOT / "samples" / "scan" / "003_3a026ceb35acf91e.pdf"  # 17 pages
SMALL_TEXT = ROOT / "samples" / "prose" / "045_ke_hoach_chuyen_doi_so.txt"
RESULTS = ROOT / "bench" / "results.json"
Result = dict[str, Any]


def _tree_cpu() -> float:
    """CPU seconds of this process and of its children that ended (Tesseract runs)."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


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


def _run_pymupdf(path: Path) -> int:
    import pymupdf

    count = 0
    with pymupdf.open(path) as pdf:  # type: ignore[no-untyped-call]
        for page in pdf:
            page.get_text()
            for table in page.find_tables().tables:
                table.extract()
            count += 1
    return count


def _run_pypdfium2(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            text = page.get_textpage()
            text.get_text_range()
            text.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def _run_scan(path: Path) -> int:
    from vnplan.ingest.ocr import extract_scanned

    raw = extract_scanned(str(path), path.read_bytes(), "bench")
    return raw.page_count or 0


def _run_tesseract(path: Path) -> int:
    """The same pages at the same DPI through Tesseract, as a bare loop would run it."""
    import pypdfium2 as pdfium
    import pytesseract

    from vnplan.ingest.ocr import DPI, LANGUAGE

    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            page.close()
            pytesseract.image_to_data(image, lang=LANGUAGE)
        return len(pdf)
    finally:
        pdf.close()


ENGINES = {
    "vnplan": _run_vnplan,
    "pdfplumber": _run_pdfplumber,
    "pipeline": _run_pipeline,
    "pymupdf": _run_pymupdf,
    "pypdfium2": _run_pypdfium2,
    "scan": _run_scan,
    "tesseract": _run_tesseract,
}


def child(engine: str, path: Path, trace: bool) -> None:
    """Run one engine once and print its numbers as JSON (in a fresh process)."""
    before = _peak_rss_mb()
    if trace:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), _tree_cpu()
    pages = ENGINES[engine](path)
    seconds, cpu = time.perf_counter() - start, _tree_cpu() - cpu_start
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


def measure(engine: str, path: Path, trace: bool = False) -> Result:
    command = [sys.executable, __file__, "--child", engine, str(path)]
    if trace:
        command.append("--tracemalloc")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
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


def _rate(results: list[Result], engine: str, key: str = "seconds") -> float:
    found = next(r for r in results if r["engine"] == engine)
    return float(found["pages"] or 0) / float(found[key] or 1)


def report(path: Path, results: list[Result]) -> None:
    print(f"{path} ({path.stat().st_size / 2**20:.1f} MB)")
    print(
        f"{'engine':<22} {'pages':>5} {'wall s':>8} {'pages/s':>7} "
        f"{'CPU s':>8} {'pages/s':>7} {'RSS MB':>9} {'heap MB':>7}"
    )
    for result in results:
        print(_row(result))


def cold_start(argv: list[str], runs: int = 5) -> Result:
    """Minimum over `runs` of one command's wall time and CPU (its whole process tree)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"wall_s_min": round(min(walls), 3), "cpu_s_min": round(min(cpus), 3), "runs": runs}


def _ratio(results: list[Result], fast: str, slow: str, key: str = "seconds") -> float | None:
    engines = {r["engine"] for r in results}
    if fast not in engines or slow not in engines:
        return None
    return round(_rate(results, fast, key) / _rate(results, slow, key), 2)


def _summary(rows: list[Result]) -> list[Result]:
    keys = ("engine", "pages", "seconds", "cpu_seconds", "rss_peak_mb", "heap_peak_mb")
    return [
        {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items() if k in keys}
        for r in rows
    ]


def compare(folder: Path, pdf: Path | None, pages: int, quick: bool, trace: bool) -> Result:
    """Every measurement of the module docstring; returns what goes to results.json."""
    long = pdf or build(pages, folder)
    engines = ["vnplan", "pipeline", "pdfplumber", "pypdfium2"] + ([] if quick else ["pymupdf"])
    rows = [measure(engine, long) for engine in engines]
    if trace:
        rows.append(measure("vnplan", long, trace=True))
    report(long, rows)
    text_pdf: Result = {
        "file": long.name,
        "pages": pages,
        "runs": _summary(rows),
        "extractor_vs_pdfplumber": _ratio(rows, "vnplan", "pdfplumber"),
        "pipeline_vs_pdfplumber": _ratio(rows, "pipeline", "pdfplumber"),
        "extractor_vs_pymupdf": _ratio(rows, "vnplan", "pymupdf"),
        "pipeline_vs_pymupdf": _ratio(rows, "pipeline", "pymupdf"),
        "pipeline_vs_pypdfium2_text": _ratio(rows, "pipeline", "pypdfium2"),
        "extractor_cpu_vs_pdfplumber": _ratio(rows, "vnplan", "pdfplumber", "cpu_seconds"),
        "pipeline_cpu_vs_pdfplumber": _ratio(rows, "pipeline", "pdfplumber", "cpu_seconds"),
    }
    # per-page cost of the whole pipeline: the long file, and shorter ones from the same seed
    scale: list[Result] = []
    for count in sorted({17, 100} - {pages}):
        scale.append(measure("pipeline", build(count, folder)))
    scale.append(next(r for r in rows if r["engine"] == "pipeline"))
    scale.sort(key=lambda r: int(r["pages"]))
    per_page = [
        {
            "pages": r["pages"],
            "seconds": round(float(r["seconds"]), 3),
            "ms_per_page": round(1000 * float(r["seconds"]) / float(r["pages"]), 2),
            "cpu_ms_per_page": round(1000 * float(r["cpu_seconds"]) / float(r["pages"]), 2),
            "rss_peak_mb": round(float(r["rss_peak_mb"])),
        }
        for r in scale
    ]
    for before, after in itertools.pairwise(per_page):
        added = after["pages"] - before["pages"]
        after["marginal_ms_per_page"] = round(
            1000 * (after["seconds"] - before["seconds"]) / added, 2
        )
    print("pipeline per page:", json.dumps(per_page))
    results: Result = {"text_pdf": text_pdf, "per_page": per_page}
    if not quick:
        scan = [measure("scan", SCAN), measure("tesseract", SCAN)]
        report(SCAN, scan)
        results["scan"] = {
            "file": str(SCAN.relative_to(ROOT)),
            "runs": _summary(scan),
            "ocr_workers": min(4, len(os.sched_getaffinity(0))),
            "wall_vs_bare_tesseract": round(
                float(scan[0]["seconds"]) / float(scan[1]["seconds"]), 2
            ),
            "cpu_vs_bare_tesseract": round(
                float(scan[0]["cpu_seconds"]) / float(scan[1]["cpu_seconds"]), 2
            ),
        }
    vnplan = str(Path(sys.executable).with_name("vnplan"))
    with tempfile.TemporaryDirectory(prefix="vnplan-cold-") as out:
        results["cold_start"] = {
            "version": cold_start([vnplan, "--version"]),
            "run_small_text": cold_start(
                [vnplan, "run", str(SMALL_TEXT), "--out", out, "--full", "-q"]
            ),
            "small_text": str(SMALL_TEXT.relative_to(ROOT)),
        }
    print("cold start:", json.dumps(results["cold_start"]))
    return results


def targets(results: Result) -> None:
    """The issue's targets beside what was measured (reported, not asserted)."""
    text_pdf, per_page, cold = results["text_pdf"], results["per_page"], results["cold_start"]
    last = per_page[-1]
    hundred = next((r for r in per_page if r["pages"] == 100), None)
    print(f"whole run / bare pdfplumber: {text_pdf['pipeline_vs_pdfplumber']}× (target ≥ 3×)")
    print(f"extractor / bare pdfplumber: {text_pdf['extractor_vs_pdfplumber']}×")
    print(f"extractor / PyMuPDF find_tables: {text_pdf['extractor_vs_pymupdf']}×")
    if hundred:
        ratio = last["ms_per_page"] / hundred["ms_per_page"]
        print(f"ms/page at {last['pages']} / at 100 pages: {ratio:.2f} (target ≤ 1.2)")
    print(
        f"cold start: --version {cold['version']['cpu_s_min']} s CPU (target < 0.3), "
        f"run on a small text {cold['run_small_text']['cpu_s_min']} s CPU (target < 0.6)"
    )
    if "scan" in results:
        scan = results["scan"]
        peak = scan["runs"][0]["rss_peak_mb"]
        print(
            f"scan / bare Tesseract: {scan['wall_vs_bare_tesseract']}× wall (target ≤ 1.4), "
            f"peak RSS {peak:.0f} MB (target ≤ {RSS_LIMIT_MB})"
        )


def save(key: str, value: Result) -> None:
    """results.json keeps what bench_batch.py wrote; this script's part is under `key`."""
    results = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    results[key] = value
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--quick", action="store_true", help="no PyMuPDF, no scan")
    parser.add_argument("--child", choices=sorted(ENGINES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.pdf, args.tracemalloc)
        return 0
    with tempfile.TemporaryDirectory(prefix="vnplan-bench-") as folder:
        results = compare(Path(folder), args.pdf, args.pages, args.quick, args.tracemalloc)
    results["machine"] = {
        "cores": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "note": "a shared machine: compare ratios from the same run, not seconds",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    targets(results)
    save("compare", results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
