"""`vnplan report` in a real headless browser: it renders offline, its charts hold the data,
and at a desktop's width (1280, 1920 px) and a phone's (390 px) no chart is drawn over another
and no text is cut.

Debian's chromium (`apt-get install chromium`) driven by Playwright; Playwright's own browser
downloads are never used. Screenshots of the charts at each width go to $VNPLAN_SCREENSHOTS
(the committed ones are in docs/screenshots/).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from vnplan.cli import main
from vnplan.dataset import read_table

from conftest import SAMPLES, SEEDS

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
# Screenshots go to a temporary folder, so a test run changes no tracked file; refresh the
# committed ones with `VNPLAN_SCREENSHOTS=docs/screenshots make test`.
SCREENSHOTS = Path(
    os.environ.get("VNPLAN_SCREENSHOTS") or Path(tempfile.gettempdir()) / "vnplan-screenshots"
)
WIDTHS = (1280, 1920, 390)  # desktop widths, and a phone's
LAYOUT_JS = Path(__file__).with_name("report_layout.js").read_text("utf-8")

# chart element id → (Vega data set, the fields that identify a row)
CHARTS = {
    "chart-agencies": ("tasks_by_agency", ("agency", "status")),
    "chart-timeline": ("deadlines_by_month", ("month", "status")),
    "chart-quarters": ("deadlines_by_quarter", ("due_quarter", "status")),
    "chart-kinds": ("task_kinds", ("doc_id", "source_path", "kind")),
    "chart-overdue": ("overdue_by_agency", ("agency",)),
}
SAME_NAME = "000_76046f262c6874d6.txt"  # three documents in the input share this file name


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seeds, a file that fails, and a seed's file name three times over: the same bytes
    in another folder, and an edited copy (another document with the same number and title);
    and the report of that dataset."""
    src = tmp_path_factory.mktemp("in")
    for stem in SEEDS:
        shutil.copy(SAMPLES / f"{stem}.txt", src / f"{stem}.txt")
    (src / "empty.txt").write_bytes(b"")
    for folder in ("again", "edited"):
        (src / folder).mkdir()
        shutil.copy(SAMPLES / SAME_NAME, src / folder / SAME_NAME)
    with (src / "edited" / SAME_NAME).open("a", encoding="utf-8") as edited:
        edited.write("\n")
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


def _open(browser: Any, page_path: Path, width: int) -> tuple[Any, dict[str, list[str]]]:
    """The page at `width` px, with every network request refused and recorded, once drawn."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    seen: dict[str, list[str]] = {"requests": [], "messages": []}
    page_url = page_path.as_uri()

    def refuse(route: Any) -> None:
        url = route.request.url
        if url == page_url:
            route.continue_()
        else:
            seen["requests"].append(url)
            route.abort()

    context.route("**/*", refuse)
    page = context.new_page()
    page.on("console", lambda m: seen["messages"].append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen["messages"].append(f"pageerror: {e}"))
    page.goto(page_url)
    page.wait_for_selector("body[data-rendered]", timeout=60_000)
    return page, seen


@pytest.fixture(scope="module")
def rendered(report: tuple[Path, Path], browser: Any) -> Iterator[dict[str, Any]]:
    page, seen = _open(browser, report[1], 1280)
    yield {"page": page, **seen}
    page.context.close()


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


def _resolved_leads(out: Path) -> dict[str, set[str]]:
    """task_id → the lead agencies the registry resolved for it (canonical names)."""
    resolved: dict[str, set[str]] = {}
    for mention in read_table(out, "task_agencies").to_pylist():
        if mention["role"] == "lead" and mention["resolved"]:
            resolved.setdefault(mention["task_id"], set()).add(mention["canonical_name"])
    return resolved


def counted_tasks(out: Path) -> list[dict[str, Any]]:
    """The tasks the report counts: restated prose tasks (duplicate_of) only through their row."""
    return [t for t in read_table(out, "tasks").to_pylist() if not t.get("duplicate_of")]


def expected_counts(out: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """What each chart should show, computed from the tables with plain Python."""
    resolved = _resolved_leads(out)
    want: dict[str, Counter[tuple[Any, ...]]] = {name: Counter() for name in CHARTS}
    for task in counted_tasks(out):
        status, due = _status(task), task["due_date"]
        for agency in task["lead_agencies"]:
            if agency not in resolved.get(task["task_id"], set()):
                continue  # a mention the registry lacks: left out, and counted in the note
            want["chart-agencies"][(agency, status)] += 1
            if status == "overdue":
                want["chart-overdue"][(agency,)] += 1
        if due is not None:
            want["chart-timeline"][(due.strftime("%Y-%m"), status)] += 1
            want["chart-quarters"][(f"{due.year}Q{(due.month - 1) // 3 + 1}", status)] += 1
        kind = "recurring" if task["recurring"] else "dated" if due else "no date"
        want["chart-kinds"][(task["doc_id"], task["source_path"], kind)] += 1
    return want


def left_out(out: Path, overdue_only: bool = False) -> tuple[int, int]:
    """(tasks naming no lead agency, lead mentions the registry lacks) the agency charts omit."""
    resolved = _resolved_leads(out)
    tasks = [t for t in counted_tasks(out) if not overdue_only or _status(t) == "overdue"]
    no_lead = sum(1 for t in tasks if not t["lead_agencies"])
    unresolved = sum(
        1
        for t in tasks
        for agency in t["lead_agencies"]
        if agency not in resolved.get(t["task_id"], set())
    )
    return no_lead, unresolved


# --------------------------------------------------------------------------- tests


def test_the_page_renders_offline_without_errors(rendered: dict[str, Any]) -> None:
    page = rendered["page"]
    assert page.evaluate("document.body.dataset.rendered") == "ok"
    assert rendered["messages"] == []  # no console error, and no Vega warning either
    assert rendered["requests"] == []  # everything the page needs is inside it
    assert sorted(page.evaluate("Object.keys(window.vnplanViews)")) == sorted(CHARTS)


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
        key = f"[data-doc-id='{doc['doc_id']}'][data-source='{doc['source_path']}']"
        section = page.locator(f"section.document{key}")
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


def test_documents_are_told_apart_never_merged_by_file_name(
    report: tuple[Path, Path], rendered: dict[str, Any]
) -> None:
    """One bar per document: the same file name in three folders is three bars, each labelled
    by the document's number and title, or by a path that tells it from the others."""
    out, _ = report
    script = "window.vnplanViews['chart-kinds'].data('task_kinds')"
    rows = rendered["page"].evaluate(script)
    labels = {(r["doc_id"], r["source_path"]): r["document"] for r in rows}
    assert len(set(labels.values())) == len(labels)  # no two documents share a label
    documents = {
        (d["doc_id"], d["source_path"]): d for d in read_table(out, "documents").to_pylist()
    }
    with_tasks = {(t["doc_id"], t["source_path"]) for t in counted_tasks(out)}
    assert set(labels) == with_tasks
    same_name = [key for key in labels if Path(key[1]).name == SAME_NAME]
    assert len(same_name) == 3 and len({key[0] for key in same_name}) == 2  # a copy, an edit
    for key, label in labels.items():
        number = documents[key]["doc_number"] or "(no number)"
        assert label.startswith(f"{number} · ")
    for key in same_name:  # same number and title: the path tells them apart
        assert labels[key].endswith(PurePath(key[1]).name)
        assert key[1].endswith(labels[key].split(" · ")[1])
    # the axis shows each label whole (on up to a few lines): the bars are told apart on screen
    y_axis = "#chart-kinds svg g.role-axis[aria-label^='Y-axis'] .role-axis-label text"
    axis = rendered["page"].locator(y_axis).all_text_contents()
    squashed = sorted(label.replace(" ", "") for label in labels.values())
    assert sorted(text.replace(" ", "") for text in axis) == squashed


