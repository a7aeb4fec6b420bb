"""schemas/ is generated from the models; this fails when the two drift apart."""

from __future__ import annotations

import json
from pathlib import Path

from vnplan.cli import main
from vnplan.export.dataset import document_json
from vnplan.models import Document
from vnplan.schemas import PUBLISHED

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def test_committed_schemas_match_the_models(tmp_path: Path) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for name in PUBLISHED:
        fresh = (tmp_path / f"{name}.schema.json").read_text("utf-8")
        committed = SCHEMAS / f"{name}.schema.json"
        assert committed.exists(), f"{committed} missing: run `make schemas`"
        assert committed.read_text("utf-8") == fresh, f"{committed} is stale: run `make schemas`"


def test_task_schema_names_the_contract_fields() -> None:
    schema = json.loads((SCHEMAS / "task.schema.json").read_text("utf-8"))
    for field in (
        "task_id",
        "content",
        "lead_agencies",
        "support_agencies",
        "deadlines",
        "due_date",
        "recurring",
        "milestones",
        "section_path",
    ):
        assert field in schema["properties"], field


def test_document_json_is_the_bytes_json_dumps_would_write(seed_docs: dict[str, Document]) -> None:
    # document_json uses pydantic's faster serializer; the files must not change because of it
    for doc in seed_docs.values():
        plain = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"
        assert document_json(doc) == plain.encode()
