"""`make bench`: batch throughput over a generated corpus of ≥ 2,000 documents.

Builds the corpus from the bundled samples (text, DOCX, HTML, PDF, scanned PDF; each copy made
distinct so the incremental run cannot skip it), then measures in one run:
- docs/s and pages/s per format with all workers;
- the whole corpus with 1 worker (the baseline) and with all workers: the speed-up ratio;
- peak memory (max RSS of the orchestrator and of any worker);
- an unchanged rerun, as a share of the full run's time;
- a bare pdfplumber loop (extract_text + extract_tables on every page) over the same PDFs,
  as a ratio against vnplan's PDF throughput.
Prints a table and writes bench/results.json. Machine noise: compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import docx

from vnplan import batch

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MIX = {"txt": 1250, "docx": 400, "html": 300, "pdf": 60, "scan": 2}  # 2,012 documents


def build_corpus(target: Path, mix: dict[str, int]) -> dict[str, list[Path]]:
    """Distinct copies of the samples, by format."""
    shutil.rmtree(target, ignore_errors=True)
    out: dict[str, list[Path]] = {fmt: [] for fmt in mix}
    sources = {
        "txt": sorted(SAMPLES.glob("0*.txt")),
        "docx": sorted((SAMPLES / "docx").glob("*.docx")),
        "html": sorted((SAMPLES / "html").glob("*.html")),
        "pdf": sorted((SAMPLES / "pdf").glob("*.pdf")),
        # OCR costs seconds a page: the two smallest scans (one mixed file, one 17-page scan)
        "scan": sorted((SAMPLES / "scan").glob("*.pdf"), key=lambda p: p.stat().st_size),
    }
    for fmt, count in mix.items():
        folder = target / fmt
        folder.mkdir(parents=True)
        files = sources[fmt]
        for n in range(count):
            source = files[n % len(files)]
            dest = folder / f"{n:05d}-{source.name}"
            if fmt == "txt":
                dest.write_text(source.read_text("utf-8") + f"\nBản sao số {n}.\n", "utf-8")
            elif fmt == "html":
                dest.write_text(source.read_text("utf-8") + f"\n<!-- bản sao {n} -->\n", "utf-8")
            elif fmt == "docx":
                document = docx.Document(str(source))
                document.add_paragraph(f"Bản sao số {n}.")
                document.save(str(dest))
            else:  # PDF bytes: an appended comment keeps the file valid and distinct
                dest.write_bytes(source.read_bytes() + f"\n% copy {n}\n".encode())
            out[fmt].append(dest)
    return out


def pages_of(out: Path) -> int:
    import pandas as pd

    docs = pd.read_parquet(out / "documents.parquet")
    return int(docs.page_count.fillna(0).sum())


def timed_run(paths: list[Path], out: Path, workers: int) -> tuple[float, int, int]:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    summary = batch.run([str(p) for p in paths], out, workers=workers)
    seconds = time.perf_counter() - started
    return seconds, summary.files, summary.failed


def bare_pdfplumber(paths: list[Path]) -> tuple[float, int]:
    import pdfplumber

    started = time.perf_counter()
    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
                pages += 1
                page.close()
    return time.perf_counter() - started, pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="/tmp/vnplan-bench", help="scratch folder")
    parser.add_argument("--scale", type=float, default=1.0, help="corpus size factor")
    args = parser.parse_args()
    scratch = Path(args.dir)
    mix = {fmt: max(1, int(n * args.scale)) for fmt, n in MIX.items()}
    corpus = build_corpus(scratch / "corpus", mix)
    everything = [p for files in corpus.values() for p in files]
    cores = os.cpu_count() or 1
    results: dict[str, object] = {"documents": len(everything), "cores": cores, "formats": {}}

    for fmt, files in corpus.items():
        seconds, count, failed = timed_run(files, scratch / f"out-{fmt}", cores)
        pages = pages_of(scratch / f"out-{fmt}")
        results["formats"][fmt] = {  # type: ignore[index]
            "documents": count,
            "failed": failed,
            "seconds": round(seconds, 2),
            "docs_per_s": round(count / seconds, 2),
            "pages": pages,
            "pages_per_s": round(pages / seconds, 2) if pages else None,
        }
        print(
            f"{fmt:5s} {count:5d} docs {seconds:8.1f} s {count / seconds:8.2f} docs/s", flush=True
        )

    one, count, _ = timed_run(everything, scratch / "out-1", 1)
    print(f"all   {count:5d} docs, 1 worker   {one:8.1f} s", flush=True)
    many, _, _ = timed_run(everything, scratch / "out-n", cores)
    print(f"all   {count:5d} docs, {cores} workers  {many:8.1f} s", flush=True)
    started = time.perf_counter()
    rerun = batch.run([str(p) for p in everything], scratch / "out-n", workers=cores)
    unchanged = time.perf_counter() - started
    assert rerun.processed == 0, "an unchanged rerun processed files"

    bare_seconds, bare_pages = bare_pdfplumber(corpus["pdf"])
    pdf = results["formats"]["pdf"]  # type: ignore[index]
    vn_pages_per_s = pdf["pages_per_s"] or 0
    results.update(
        {
            "one_worker_s": round(one, 2),
            "all_workers_s": round(many, 2),
            "speedup": round(one / many, 2),
            "docs_per_s_one": round(count / one, 2),
            "docs_per_s_all": round(count / many, 2),
            "unchanged_rerun_s": round(unchanged, 2),
            "unchanged_rerun_share": round(unchanged / many, 4),
            "bare_pdfplumber_pages_per_s": round(bare_pages / bare_seconds, 2),
            "pdf_ratio_vs_bare_pdfplumber": round(vn_pages_per_s / (bare_pages / bare_seconds), 2),
            "peak_rss_mb_orchestrator": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
            "peak_rss_mb_worker": round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
            ),
        }
    )
    print(json.dumps(results, indent=1))
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
