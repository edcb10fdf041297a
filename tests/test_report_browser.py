"""The report of the samples in a real browser (headless Chromium driven by Playwright):
what a person sees, at desktop and phone widths.

Skipped, with the reason, when Playwright's Python package or Debian's Chromium is missing;
CI installs Chromium (.ci/run). `CMCC_REPORT_SCREENSHOT=docs/report.png` also saves the
screenshot there (that is how the README's screenshot is made).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cmcc_corpus.ingest import IngestOptions, ingest
from cmcc_corpus.report import ReportOptions, build, write
from cmcc_corpus.store import Corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed (pip install playwright)"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does this)"
)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    with Corpus.open(folder / "corpus.db", write=True) as corpus:
        ingest(corpus, [str(SAMPLES)], IngestOptions(manifest=SAMPLES / "manifest.jsonl"))
        _, page = build(corpus, ReportOptions(title="cmcc-corpus report: the samples"))
    write(page, folder / "report.html")
    return folder / "report.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, report_file: Path, width: int, height: int = 1000) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_file.as_uri())
    page.wait_for_load_state("load")
    assert requests == [report_file.as_uri()]  # the page fetches nothing but itself
    return page


def test_a_reader_sees_the_conflict_arabic_right_to_left_and_charts(
    browser: Any, report_file: Path, tmp_path: Path
) -> None:
    page = _open(browser, report_file, 1200, 1500)
    # What an editor looks at first: the conflict, then the chart of its competing values.
    page.evaluate("() => document.getElementById('conflicts').scrollIntoView()")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("CMCC_REPORT_SCREENSHOT"):
        shutil.copy(shot, os.environ["CMCC_REPORT_SCREENSHOT"])

    conflict = page.locator("#conflicts article.finding.conflict")
    assert conflict.count() == 1 and conflict.is_visible()
    text = conflict.inner_text()
    assert "2025-10-17" in text and "2025-10-18" in text and "opened on" in text
    for value in ("2025-10-17", "2025-10-18"):
        cell = conflict.locator("strong.value", has_text=value).first
        assert cell.is_visible() and cell.bounding_box()["width"] > 20

    arabic = conflict.locator("blockquote[lang=ar]")
    arabic.scroll_into_view_if_needed()
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # Laid out right to left: the first letter of the Arabic quote sits at the block's right edge.
    first, block = arabic.evaluate(
        """e => {
            const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            let node = walker.nextNode();
            while (node && !node.data.trim()) node = walker.nextNode();
            const range = document.createRange();
            range.setStart(node, 0); range.setEnd(node, 1);
            const r = range.getBoundingClientRect(), b = e.getBoundingClientRect();
            return [[r.left, r.right], [b.left, b.right]];
        }"""
    )
    assert block[1] - first[1] < 12 and first[0] > (block[0] + block[1]) / 2

    charts = page.locator("svg.chart")
    assert charts.count() >= 2
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    labels = charts.first.locator("text", has_text="2025-10-18")
    assert labels.count() >= 1 and labels.first.bounding_box()["width"] > 0

    link = conflict.locator("a.goto").first
    link.click()
    assert page.evaluate("() => location.hash") == link.get_attribute("href")
    target = page.locator(link.get_attribute("href"))
    assert target.evaluate("e => e.closest('article').id.startsWith('doc-')")
    page.close()


@pytest.mark.parametrize("width", [320, 375, 768])
def test_narrow_screens_have_no_horizontal_overflow(browser: Any, report_file: Path, width: int) -> None:
    page = _open(browser, report_file, width)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    cell = page.locator("#conflicts td[data-label=Quote]").first
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.locator("#conflicts").inner_text().count("2025-10-17") >= 2
    page.close()
