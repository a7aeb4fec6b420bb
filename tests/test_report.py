"""`vnplan report` in a real headless browser: it renders offline, and its charts hold the data.

Debian's chromium (`apt-get install chromium`) driven by Playwright; Playwright's own browser
downloads are never used. The screenshot goes to artifacts/report.png for CI to keep.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from vnplan.cli import main
from vnplan.dataset import read_table

from conftest import ROOT, SAMPLES, SEEDS

AS_OF = dt.date(2023, 11, 15)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "artifacts" / "report.png"

# chart element id → (Vega data set, the fields that identify a row)
CHARTS = {
    "chart-agencies": ("tasks_by_agency", ("agency", "status")),
    "chart-timeline": ("deadlines_by_month", ("month", "status")),
    "chart-quarters": ("deadlines_by_quarter", ("due_quarter", "status")),
    "chart-kinds": ("task_kinds", ("document", "kind")),
    "chart-overdue": ("overdue_by_agency", ("agency",)),
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seeds plus a file that fails, and the report of that dataset."""
    src = tmp_path_factory.mktemp("in")
    for stem in SEEDS:
        shutil.copy(SAMPLES / f"{stem}.txt", src / f"{stem}.txt")
    (src / "empty.txt").write_bytes(b"")
    out = tmp_path_factory.mktemp("dataset") / "out"
    assert main(["run", str(src), "--out", str(out), "--quiet"]) == 1  # the empty file failed
    page = out.parent / "site" / "report.html"
    assert main(["report", str(out), "--html", str(page), "--as-of", AS_OF.isoformat()]) == 0
    return out, page


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: CI must `apt-get install chromium`")
        pytest.skip("no chromium here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def rendered(report: tuple[Path, Path], browser: Any) -> Iterator[dict[str, Any]]:
    """The page opened with every network request refused and recorded, once drawn."""
    _, page_path = report
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page_url = page_path.as_uri()

    def refuse(route: Any) -> None:
        url = route.request.url
        if url == page_url:
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    context.route("**/*", refuse)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.goto(page_url)
    page.wait_for_selector("body[data-rendered]", timeout=60_000)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    yield {"page": page, "requests": requests, "messages": messages}
    context.close()


def chart_rows(page: Any, element: str) -> list[dict[str, Any]]:
    """The rows a chart was drawn from, read back from its Vega view."""
    dataset, keys = CHARTS[element]
    script = """([element, dataset, fields]) => window.vnplanViews[element].data(dataset)
        .map((row) => Object.fromEntries(fields.map((f) => [f, row[f]])))"""
    rows: list[dict[str, Any]] = page.evaluate(script, [element, dataset, [*keys, "tasks"]])
    return rows


def counts(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    return Counter({tuple(r[k] for k in keys): r["tasks"] for r in rows})


# --------------------------------------------------------------------------- the dataset's side


def _status(task: dict[str, Any]) -> str:
    if task["recurring"]:
        return "recurring"
    if task["due_date"] is None:
        return "no date"
    return "overdue" if task["due_date"] < AS_OF else "upcoming"


def expected_counts(out: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """What each chart should show, computed from the tables with plain Python."""
    tasks = [t for t in read_table(out, "tasks").to_pylist() if not t.get("duplicate_of")]
    docs = {(d["doc_id"], d["source_path"]): d for d in read_table(out, "documents").to_pylist()}
    want: dict[str, Counter[tuple[Any, ...]]] = {name: Counter() for name in CHARTS}
    for task in tasks:
        status, due = _status(task), task["due_date"]
        for agency in task["lead_agencies"]:
            want["chart-agencies"][(agency, status)] += 1
            if status == "overdue":
                want["chart-overdue"][(agency,)] += 1
        if due is not None:
            want["chart-timeline"][(due.strftime("%Y-%m"), status)] += 1
            want["chart-quarters"][(f"{due.year}Q{(due.month - 1) // 3 + 1}", status)] += 1
        doc = docs[(task["doc_id"], task["source_path"])]
        label = f"{doc['doc_number'] or '?'} · {Path(task['source_path']).name}"
        kind = "recurring" if task["recurring"] else "dated" if due else "no date"
        want["chart-kinds"][(label, kind)] += 1
    return want


# --------------------------------------------------------------------------- tests


def test_the_page_renders_offline_without_errors(rendered: dict[str, Any]) -> None:
    page = rendered["page"]
    assert page.evaluate("document.body.dataset.rendered") == "ok"
    assert rendered["messages"] == []  # no console error, and no Vega warning either
    assert rendered["requests"] == []  # everything the page needs is inside it
    assert sorted(page.evaluate("Object.keys(window.vnplanViews)")) == sorted(CHARTS)
    assert SCREENSHOT.stat().st_size > 10_000


@pytest.mark.parametrize("element", list(CHARTS))
def test_chart_data_matches_the_dataset(
    report: tuple[Path, Path], rendered: dict[str, Any], element: str
) -> None:
    rows = chart_rows(rendered["page"], element)
    got = counts(rows, CHARTS[element][1])
    assert got == expected_counts(report[0])[element]
    # every row is drawn: one bar (an SVG path of the rect mark) per row
    bars = rendered["page"].locator(f"#{element} svg .mark-rect path").count()
    assert bars == len(rows) > 0


def test_the_numbers_people_will_quote(rendered: dict[str, Any]) -> None:
    """Spot checks against the hand-checked seeds, not just against the pipeline."""
    overdue = counts(chart_rows(rendered["page"], "chart-overdue"), ("agency",))
    assert overdue.most_common(1)[0][0] == ("Sở Nội vụ",)
    timeline = counts(chart_rows(rendered["page"], "chart-timeline"), ("month", "status"))
    assert timeline[("2023-10", "overdue")] > 0 and timeline[("2023-12", "upcoming")] > 0
    as_of = rendered["page"].evaluate("window.vnplanViews['chart-timeline'].data('as_of')[0].label")
    assert as_of == f"as of {AS_OF.isoformat()}"


def test_each_document_has_a_summary_linking_to_its_source(
    report: tuple[Path, Path], rendered: dict[str, Any]
) -> None:
    out, page_path = report
    page = rendered["page"]
    documents = read_table(out, "documents").to_pylist()
    sections = page.locator("section.document")
    assert sections.count() == len(documents)
    for doc in documents:
        section = page.locator(f"section.document[data-doc-id='{doc['doc_id']}']").first
        text = section.inner_text()
        if doc["status"] == "failed":
            assert doc["error"] in text
            continue
        assert doc["doc_number"] in text
        href = section.locator("a.source").get_attribute("href")
        target = (page_path.parent / unquote(urlparse(href).path)).resolve()
        assert target == Path(doc["source_path"]).resolve()
    # each task row links to its line in the source
    first = page.locator("table.tasks a").first
    assert (first.text_content() or "").startswith("line ")  # inside a closed <details>
    assert (page_path.parent / unquote(first.get_attribute("href"))).exists()


def test_a_dataset_with_nothing_to_chart_says_so(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    out, page = tmp_path / "out", tmp_path / "report.html"
    assert main(["run", str(tmp_path / "in"), "--out", str(out), "--quiet"]) == 1
    assert main(["report", str(out), "--html", str(page), "--as-of", "2024-01-01"]) == 0
    text = page.read_text("utf-8")
    assert "Nothing is overdue." in text and "No task has a due date." in text
    assert '<script type="application/json" id="vnplan-specs">{}</script>' in text
    assert "empty file (0 bytes)" in text
