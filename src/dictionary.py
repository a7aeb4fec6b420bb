"""The data dictionary: every table and column of the dataset, its type, meaning and an example.

Generated, never hand-written, so it cannot drift: types come from the Arrow schemas the
writers use, meanings from the pydantic models' field descriptions (and `data/dictionary.toml`
for columns only the export has), examples from a dataset built from the seed plans.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel

from vnplan import models
from vnplan.dataset import TABLES, read_table
from vnplan.export import dataset as export

DATA = Path(__file__).parent / "data" / "dictionary.toml"
FIELD_REF = re.compile(r"^([A-Z]\w*)\.(\w+)$")  # "Provenance.page": a model field's meaning
EXAMPLE_WIDTH = 60

SCHEMAS: dict[str, pa.Schema] = {
    "tasks": export.TASKS_SCHEMA,
    "documents": export.DOCUMENTS_SCHEMA,
    "task_agencies": export.TASK_AGENCIES_SCHEMA,
    "agencies": export.AGENCIES_SCHEMA,
    "sections": export.SECTIONS_SCHEMA,
    "targets": export.TARGETS_SCHEMA,
    "citations": export.CITATIONS_SCHEMA,
}


@dataclass(frozen=True)
class Column:
    name: str  # "milestones.content" for a field of a struct column
    type: str
    meaning: str
    example: str


class DictionaryError(ValueError):
    """A column has no meaning anywhere: document it before it ships."""


def load_config(path: Path = DATA) -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
    return config


def _model(name: str) -> type[BaseModel]:
    model = getattr(models, name, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise DictionaryError(f"dictionary.toml names {name!r}, which is no model")
    return model


def field_description(model_name: str, field: str) -> str | None:
    info = _model(model_name).model_fields.get(field)
    return info.description if info else None


def meaning(table: str, column: str, config: dict[str, Any], model: str) -> str:
    """Text in the data file, else the field it names, else the table model's same-named field."""
    given: str | None = config["tables"][table].get("columns", {}).get(column)
    if given is not None and (ref := FIELD_REF.match(given)):
        found = field_description(ref[1], ref[2])
        if found is None:
            raise DictionaryError(f"{table}.{column}: {given} has no description in the models")
        return found
    if given is not None:
        return given
    found = field_description(model, column.rsplit(".", 1)[-1])
    if found is None:
        raise DictionaryError(
            f"{table}.{column}: no meaning; add a Field description to {model} or a line "
            f"to {DATA.name}"
        )
    return found


def type_name(kind: pa.DataType) -> str:
    """Arrow types as analysts read them: list<string>, date32, list<struct>."""
    if pa.types.is_list(kind):
        return f"list<{type_name(kind.value_type)}>"
    if pa.types.is_struct(kind):
        return "struct"
    if pa.types.is_dictionary(kind):
        return type_name(kind.value_type)
    return {"date32[day]": "date32", "bool": "bool"}.get(str(kind), str(kind))


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def example(values: list[Any]) -> str:
    """The commonest non-empty value (the first seen on a tie), as short text."""
    texts = [_text(v) for v in values if not _is_empty(v)]
    if not texts:
        return ""
    common = Counter(texts).most_common(1)[0][0]  # ties keep first-seen order
    return common if len(common) <= EXAMPLE_WIDTH else common[: EXAMPLE_WIDTH - 1] + "…"


def _struct_values(rows: list[Any], field: str) -> list[Any]:
    return [item.get(field) for row in rows for item in (row or []) if isinstance(item, dict)]


