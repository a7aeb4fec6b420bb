"""The `vnplan` command line."""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vnplan import __version__
from vnplan.interrupt import GRACE_SECONDS

# Each command imports what it uses when it runs: `vnplan --version` loads no pipeline, and
# `vnplan run` neither DuckDB's query layer nor Altair (report) nor the dictionary.
if TYPE_CHECKING:
    from vnplan.models import Document

# Commands that register their own options (issue 7) from modules that load DuckDB or Altair:
# imported only when named, or for the help and errors that list every command.
OWN_PARSERS = ("query", "report", "dictionary")

EPILOG = """examples:
  vnplan run samples/ --out out            every plan in a folder (recursive)
  vnplan run plan1.txt plan2.txt --out out named files
  vnplan agencies out --unresolved         mentions the agency registry lacks
  vnplan schema --out schemas              regenerate the JSON Schemas

The output folder holds the tables (tasks.parquet, documents.parquet, …, each a folder
partitioned by issued year), json/<doc_id>.json, dataset.json and runs/<time>.json.
A file that cannot be read is a 'failed' row in documents.parquet. Exit codes: 0 all
files ok, 1 some files failed, 2 the run itself failed, 130 interrupted (Ctrl-C, SIGTERM:
what finished is kept, a rerun resumes).
"""


def _run(args: argparse.Namespace) -> int:
    """Exit codes for schedulers: 0 all files ok, 1 some files failed, 2 the run itself failed,
    130 interrupted (Ctrl-C or SIGTERM: what finished is kept, a rerun resumes)."""
    from vnplan.interrupt import Interrupt

    interrupt = Interrupt().install()  # from here on Ctrl-C winds the run down, no traceback
    try:
        return _run_batch(args, interrupt)
    finally:
        interrupt.restore()


def _run_batch(args: argparse.Namespace, interrupt: Any) -> int:
    from tqdm import tqdm

    from vnplan import batch
    from vnplan.batch import Limits
    from vnplan.interrupt import EXIT_INTERRUPTED
    from vnplan.models import DocumentStatus
    from vnplan.pipeline import discover

    out = Path(args.out)
    problem, warnings = batch.check_out(out, args.paths)
    if problem is not None:
        _log(args, "error", message=problem)
        return 2
    for warning in warnings:
        _log(args, "warning", message=f"warning: {warning}")
    refused: dict[str, str] = {}  # links out of the input folders, unreadable folders
    files = list(discover(args.paths, out, args.include or (), args.exclude or (), refused))
    if not files and not refused:
        _log(args, "error", message=f"no document files found in {' '.join(args.paths)}")
        return 2
    limits = Limits(
        timeout=args.timeout,
        max_bytes=int(args.max_mb * 1024 * 1024),
        max_pages=args.max_pages,
        max_memory_mb=args.max_memory_mb,
        max_unzipped=int(args.max_unzipped_mb * 1024 * 1024),
    )
    quiet_bar = not sys.stderr.isatty() or args.log_json
    bar = tqdm(
        total=len(files) + len(refused),
        unit="file",
        disable=quiet_bar,
        file=sys.stderr,
        desc="vnplan",
    )

    def started(path: str) -> None:
        bar.set_postfix_str(Path(path).name, refresh=True)  # the file last given to a worker

    def done(doc: Document) -> None:
        bar.update(1)
        detail = doc.error if doc.status is DocumentStatus.FAILED else f"{len(doc.tasks)} tasks"
        if args.log_json:
            _log(
                args,
                "file",
                path=doc.source_path,
                status=doc.status.value,
                tasks=len(doc.tasks),
                error=doc.error,
                warnings=len(doc.warnings),
            )
        elif quiet_bar:
            print(f"{doc.source_path}: {doc.status.value}, {detail}", file=sys.stderr)
            if not args.quiet:
                for warning in doc.warnings:
                    print(f"    warning: {warning}", file=sys.stderr)
        elif doc.status is DocumentStatus.FAILED:
            bar.write(f"vnplan: {doc.source_path}: failed, {detail}", file=sys.stderr)

    try:
        summary = batch.run(
            files,
            out,
            workers=args.workers,
            engine=args.engine,
            scheduler=args.scheduler,
            full=args.full,
            limits=limits,
            on_done=done,
            on_start=started,
            refused=refused,
            interrupt=interrupt,
            grace=args.grace,
        )
    except Exception as exc:  # the run itself failed (disk full, scheduler gone): exit 2
        bar.close()
        _log(args, "error", message=f"run failed: {type(exc).__name__}: {exc}")
        return 2
    bar.update(summary.reused)
    bar.close()
    fields = {k: v for k, v in asdict(summary).items() if k != "failures"}
    if summary.interrupted:
        finished = summary.processed + summary.reused
        message = f"interrupted: {finished} of {summary.files} files done; rerun to resume"
        _log(args, "interrupted", message=message, **fields)
        return EXIT_INTERRUPTED
    message = (
        f"{summary.files} files ({summary.processed} processed, {summary.reused} unchanged, "
        f"{summary.removed} removed), {summary.tasks} tasks, {summary.failed} failed, "
        f"{summary.partial} partial, {summary.seconds:g} s -> {out}"
    )
    _log(args, "summary", message=message, failures=summary.failures, **fields)
    if not args.log_json:
        for failure in summary.failures:  # named at the end, where a reader looks
            print(f"  failed: {failure['error'] or failure['path']}", file=sys.stderr)
    return 1 if summary.failed else 0


