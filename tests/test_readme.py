"""The README tells the truth: every ```sh and ```python block in it runs as written.

The blocks run in README order in a copy of the checkout (its samples, Makefile and docs, and
the .venv that `make setup` made) after `make run`, the second of the two set-up commands, so
`out/` is what a new user has. A block that must not run here is listed in NOT_RUN with the
reason; placeholder paths a reader replaces with their own are listed in PLACEHOLDERS. The
worked answer's numbers are checked against what its command prints, and against the
hand-checked expected files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES
from expected import agency_answer, quarter_bounds

README = ROOT / "README.md"
VENV = ROOT / ".venv"
BLOCK_TIMEOUT = 900  # s; `make run` over every sample (OCR included) takes minutes

# A line a block holds → why the test does not run that block.
NOT_RUN = {
    "make setup && make run": "builds the .venv these tests run in, and its `make test` is this "
    "suite; the fixture runs its `make run` in the copy of the checkout",
    "apt-get install": "installs system packages as root: .ci/run does it before the tests",
    "dask scheduler": "starts a Dask scheduler and workers that run until stopped; "
    "tests/test_batch.py runs the same work on a local Dask cluster",
    "SparkSession": "needs Java and Spark, which are not dependencies",
}
# Paths that stand for the reader's own folders → what the copy of the checkout uses instead.
PLACEHOLDERS = {
    "/data/decisions": "decisions",  # a folder of documents: see `_decisions`
    "/data/vnplan": "nightly-out",
}
# Sections that spell every command with its .venv path (the others may assume an active venv).
EXPLICIT_SECTIONS = ("Set-up: two commands", "Using it", "Querying", "For analysts")
ANSWER = re.compile(
    r"it is \*\*(?P<total>\d+) tasks\*\*: the \*\*(?P<in_quarter>\d+)\*\* due in "
    r"(?P<quarter>\d{4}Q[1-4]) \(Kế hoạch (?P<plan>[^,]+),.*?\*\*(?P<left>\d+)\*\* left from "
    r"the \d{4} plan \(Quyết định (?P<decision>[^)]+)\)",
    re.S,
)


@dataclass(frozen=True)
class Block:
    language: str  # sh or python
    code: str
    line: int  # where the block opens in README.md
    section: str  # the heading it stands under

    @property
    def name(self) -> str:
        return f"README.md:{self.line} ({self.section})"

    def reason_not_run(self) -> str | None:
        return next((why for key, why in NOT_RUN.items() if key in self.code), None)


def readme_blocks() -> list[Block]:
    """Every ```sh and ```python block of the README, with its line and section."""
    blocks: list[Block] = []
    body: list[str] = []
    section, fence, start = "", None, 0
    for number, line in enumerate(README.read_text("utf-8").splitlines(), 1):
        if fence is None and line.startswith("#"):
            section = line.lstrip("#").strip()
        elif fence is None and line.startswith("```"):
            fence, start, body = line[3:].strip(), number, []
        elif fence is not None and line.startswith("```"):
            if fence in ("sh", "python"):
                blocks.append(Block(fence, "\n".join(body) + "\n", start, section))
            fence = None
        elif fence is not None:
            body.append(line)
    return blocks


BLOCKS = readme_blocks()
RUN = [b for b in BLOCKS if b.reason_not_run() is None]


def _decisions(folder: Path) -> None:
    """What "/data/decisions" stands for: text plans, a PDF, and a drafts/ folder."""
    folder.mkdir()
    for seed in sorted(SAMPLES.glob("0*.txt")):
        shutil.copy(seed, folder / seed.name)
    shutil.copy(SAMPLES / "pdf" / "000_76046f262c6874d6.pdf", folder / "000.pdf")
    (folder / "drafts").mkdir()
    shutil.copy(SAMPLES / "pdf" / "001_d1ea71c28f9b4230.pdf", folder / "drafts" / "001.pdf")


def _env(checkout: Path) -> dict[str, str]:
    """The environment after `. .venv/bin/activate` (the README says bare commands need it)."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(checkout / ".venv")
    env["PATH"] = f"{checkout / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONHOME", None)
    return env


def _run_block(block: Block, checkout: Path) -> subprocess.CompletedProcess[str]:
    code = block.code
    for placeholder, local in PLACEHOLDERS.items():
        code = code.replace(placeholder, local)
    argv = (
        ["bash", "-e", "-o", "pipefail", "-c", code]
        if block.language == "sh"
        else [str(checkout / ".venv" / "bin" / "python"), "-c", code]
    )
    return _run_in(checkout, argv)


