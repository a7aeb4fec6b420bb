"""Each command imports what it uses: which modules a fresh interpreter holds afterwards.

Not a timing test: the start-up times are measured in bench/ (`make bench`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES

HEAVY = ["duckdb", "altair", "spacy", "pandas", "pyarrow", "pdfplumber", "pypdfium2", "cv2"]
ANALYSTS = ["vnplan.query", "vnplan.report", "vnplan.dictionary", "altair"]


def loaded_after(code: str, watched: list[str]) -> list[str]:
    """The watched modules a new interpreter has imported once `code` ran."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {watched!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_importing_the_cli_loads_no_engine() -> None:
    assert loaded_after("import vnplan.cli", [*HEAVY, "vnplan.batch", "vnplan.pipeline"]) == []


def test_the_version_loads_no_engine() -> None:
    code = (
        "from vnplan.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    )
    assert loaded_after(code, [*HEAVY, "pydantic", "vnplan.batch"]) == []


def test_a_run_never_loads_the_analysts_commands(tmp_path: Path) -> None:
    text = SAMPLES / "prose" / "045_ke_hoach_chuyen_doi_so.txt"
    argv = ["run", str(text), "--out", str(tmp_path), "-q"]
    code = f"from vnplan.cli import main\nmain({argv!r})"
    assert loaded_after(code, [*ANALYSTS, "pdfplumber", "pypdfium2", "cv2", "docx"]) == []
    assert (tmp_path / "tasks.parquet").is_dir()  # and it did run


def test_reading_a_text_file_loads_no_pdf_or_word_library() -> None:
    text = SAMPLES / "000_76046f262c6874d6.txt"
    code = f"from vnplan.ingest import load\nload({str(text)!r})"
    assert loaded_after(code, ["pdfplumber", "pypdfium2", "cv2", "docx", "lxml"]) == []


def test_the_help_still_lists_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vnplan.cli", "--help"], check=True, capture_output=True, text=True
    )
    assert "{run,agencies,eval,schema,query,report,dictionary}" in done.stdout