def _note(page: Any, element: str) -> str:
    text: str = page.locator(f"figure:has(#{element}) .note").inner_text()
    return " ".join(text.split())


def test_agency_charts_say_what_they_leave_out(
    report: tuple[Path, Path], rendered: dict[str, Any]
) -> None:
    out, _ = report
    page = rendered["page"]
    for element, overdue_only in (("chart-agencies", False), ("chart-overdue", True)):
        no_lead, unresolved = left_out(out, overdue_only)
        note = _note(page, element)
        assert f"Not shown: {no_lead} tasks that name no lead agency" in note, note
        if unresolved:
            assert f"{unresolved} lead-agency mentions" in note, note
        else:
            assert "lead-agency mentions" not in note, note
        # only registry names are drawn: every bar's agency is a canonical name
        rows = chart_rows(page, element)
        canonical = {a for names in _resolved_leads(out).values() for a in names}
        assert {r["agency"] for r in rows} <= canonical


def test_the_task_count_is_explained_where_it_differs_from_the_runs(
    report: tuple[Path, Path], rendered: dict[str, Any]
) -> None:
    out, _ = report
    (summary,) = (out / "runs").glob("*.json")
    stored = json.loads(summary.read_text("utf-8"))["tasks"]  # what `vnplan run` printed
    counted = len(counted_tasks(out))
    assert counted < stored  # the seeds' bodies restate their appendices
    note = " ".join(rendered["page"].locator("#counting").inner_text().split())
    assert f"The run stored {stored} tasks; this page counts {counted}: " in note
    assert f"{stored - counted} prose tasks restate an appendix row" in note
    assert "counted once" in note
    kpi = rendered["page"].locator(".kpi", has_text="tasks").first.inner_text()
    assert kpi.split()[0] == str(counted)


@pytest.mark.parametrize("width", WIDTHS)
def test_layout_no_chart_over_another_and_no_text_cut(
    report: tuple[Path, Path], browser: Any, width: int
) -> None:
    """The page at a desktop's and a phone's width: chart boxes apart, every text inside its
    box, nothing wider than the screen; a screenshot of the charts is kept for people."""
    page, seen = _open(browser, report[1], width)
    try:
        assert page.evaluate("document.body.dataset.rendered") == "ok"
        assert seen["messages"] == [] and seen["requests"] == []
        layout = page.evaluate(LAYOUT_JS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        bottom = max(c["bottom"] for c in layout["charts"])
        shot = SCREENSHOTS / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=True, clip=_clip(width, bottom + 16))
        _shrink(shot)
    finally:
        page.context.close()
    assert len(layout["charts"]) == len(CHARTS)
    assert layout["overlaps"] == []
    assert layout["clipped"] == []
    assert layout["overflowing"] == []
    assert layout["pageWidth"] <= layout["viewport"]  # no sideways scrolling
    # Vega's "…" would mean a shortened label; the only ones are the titles the report
    # shortens itself (the document summaries below give them whole)
    assert all(re.search(r" …$", e["text"]) for e in layout["ellipsis"]), layout["ellipsis"]
    columns = {round(c["left"]) for c in layout["charts"]}
    assert len(columns) == (1 if width < 600 else 2)  # one column on a phone, else two


def _clip(width: int, height: float) -> dict[str, float]:
    return {"x": 0, "y": 0, "width": width, "height": height}


def _shrink(path: Path) -> None:
    """64 colours are plenty for flat charts and text: a screenshot of ~100 kB, not ~300."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