def _log(args: argparse.Namespace, event: str, message: str | None = None, **fields: Any) -> None:
    """A progress line on stderr: plain text, or one JSON object per line with --log-json."""
    if getattr(args, "log_json", False):
        record = {"event": event, **({"message": message} if message else {}), **fields}
        print(json.dumps(record, ensure_ascii=False, default=str), file=sys.stderr)
    elif message:
        print(f"vnplan: {message}", file=sys.stderr)


def _agencies(args: argparse.Namespace) -> int:
    """Agency mentions of a dataset, counted; --unresolved lists what the registry lacks."""
    import pyarrow.parquet as pq

    path = Path(args.dataset) / "task_agencies.parquet"
    if not path.exists():
        print(
            f"vnplan: {path} not found: run `vnplan run … --out {args.dataset}` first",
            file=sys.stderr,
        )
        return 2
    rows = pq.read_table(path).to_pylist()
    # a cited assignment or a bare title names no agency: listed apart, never counted as one
    cited = [r for r in rows if r["agency_kind"] == "not_agency"]
    rows = [r for r in rows if r["agency_kind"] != "not_agency"]
    counts = _count_mentions(rows, args.unresolved)
    not_agencies = _count_mentions(cited, True) if args.unresolved else {}
    if args.json:
        listing = [{"mention": k[0], "role": k[1], "count": n} for k, n in counts.items()]
        listing += [
            {"mention": k[0], "role": k[1], "count": n, "kind": "not_agency"}
            for k, n in not_agencies.items()
        ]
        print(json.dumps(listing, ensure_ascii=False, indent=1))
        return 0
    label = "unresolved mentions" if args.unresolved else "agency mentions"
    print(f"{sum(counts.values())} {label} ({len(counts)} distinct) in {path}")
    for (name, role), n in counts.items():
        print(f"{n:6d}  {role:8s} {name}")
    if not_agencies:
        print(
            f"{sum(not_agencies.values())} cells that name no agency (a cited assignment, a title)"
        )
        for (name, role), n in not_agencies.items():
            print(f"{n:6d}  {role:8s} {name}")
    return 0


