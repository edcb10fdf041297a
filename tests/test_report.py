"""`report --html`: what the page says about the samples, that it is self-contained, and
that nothing from an article can inject markup into it."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cmcc_corpus.align.service import align_corpus
from cmcc_corpus.ingest import IngestOptions, ingest
from cmcc_corpus.report import ReportOptions, build
from cmcc_corpus.report.html import highlighted, lang_attrs, language
from cmcc_corpus.store import Corpus

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
EN, AR = "000_f0c207929c95f00c.txt", "002_4acb3fe92059d304.txt"
VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "source", "col", "area", "base", "embed"}


class Node:
    """An element of the parsed page: tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(child.attrs.get(k) == v for k, v in attrs.items()):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def by_id(self, ident: str) -> Node:
        (node,) = self.find_all(id=ident)
        return node

    def ancestors(self) -> list[Node]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


class Tree(HTMLParser):
    """A strict little DOM: every element must be closed in order (the page is well formed)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.node = self.root
        self.feed(page)
        self.close()
        assert self.node is self.root, f"unclosed <{self.node.tag}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.node.children.append(Node(tag, dict(attrs), self.node))

    def handle_endtag(self, tag: str) -> None:
        assert self.node.tag == tag, f"</{tag}> closes <{self.node.tag}>"
        assert self.node.parent is not None
        self.node = self.node.parent

    def handle_data(self, data: str) -> None:
        self.node.children.append(data)


def _corpus(folder: Path, files: list[Path], manifest: Path | None = SAMPLES / "manifest.jsonl") -> Path:
    db = folder / "corpus.db"
    with Corpus.open(db, write=True) as corpus:
        summary = ingest(corpus, [str(f) for f in files], IngestOptions(manifest=manifest))
        assert summary.rejected == 0
    return db


def _build(db: Path, **options: object) -> tuple[object, str]:
    with Corpus.open(db, create=False) as corpus:
        return build(corpus, ReportOptions(**options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(tmp_path_factory.mktemp("samples"), [SAMPLES])


@pytest.fixture(scope="module")
def page(samples_db: Path) -> str:
    return _build(samples_db)[1]


@pytest.fixture(scope="module")
def tree(page: str) -> Node:
    return Tree(page).root


def test_opening_date_conflict_comes_first_with_both_dates_and_quotes(page: str, tree: Node) -> None:
    sections = [s.attrs["id"] for s in tree.find_all("section")]
    assert sections == ["summary", "conflicts", "timelines", "other-findings", "pairs", "articles"]
    conflicts = tree.by_id("conflicts")
    (card,) = conflicts.find_all("article")
    heading = card.find_all("h3")[0].text
    assert "CMCC" in heading and "opened on" in heading
    text = " ".join(card.text.split())
    assert "2025-10-18 (Al Arabiya English) against 2025-10-17 (Al-Fassel)" in text
    rows = card.find_all("tr")[1:]  # after the heading row
    assert [r.find_all("td")[0].text.split()[0] for r in rows] == ["2025-10-18", "2025-10-17", "2025-10-17"]
    assert "derived" in rows[0].text  # five days after October 13
    # The quoted words are highlighted, and each quote links to its place in the article text.
    marks = [m.text for m in card.find_all("mark")]
    assert "Since its launch on October 17, the CMCC" in "".join(marks)
    for link in card.find_all("a", **{"class": "goto"}):
        target = tree.by_id(link.attrs["href"][1:])
        article = next(a for a in target.ancestors() if a.tag == "article")
        assert article.attrs["class"] == "doc" and target.parent is not None and target.parent.tag == "p"
    assert page.index("id=conflicts") < page.index("id=timelines")


def test_summary_counts_documents_by_language_and_outlet_and_findings_by_verdict(tree: Node) -> None:
    summary = tree.by_id("summary")
    tables = summary.find_all("table")
    outlets = {tuple(td.text for td in tr.find_all("td")) for tr in tables[0].find_all("tr")[1:]}
    assert ("Al-Fassel", "Arabic", "1", "473") in outlets and ("Al-Fassel", "English", "1", "493") in outlets
    assert len(outlets) == 5
    verdicts = {tr.find_all("td")[0].text: tr.find_all("td")[1].text for tr in tables[1].find_all("tr")[1:]}
    assert verdicts == {"conflict": "1", "translation": "0", "evolving": "0", "consistent": "3", "single-source": "7"}
    assert all(th.attrs.get("scope") == "col" for t in tables for th in t.find_all("th"))
    assert all(t.find_all("caption") for t in tree.find_all("table"))


def test_arabic_blocks_are_right_to_left(tree: Node) -> None:
    quote = next(b for b in tree.by_id("conflicts").find_all("blockquote") if "أكتوبر" in b.text)
    assert (quote.attrs["lang"], quote.attrs["dir"]) == ("ar", "rtl")
    article = next(a for a in tree.by_id("articles").find_all("article") if "كريات غات" in a.text)
    assert (article.attrs["lang"], article.attrs["dir"]) == ("ar", "rtl")
    cells = [td for td in tree.by_id("pairs").find_all("td") if "كريات غات" in td.text]
    assert cells and all(td.attrs.get("dir") == "rtl" for td in cells)
    # Every block of Arabic text sits in an element that says so.
    for p in tree.by_id("articles").find_all("p"):
        if re.search("[\u0600-\u06ff]{4}", p.text):
            assert any(a.attrs.get("dir") == "rtl" for a in [p, *p.ancestors()]), p.text[:40]


def test_timelines_draw_svg_charts_with_their_data(tree: Node) -> None:
    figures = tree.by_id("timelines").find_all("figure")
    titles = [" ".join(f.find_all("h3")[0].text.split()) for f in figures]
    assert titles[0] == "CMCC · opened on fixed fact in dispute"
    assert "USA · personnel count over time" in titles and "CMCC · member count over time" in titles
    for figure in figures:
        (svg,) = figure.find_all("svg")
        assert svg.attrs["role"] == "img" and svg.attrs["aria-label"].startswith("Chart:")
        assert svg.find_all("path") and svg.find_all("text")  # drawn by matplotlib, text kept as text
    opened = figures[0]
    labels = " ".join(t.text for t in opened.find_all("svg")[0].find_all("text"))
    assert "2025-10-17" in labels and "2025-10-18 (derived)" in labels and "Al Arabiya English" in labels
    personnel = figures[titles.index("USA · personnel count over time")]
    values = [tr.find_all("td")[0].text for tr in personnel.find_all("table")[0].find_all("tr")[1:]]
    assert values == ["up to 200 personnel", "about 200 personnel"]
    ids = [n.attrs["id"] for n in tree.find_all() if "id" in n.attrs]
    assert len(ids) == len(set(ids))  # several charts on one page: no id collides


def test_page_fetches_nothing(page: str, tree: Node) -> None:
    assert not re.search(r"<(script|link|iframe|object|embed|img)\b", page, re.I)
    assert not re.search(r"@import|url\((?!#)", page)
    assert not re.search(r"\bsrc\s*=", page, re.I)
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\';' in page
    ids = {n.attrs["id"] for n in tree.find_all() if "id" in n.attrs}
    hrefs = [n.attrs["href"] or "" for n in tree.find_all() if "href" in n.attrs]
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert [h for h in hrefs if h[1:] not in ids] == []  # every link lands somewhere
    assert not [n for n in tree.find_all() if n.attrs.get("xlink:href", "#").startswith("http")]


def test_page_is_the_same_on_every_run(samples_db: Path, page: str) -> None:
    assert _build(samples_db)[1] == page


def test_article_text_cannot_inject_markup(tmp_path: Path) -> None:
    evil = tmp_path / "evil.md"
    evil.write_text(
        "---\n"
        'title: "<script>alert(1)</script> CMCC opening"\n'
        'source: "<img src=x onerror=alert(2)>"\n'
        'url: "javascript:alert(3)"\n'
        "published: 2025-10-21\n"
        "lang: en\n"
        "---\n\n"
        "The Civil-Military Coordination Center (CMCC) opened on October 20, 2025, officials said on Tuesday"
        " <script>alert(4)</script> in a \u202eevil statement.\n\n"
        "The center coordinates humanitarian aid for Gaza with partner nations, according to the statement.\n",
        encoding="utf-8",
    )
    shutil.copy(SAMPLES / EN, tmp_path / EN)
    db = _corpus(tmp_path, [evil, tmp_path / EN])
    report, page = _build(db)
    assert report.verdicts["conflict"] == 1  # the evil article is quoted, in a conflict card
    assert not re.search(r"<(script|img)\b", page, re.I)
    assert "javascript:" not in " ".join(re.findall(r'href="([^"]*)"', page))
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "\u202e" not in page and "\\u202eevil" in page  # a bidi override is shown, never obeyed
    assert not [n for n in Tree(page).root.find_all() if any(a.startswith("on") for a in n.attrs)]


def test_language_codes_are_untrusted_too() -> None:
    # Front matter may declare any `lang`; it ends up in attributes and table cells.
    hostile = 'x" onmouseover="alert(5)'
    (node,) = Tree("<p" + lang_attrs(hostile) + ">t</p>").root.find_all("p")
    assert node.attrs == {"lang": hostile, "dir": "ltr"}
    assert language("<b>") == "&lt;b&gt;" and language("ar") == "Arabic"


def test_highlighted_overlapping_spans_nest_and_keep_the_text() -> None:
    text = "ab<i>c</i>&ef"
    spans = [(1, 6, "quote"), (5, 12, "quote"), (5, 6, "value")]
    root = Tree(highlighted(text, 0, len(text), spans, {1: ["q-1"], 5: ["q-5"]})).root
    assert root.text == text and not root.find_all("i")
    assert [n.attrs["id"] for n in root.find_all("span")] == ["q-1", "q-5"]
    assert [n.text for n in root.find_all("strong")] == ["c"]
    assert "".join(m.text for m in root.find_all("mark")) == "b<i>c</i>&e"


def test_translation_findings_marked_side_by_side_computed_or_stored(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / EN, tmp_path / EN)
    (tmp_path / AR).write_text((SAMPLES / AR).read_text().replace("17 أكتوبر/تشرين الأول", "21 تشرين الأول"))
    db = _corpus(tmp_path, [tmp_path / EN, tmp_path / AR])
    for stored in (False, True):
        if stored:
            with Corpus.open(db, write=True) as corpus:
                align_corpus(corpus)
        report, page = _build(db)
        assert report.pairs_stored is stored and report.verdicts["translation"] == 1
        pairs = Tree(page).root.by_id("pairs")
        (changed,) = pairs.find_all("tr", **{"class": "changed"})
        assert "Translation finding" in changed.text
        assert [m.text for m in changed.find_all("mark")] == ["October 17", "21 تشرين الأول"]
        (item,) = pairs.find_all("li")
        assert "2025-10-17" in item.text and "2025-10-21" in item.text
        assert item.find_all("a")[0].attrs["href"] == f"#{changed.attrs['id']}"
        summary = " ".join(Tree(page).root.by_id("summary").text.split())
        assert ("stored by cmcc-corpus align" in summary) is stored


def test_cli_writes_the_report_and_maps_errors_to_exit_codes(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    assert run("report", "--html", str(out)).exit_code == 3  # no corpus yet: says how to make one
    run("ingest", str(samples / EN), "--manifest", str(samples / "manifest.jsonl"))
    result = run("report", "--html", str(out), "--title", "Gaza <CMCC> desk")
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr and "1 document," in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<title>Gaza &lt;CMCC&gt; desk</title>" in page and "No conflicts" in page
    assert out.stat().st_mode & 0o044  # readable by others: a report is for sharing
    assert not list(tmp_path.glob(".report.html.*"))  # no temporary file left behind
    stdout = run("report", "--html", "-")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("<!DOCTYPE html>")
    missing = run("report", "--html", str(tmp_path / "nowhere" / "r.html"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert run("report").exit_code == 2  # --html is required