def table_columns(
    table: str, schema: pa.Schema, data: pa.Table, config: dict[str, Any]
) -> list[Column]:
    entry = config["tables"][table]
    model, structs = entry["model"], entry.get("structs", {})
    columns = []
    for field in schema:
        values = data.column(field.name).to_pylist() if field.name in data.column_names else []
        columns.append(
            Column(
                field.name,
                type_name(field.type),
                meaning(table, field.name, config, model),
                example(values),
            )
        )
        struct = field.type.value_type if pa.types.is_list(field.type) else field.type
        if pa.types.is_struct(struct):
            for sub in struct:
                name = f"{field.name}.{sub.name}"
                columns.append(
                    Column(
                        name,
                        type_name(sub.type),
                        meaning(table, name, config, structs.get(field.name, model)),
                        example(_struct_values(values, sub.name)),
                    )
                )
    partition = config.get("partition_columns", {})
    for name in data.column_names:  # added by a partitioned layout, not by the writer
        if name not in schema.names:
            if name not in partition:
                raise DictionaryError(f"{table}.{name}: a column read back has no meaning")
            kind = type_name(data.schema.field(name).type)
            columns.append(
                Column(name, kind, partition[name], example(data.column(name).to_pylist()))
            )
    return columns


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(dataset: Path, config: dict[str, Any] | None = None) -> str:
    """The dictionary of every table, as Markdown, with examples from the dataset `dataset`."""
    config = config or load_config()
    known = {"readers": set(TABLES), "schemas": set(SCHEMAS), DATA.name: set(config["tables"])}
    if len({frozenset(names) for names in known.values()}) != 1:
        raise DictionaryError(f"the tables named in each place disagree: {known}")
    out = [HEADER, "", " · ".join(f"[{t}](#{t})" for t in TABLES), ""]
    for table in TABLES:
        data = read_table(dataset, table)
        out += [f"## {table}", "", config["tables"][table]["about"], ""]
        out += ["| column | type | meaning | example |", "| --- | --- | --- | --- |"]
        for col in table_columns(table, SCHEMAS[table], data, config):
            shown = f"`{_cell(col.example)}`" if col.example else "— (none in the seeds)"
            out.append(f"| {col.name} | {col.type} | {_cell(col.meaning)} | {shown} |")
        out.append("")
    return "\n".join(out)


HEADER = """# Data dictionary

Every table of a vnplan dataset (`vnplan run … --out OUT`), column by column. Generated by
`vnplan dictionary --out docs/DATA_DICTIONARY.md` from the pydantic models (`src/models.py`),
the Arrow schemas the writers use (`src/export/dataset.py`) and `src/data/dictionary.toml`;
examples are the commonest value in the three seed plans (`samples/`). Do not edit by hand:
a test regenerates this file and fails when it is stale.

Each table is `OUT/<table>.parquet`, a file or a folder of Parquet files: read it by that
name (`pd.read_parquet`, DuckDB's `read_parquet('OUT/tasks.parquet/**/*.parquet')`, Polars,
Spark) or with `vnplan query OUT "SELECT … FROM tasks"`. Types are Arrow's: `date32` is a
date, `list<…>` a list, `struct` a record whose fields follow as `column.field` rows."""


# --------------------------------------------------------------------------- sample dataset


def seed_files(samples: Path) -> list[Path]:
    """The seed plans: those with a hand-checked expected file (examples must be real)."""
    sources = []
    for expected in sorted((samples / "expected").glob("*.json")):
        sources.append(samples / json.loads(expected.read_text("utf-8"))["source"])
    return sources


def build_sample_dataset(samples: Path, out: Path) -> None:
    """Run the pipeline on the seed plans into `out` (what the examples are taken from)."""
    from vnplan.export import write_dataset
    from vnplan.normalize import registry_records
    from vnplan.pipeline import process_file

    documents = [process_file(str(path)) for path in seed_files(samples)]
    write_dataset(documents, out, registry=registry_records())


def generate(samples: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="vnplan-dictionary-") as tmp:
        build_sample_dataset(samples, Path(tmp))
        return render(Path(tmp))


# --------------------------------------------------------------------------- command line


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the `dictionary` subcommand."""
    parser = sub.add_parser(
        "dictionary",
        help="write the data dictionary (every table and column) as Markdown",
        description="Write the data dictionary: every table and column of the dataset with "
        "its type, meaning and an example from the seed plans.",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="e.g. docs/DATA_DICTIONARY.md")
    parser.add_argument(
        "--samples",
        default="samples",
        metavar="DIR",
        help="folder of the seed plans and expected/ (default: samples)",
    )
    parser.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    try:
        text = generate(Path(args.samples))
    except (DictionaryError, OSError) as exc:
        print(f"vnplan: {exc}", file=sys.stderr)
        return 2
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(target)
    return 0
