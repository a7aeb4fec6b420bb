"""The `vnplan` command line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from vnplan import __version__, evaluate
from vnplan.export import write_dataset
from vnplan.models import DocumentStatus
from vnplan.normalize import registry_records
from vnplan.pipeline import discover, process_file
from vnplan.schemas import write_schemas

EPILOG = """examples:
  vnplan run samples/ --out out            every plan in a folder (recursive)
  vnplan run plan1.txt plan2.txt --out out named files
  vnplan agencies out --unresolved         mentions the agency registry lacks
  vnplan schema --out schemas              regenerate the JSON Schemas

The output folder holds tasks.parquet, documents.parquet, task_agencies.parquet and
json/<doc_id>.json. A file that cannot be read is a 'failed' row in documents.parquet;
the exit code is 1 when any file failed, 0 otherwise.
"""


def _run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    files = list(discover(args.paths, exclude=out))
    if not files:
        print(f"vnplan: no document files found in {' '.join(args.paths)}", file=sys.stderr)
        return 2
    documents = []
    for index, path in enumerate(files, start=1):
        doc = process_file(path)
        documents.append(doc)
        detail = doc.error if doc.status is DocumentStatus.FAILED else f"{len(doc.tasks)} tasks"
        print(f"[{index}/{len(files)}] {path}: {doc.status.value}, {detail}", file=sys.stderr)
        if not args.quiet:
            for warning in doc.warnings:
                print(f"    warning: {warning}", file=sys.stderr)
    counts = write_dataset(documents, out, registry=registry_records())
    failed = sum(1 for d in documents if d.status is DocumentStatus.FAILED)
    partial = sum(1 for d in documents if d.status is DocumentStatus.PARTIAL)
    print(
        f"vnplan: {len(documents)} files, {counts['tasks']} tasks, {failed} failed, "
        f"{partial} partial -> {out}",
        file=sys.stderr,
    )
    return 1 if failed else 0


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
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        if args.unresolved and row["resolved"]:
            continue
        name = (
            row["raw_mention"] if args.unresolved else row["canonical_name"] or row["raw_mention"]
        )
        key = (name, row["role"])
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if args.json:
        print(
            json.dumps(
                [{"mention": k[0], "role": k[1], "count": n} for k, n in ordered],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    total = sum(counts.values())
    label = "unresolved mentions" if args.unresolved else "agency mentions"
    print(f"{total} {label} ({len(counts)} distinct) in {path}")
    for (name, role), n in ordered:
        print(f"{n:6d}  {role:8s} {name}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    """Score the pipeline on files that have a hand-checked expected file."""
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
    written = write_schemas(Path(args.out))
    for path in written:
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
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
        description="Process files or folders (recursively) into a dataset folder.",
    )
    run.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of plans")
    run.add_argument("--out", required=True, metavar="DIR", help="output dataset folder")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `vnplan agencies out | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
