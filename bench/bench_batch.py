"""`make bench`: batch throughput over a generated corpus of ≥ 2,000 documents.

Builds the corpus from the bundled samples (text, DOCX, HTML, PDF, scanned PDF; each copy made
distinct so the incremental run cannot skip it), then measures in one run:
- docs/s and pages/s per format with all workers;
- the whole corpus with 1 worker (the baseline) and with all workers: the speed-up ratio;
- peak memory (max RSS of the orchestrator and of any worker, from each run's summary);
- an unchanged rerun, as a share of the full run's time;
- a bare pdfplumber loop (extract_text + extract_tables on every page) over the same PDFs,
  as a ratio against vnplan's PDF throughput.
Each run is a `vnplan run` process of its own, as a nightly job runs it, so one run's memory
does not carry into the next. Prints a table and writes bench/results.json. Machine noise:
compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docx

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


def timed_run(folders: list[Path], out: Path, workers: int, fresh: bool = True) -> dict[str, Any]:
    """One `vnplan run` in a process of its own (memory is its own, not the bench's); its run
    summary (OUT/runs/*.json: counts, seconds, peak memory) plus the wall time seen here."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    command = [str(Path(sys.executable).with_name("vnplan")), "run", *map(str, folders)]
    command += ["--out", str(out), "--workers", str(workers), "-q"]
    started = time.perf_counter()
    with (out.parent / f"{out.name}.log").open("w") as log:  # its per-file lines
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=log)
    wall = time.perf_counter() - started
    latest = max((out / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    summary: dict[str, Any] = json.loads(latest.read_text("utf-8"))
    summary["wall_s"] = wall
    return summary


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

    for fmt in corpus:
        run = timed_run([scratch / "corpus" / fmt], scratch / f"out-{fmt}", cores)
        seconds, count = run["wall_s"], run["files"]
        pages = pages_of(scratch / f"out-{fmt}")
        results["formats"][fmt] = {  # type: ignore[index]
            "documents": count,
            "failed": run["failed"],
            "seconds": round(seconds, 2),
            "docs_per_s": round(count / seconds, 2),
            "pages": pages,
            "pages_per_s": round(pages / seconds, 2) if pages else None,
            "peak_rss_mb": run["peak_rss_mb"],
            "worker_peak_rss_mb": run["worker_peak_rss_mb"],
        }
        print(
            f"{fmt:5s} {count:5d} docs {seconds:8.1f} s {count / seconds:8.2f} docs/s"
            f"  peak RSS {run['peak_rss_mb']:.0f} MB, worker {run['worker_peak_rss_mb']:.0f} MB",
            flush=True,
        )

    root = [scratch / "corpus"]
    one_run = timed_run(root, scratch / "out-1", 1)
    one, count = one_run["wall_s"], one_run["files"]
    print(f"all   {count:5d} docs, 1 worker   {one:8.1f} s", flush=True)
    many_run = timed_run(root, scratch / "out-n", cores)
    many = many_run["wall_s"]
    print(f"all   {count:5d} docs, {cores} workers  {many:8.1f} s", flush=True)
    rerun = timed_run(root, scratch / "out-n", cores, fresh=False)
    unchanged = rerun["wall_s"]
    assert rerun["processed"] == 0, "an unchanged rerun processed files"
    print(f"unchanged rerun {unchanged:.2f} s ({unchanged / many:.1%} of the full run)")

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
            "pages_per_s_one": round(pages_of(scratch / "out-1") / one, 2),
            "pages_per_s_all": round(pages_of(scratch / "out-n") / many, 2),
            "unchanged_rerun_s": round(unchanged, 2),
            "unchanged_rerun_share": round(unchanged / many, 4),
            "unchanged_rerun_in_process_s": rerun["seconds"],
            "bare_pdfplumber_pages_per_s": round(bare_pages / bare_seconds, 2),
            "pdf_ratio_vs_bare_pdfplumber": round(vn_pages_per_s / (bare_pages / bare_seconds), 2),
            "peak_rss_mb_orchestrator": max(one_run["peak_rss_mb"], many_run["peak_rss_mb"]),
            "peak_rss_mb_worker": max(
                one_run["worker_peak_rss_mb"], many_run["worker_peak_rss_mb"]
            ),
        }
    )
    results["scale"] = args.scale
    print(json.dumps(results, indent=1))
    # bench_pdf.py's comparisons (key "compare") stay: `make bench` writes both in one run
    path = ROOT / "bench" / "results.json"
    saved = json.loads(path.read_text("utf-8")) if path.exists() else {}
    path.write_text(json.dumps({**saved, **results}, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
