"""JSON Schemas generated from the models: the published form of the record vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from vnplan.models import Document, RawDocument, Task

PUBLISHED: dict[str, type[BaseModel]] = {
    "document": Document,
    "task": Task,
    "raw_document": RawDocument,
}


def render(model: type[BaseModel]) -> str:
    return (
        json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in PUBLISHED.items():
        path = folder / f"{name}.schema.json"
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written
