"""Data flows one way: a stage imports only the models and the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
ORDER = ["ingest", "parse", "normalize", "export"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("stage", ORDER)
def test_stage_never_imports_a_later_stage_or_the_pipeline(stage: str) -> None:
    later = ORDER[ORDER.index(stage) + 1 :]
    forbidden = {f"vnplan.{s}" for s in later} | {"vnplan.pipeline", "vnplan.cli"}
    for path in (SRC / stage).rglob("*.py"):
        for module in _imports(path):
            assert not any(module == f or module.startswith(f + ".") for f in forbidden), (
                f"{path.relative_to(SRC)} imports {module}"
            )


def test_export_decides_no_content() -> None:
    for path in (SRC / "export").rglob("*.py"):
        modules = _imports(path)
        assert not any(
            m.startswith(("vnplan.parse", "vnplan.normalize", "vnplan.ingest")) for m in modules
        ), path