def _count_mentions(rows: list[dict[str, Any]], raw: bool) -> dict[tuple[str, str], int]:
    """(name, role) → mentions, most first; `raw`: unresolved only, by the text as printed."""
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        if raw and row["resolved"]:
            continue
        name = row["raw_mention"] if raw else row["canonical_name"] or row["raw_mention"]
        counts[(name, row["role"])] = counts.get((name, row["role"]), 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _eval(args: argparse.Namespace) -> int:
    """Score the pipeline on files that have a hand-checked expected file."""
    from vnplan import evaluate
    from vnplan.pipeline import discover, process_file

    folder = Path(args.expected)
    scores = []
    for path in discover(args.paths):
        expected = evaluate.load_expected(folder, path)
        if expected is None:
            print(f"vnplan: {path}: no expected file in {folder}, skipped", file=sys.stderr)
            continue
        scores.append((path, evaluate.score(process_file(path), expected)))
    if not scores:
        print(f"vnplan: nothing to evaluate (no expected files in {folder})", file=sys.stderr)
        return 2
    print(evaluate.report(scores))
    if args.verbose:
        for _, result in scores:
            for line in result.mismatches:
                print("  " + line)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from vnplan.schemas import write_schemas

    written = write_schemas(Path(args.out))
    for path in written:
        print(path)
    return 0


def _commands_to_register(argv: list[str] | None) -> tuple[str, ...]:
    """Which of OWN_PARSERS the command line needs: the one it names, or all of them."""
    if argv is None:
        return OWN_PARSERS
    named = next((a for a in argv if not a.startswith("-")), None)
    if named in OWN_PARSERS:
        return (named,)
    if named in ("run", "agencies", "eval", "schema") or argv == ["--version"]:
        return ()
    return OWN_PARSERS  # the help, or an error that lists the commands


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the commands it can need are registered (see OWN_PARSERS)."""
    parser = argparse.ArgumentParser(
        prog="vnplan",
        description=(
            "Turn Vietnamese government plans and decisions into task records (Parquet, JSON)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vnplan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="process files or folders into a dataset",
        description="Process files or folders (recursively) into a dataset folder, in parallel. "
        "A rerun processes only new and changed files and drops the records of deleted ones.",
    )
    run.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of plans")
    run.add_argument("--out", required=True, metavar="DIR", help="output dataset folder")
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: all cores)",
    )
    run.add_argument("--full", action="store_true", help="reprocess every file, changed or not")
    run.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help="in folders, only files matching (e.g. '*.pdf'); repeatable",
    )
    run.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="in folders, skip files matching (e.g. 'drafts/*'); repeatable",
    )
    run.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask cluster",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="time limit per file (default 300)",
    )
    run.add_argument(
        "--max-pages",
        type=int,
        default=2000,
        metavar="N",
        help="fail files with more pages (default 2000)",
    )
    run.add_argument(
        "--max-mb",
        type=float,
        default=200.0,
        metavar="MB",
        help="fail files larger than this (default 200)",
    )
    run.add_argument(
        "--max-memory-mb",
        type=int,
        default=2048,
        metavar="MB",
        help="address-space ceiling per worker (default 2048; 0: none)",
    )
    run.add_argument(
        "--max-unzipped-mb",
        type=float,
        default=512.0,
        metavar="MB",
        help="fail DOCX/ODT packages that inflate to more than this (default 512)",
    )
    run.add_argument(
        "--grace",
        type=float,
        default=GRACE_SECONDS,
        metavar="SECONDS",
        help="on Ctrl-C or SIGTERM, time the files in flight get to finish (default 5)",
    )
    run.add_argument("--log-json", action="store_true", help="one JSON object per line on stderr")
    run.add_argument("-q", "--quiet", action="store_true", help="do not print per-file warnings")
    run.set_defaults(func=_run)

    agencies = sub.add_parser(
        "agencies",
        help="count agency mentions in a dataset (--unresolved: what the registry lacks)",
        description="Count agency mentions in a dataset. With --unresolved, list the raw "
        "mentions that matched no registry entry, most frequent first, to extend "
        "src/normalize/data/agencies.csv.",
    )
    agencies.add_argument("dataset", metavar="OUT", help="a dataset folder written by `run`")
    agencies.add_argument("--unresolved", action="store_true", help="only unresolved mentions")
    agencies.add_argument("--json", action="store_true", help="JSON instead of a table")
    agencies.set_defaults(func=_agencies)

    ev = sub.add_parser(
        "eval",
        help="score the pipeline against hand-checked expected files",
        description="Run the pipeline on files and compare their appendix tasks with "
        "EXPECTED/<stem>.json: precision, recall and F1 of task detection, accuracy per field.",
    )
    ev.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    ev.add_argument(
        "--expected",
        default="samples/expected",
        metavar="DIR",
        help="folder of expected JSON files (default: samples/expected)",
    )
    ev.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    ev.set_defaults(func=_eval)

    schema = sub.add_parser(
        "schema",
        help="write the JSON Schemas of the records",
        description="Write JSON Schemas generated from the pydantic models.",
    )
    schema.add_argument("--out", default="schemas", metavar="DIR", help="folder (default: schemas)")
    schema.set_defaults(func=_schema)

    for name in _commands_to_register(argv):  # issue 7: these live beside their code
        importlib.import_module(f"vnplan.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # `vnplan agencies out | head` ends quietly. The handler is put back on return: a caller
    # in the same process (a test run) must not die of SIGPIPE on a closed socket afterwards.
    piped = hasattr(signal, "SIGPIPE")
    previous = signal.signal(signal.SIGPIPE, signal.SIG_DFL) if piped else None
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = build_parser(argv).parse_args(argv)
        code: int = args.func(args)
    finally:
        if piped:
            signal.signal(signal.SIGPIPE, previous)
    return code


if __name__ == "__main__":
    sys.exit(main())
