"""Legacy .doc, .rtf and .odt through LibreOffice: the same tasks as the text version."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from vnplan.ingest import IngestError, load
from vnplan.models import Document
from vnplan.pipeline import process_file

from conftest import SAMPLES
from expected import appendix

STEM = "003_3a026ceb35acf91e"
needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice not installed (CI installs it)",
)


def _convert(source: Path, fmt: str, folder: Path) -> Path:
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            fmt,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / f"{source.stem}.{fmt}"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("office")
    odt = _convert(SAMPLES / "docx" / f"{STEM}.docx", "odt", folder)
    rtf = _convert(SAMPLES / "docx" / f"{STEM}.docx", "rtf", folder)
    doc_folder = folder / "doc"
    doc_folder.mkdir()
    doc = _convert(odt, "doc", doc_folder)  # a Word 97 file, as LibreOffice writes it
    return {".odt": odt, ".rtf": rtf, ".doc": doc}


def _fields(doc: Document, numbers: bool = True) -> list[tuple[object, ...]]:
    # The seed's STT column is Word list numbering, which LibreOffice writes back one numId
    # per cell sharing one abstractNum, restarted by startOverride: task_no checks that the
    # restorer counts per abstractNum as Word does.
    return [
        ((t.task_no,) if numbers else ())
        + (t.content, t.lead_agencies, t.support_agencies)
        + (t.deadlines,)
        for t in appendix(doc)
    ]


@needs_office
@pytest.mark.parametrize("suffix", [".doc", ".rtf", ".odt"])
def test_legacy_formats_give_the_text_versions_tasks(
    suffix: str, converted: dict[str, Path], seed_docs: dict[str, Document]
) -> None:
    doc = process_file(str(converted[suffix]))
    assert doc.status.value == "ok" and doc.source_format.value == suffix[1:]
    assert any("converted from" in w and "LibreOffice" in w for w in doc.warnings)
    # LibreOffice's Word 97 writer puts the first item of each numbered run in a list of its
    # own (reopened, LibreOffice itself shows "1, 1, 2, 3 …"), so the .doc copy's numbers are
    # not the seed's; its other fields are.
    numbers = suffix != ".doc"
    assert _fields(doc, numbers) == _fields(seed_docs[STEM], numbers)  # 26 rows, all equal


def test_without_libreoffice_the_error_names_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # office looks the program up
    path = tmp_path / "plan.rtf"
    path.write_text("{\\rtf1\\ansi Kế hoạch}", "utf-8")
    with pytest.raises(
        IngestError, match=r"needs LibreOffice \('soffice'\), which is not installed"
    ):
        load(path)