def _run_in(checkout: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    """A command in the copy, with its venv first on PATH, no input, bounded in time."""
    return subprocess.run(
        argv,
        cwd=checkout,
        env=_env(checkout),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


@dataclass
class Checkout:
    path: Path
    make_run: subprocess.CompletedProcess[str]
    results: dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checkout]:
    """A copy of the checkout after `make run`, with every runnable block run in README order."""
    if not (VENV / "bin" / "vnplan").exists():
        pytest.fail(f"{VENV} has no vnplan: the README's tests run after `make setup`")
    path = tmp_path_factory.mktemp("checkout")
    shutil.copytree(SAMPLES, path / "samples")
    shutil.copytree(ROOT / "docs", path / "docs")
    shutil.copy(ROOT / "Makefile", path / "Makefile")
    (path / ".venv").symlink_to(VENV)
    _decisions(path / "decisions")
    make_run = _run_in(path, ["make", "run"])
    results = {block.name: _run_block(block, path) for block in RUN}
    yield Checkout(path, make_run, results)


def _tail(result: subprocess.CompletedProcess[str]) -> str:
    out, err = result.stdout[-2000:], result.stderr[-3000:]
    return f"exit {result.returncode}\nstdout: {out}\nstderr: {err}"


# --------------------------------------------------------------------------- what is run


def test_every_block_is_run_or_listed_with_its_reason() -> None:
    assert {b.language for b in BLOCKS} == {"sh", "python"}
    assert len(RUN) >= 8  # the analysts' commands and snippets among them
    for key in NOT_RUN:  # a reason for a block that is gone would hide nothing, but mislead
        assert sum(key in b.code for b in BLOCKS) == 1, key
    code = "".join(b.code for b in RUN)
    for library in ("import pandas", "import duckdb", "import polars", ".venv/bin/duckdb "):
        assert library in code, library


def test_the_set_up_and_analyst_sections_name_the_venv() -> None:
    """No bare `vnplan`, `python` or `duckdb` where a reader copies commands first."""
    bare = re.compile(r"^\s*(vnplan|python3?|duckdb|pip)\b")
    for block in BLOCKS:
        if block.language == "sh" and block.section in EXPLICIT_SECTIONS:
            for line in block.code.splitlines():
                assert not bare.match(line), f"{block.name}: {line}"


# --------------------------------------------------------------------------- running them


@pytest.mark.slow  # `make run` over every sample first: minutes
def test_make_run_processes_every_sample(checkout: Checkout) -> None:
    assert checkout.make_run.returncode == 0, _tail(checkout.make_run)
    assert (checkout.path / "out" / "dataset.json").exists()


@pytest.mark.slow  # `make run` over every sample first: minutes
@pytest.mark.parametrize("block", RUN, ids=[b.name for b in RUN])
def test_readme_block_runs_as_written(checkout: Checkout, block: Block) -> None:
    result = checkout.results[block.name]
    assert result.returncode == 0, _tail(result)
    assert "Traceback" not in result.stderr
    if block.language == "python" and block.section == "For analysts":
        assert "Sở Nội vụ" in result.stdout  # each analysis answers about the agency it names


# --------------------------------------------------------------------------- the worked answer


def _answer_block() -> Block:
    (block,) = [b for b in RUN if "--agency" in b.code and b.section == "For analysts"]
    return block


@pytest.mark.slow  # `make run` over every sample first: minutes
def test_the_worked_answer_gives_the_numbers_the_readme_states(checkout: Checkout) -> None:
    """The README's numbers are what its command prints on the input it names."""
    result = checkout.results[_answer_block().name]
    assert result.returncode == 0, _tail(result)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))  # piped: CSV
    stated = ANSWER.search(README.read_text("utf-8"))
    assert stated, "the README no longer states the worked answer's numbers"
    in_quarter = [r for r in rows if r["in_quarter"] == "true"]
    left = [r for r in rows if r["in_quarter"] == "false"]
    assert len(rows) == int(stated["total"])
    assert len(in_quarter) == int(stated["in_quarter"])
    assert len(left) == int(stated["left"])
    assert {r["doc_number"] for r in in_quarter} == {stated["plan"]}
    assert {r["doc_number"] for r in left} == {stated["decision"]}
    assert all(r["status"] == "overdue" for r in left)
    for row in in_quarter:
        due = dt.date.fromisoformat(row["due_date"])
        assert f"{due.year}Q{(due.month - 1) // 3 + 1}" == stated["quarter"]


@pytest.mark.slow  # `make run` over every sample first: minutes
def test_the_worked_answer_agrees_with_the_hand_checked_files(checkout: Checkout) -> None:
    block = _answer_block()
    command = next(line for line in block.code.splitlines() if "--agency" in line)
    as_of = dt.date.fromisoformat(re.search(r"--as-of (\S+)", command)[1])  # type: ignore[index]
    agency = re.search(r'--agency "([^"]+)"', command)[1]  # type: ignore[index]
    rows = csv.DictReader(io.StringIO(checkout.results[block.name].stdout))
    got = {
        (
            Path(r["source_path"]).name,
            int(r["line"]),
            r["due_date"],
            r["status"],
            r["in_quarter"] == "true",
        )
        for r in rows
        if r["origin"] == "appendix"  # the expected files hold the appendix rows
    }
    assert got == agency_answer(agency, *quarter_bounds(as_of), as_of)
