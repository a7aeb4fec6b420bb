from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vnplan.models import Document
from vnplan.pipeline import process_file

sys.path.insert(0, str(Path(__file__).parent))

SEEDS = {
    "000_76046f262c6874d6": 54,  # Kế hoạch 223/KH-UBND
    "001_d1ea71c28f9b4230": 43,  # Quyết định 6745/QĐ-UBND
    "003_3a026ceb35acf91e": 26,  # Quyết định 7028/QĐ-UBND
}
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def seed_docs() -> dict[str, Document]:
    return {stem: process_file(str(SAMPLES / f"{stem}.txt")) for stem in SEEDS}


def dataset_tree(root: Path) -> dict[str, bytes]:
    """A dataset's files and bytes (the run log and the incremental state excluded)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] not in (".vnplan", "runs")
    }


def seed_copies(folder: Path, copies: int) -> Path:
    """Copies of the seeds made distinct by a trailing line, as plans re-issued are."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(copies):
        for stem in SEEDS:
            text = (SAMPLES / f"{stem}.txt").read_text("utf-8")
            (folder / f"{stem}-{n:02d}.txt").write_text(f"{text}\nBản sao số {n}.\n", "utf-8")
    return folder
