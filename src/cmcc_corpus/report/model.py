"""What the report shows, gathered from the corpus as plain data (nothing rendered here).

The report only reads the corpus. Findings are computed when the report is made, from
the stored claims, by the same `compare` the `compare` command runs, so they are never
stale and a read-only corpus can be reported on. Translation pairs and their findings
are the ones `align` stored; on a corpus where `align` has stored no pairs they are
computed in memory the way `align` would, and the report says which it did.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..compare import DEFAULT_TOLERANCE, VERDICTS, CompareOptions, Finding, compare, evolving_predicates
from ..store import Corpus, Document, StoredParagraph, translate_errors

MAX_CONTEXT = 400  # at most this many characters of a long sentence are shown around a quote
SHOWN_VERDICTS = ("conflict", "evolving", "consistent")  # cross-source findings with their own cards


@dataclass(frozen=True)
class ReportOptions:
    """The report's title, when it was made, and the comparison's settings."""

    title: str = "cmcc-corpus report"
    generated: str | None = None  # shown under the title; None keeps the page byte-for-byte repeatable
    tolerance: float = DEFAULT_TOLERANCE
    max_charts: int = 40  # a corpus with thousands of evolving facts still gives a readable page
    max_pairs: int = 50


@dataclass(frozen=True)
class Doc:
    """A document as the report names it."""

    id: str
    file: str
    title: str | None
    lang: str
    source: str | None
    published: str | None
    url: str | None
    words: int

    @property
    def short(self) -> str:
        """The id prefix `list` prints."""
        return self.id[3:13]

    @property
    def anchor(self) -> str:
        """Fragment id of the document's text in the page."""
        return f"doc-{self.short}"

    @property
    def outlet(self) -> str:
        """The outlet, or a plain word when the corpus does not know it."""
        return self.source or "unknown outlet"


@dataclass(frozen=True)
class Quote:
    """A quoted place: the quote's offsets, the sentence around it, the value's words in it."""

    doc_id: str
    start: int
    end: int
    context: tuple[int, int]
    values: tuple[tuple[int, int], ...] = ()

    @property
    def anchor(self) -> str:
        """Fragment id of the quote in the document's text."""
        return f"q-{self.doc_id[3:13]}-{self.start}-{self.end}"


@dataclass(frozen=True)
class Evidence:
    """One document's statement of a value, with the quote that says it."""

    value: Any
    qualifier: str | None
    unit: str | None
    doc: Doc
    as_of: str | None
    quote: Quote
    derived: bool = False
    modality: str = "asserted"


@dataclass(frozen=True)
class FindingView:
    """A finding with its evidence resolved to documents and quoted places."""

    id: str
    verdict: str
    subject: str
    predicate: str
    unit: str | None
    note: str
    evidence: tuple[Evidence, ...]

    @property
    def anchor(self) -> str:
        """Fragment id of the finding's card."""
        return f"finding-{self.id}"


@dataclass(frozen=True)
class Mark:
    """One statement placed on a chart: `x` is an ISO date, `low`/`high` what the qualifier allows."""

    x: str
    y: float | None  # None on a fixed-fact chart, where each statement has its own row
    low: float | None
    high: float | None
    series: str
    evidence: Evidence
    year_assumed: bool = False  # the text gave no year; the as-of year places it


@dataclass(frozen=True)
class Timeline:
    """A chart: an evolving fact's values over time, or a fixed fact's competing values."""

    id: str
    kind: str  # "evolving" (value against as-of date) or "fixed" (competing values, one row per source)
    subject: str
    predicate: str
    marks: tuple[Mark, ...]
    evidence: tuple[Evidence, ...]  # every statement, also those that cannot be placed
    findings: tuple[str, ...] = ()  # ids of the findings drawn


@dataclass(frozen=True)
class PairRow:
    """One link of an aligned pair: paragraph numbers on each side and the findings in them."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairView:
    """A translation pair, its aligned paragraphs and its translation findings."""

    source: Doc
    translation: Doc
    score: float
    rows: tuple[PairRow, ...]
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class DocText:
    """A document's text and paragraphs, and the places the report quotes in it."""

    doc: Doc
    text: str
    paragraphs: tuple[StoredParagraph, ...]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Report:
    """Everything the page shows, as plain data."""

    title: str
    generated: str | None
    corpus: str
    documents: tuple[Doc, ...]
    claims: int
    verdicts: dict[str, int]
    findings: tuple[FindingView, ...]  # conflicts, evolving and consistent findings, conflicts first
    timelines: tuple[Timeline, ...]
    pairs: tuple[PairView, ...]
    texts: tuple[DocText, ...]
    pairs_stored: bool  # pairs are the ones `align` stored (else computed for this report)
    omitted: dict[str, int] = field(default_factory=dict)  # charts and pairs left out past the caps

    def text_of(self, doc_id: str) -> DocText:
        """The text of a document the report includes."""
        return next(t for t in self.texts if t.doc.id == doc_id)

    def sizes(self) -> list[tuple[str, str, int, int]]:
        """(outlet, language, documents, words), most documents first."""
        docs: Counter[tuple[str, str]] = Counter()
        words: Counter[tuple[str, str]] = Counter()
        for d in self.documents:
            docs[(d.outlet, d.lang)] += 1
            words[(d.outlet, d.lang)] += d.words
        return sorted(((o, lang, n, words[(o, lang)]) for (o, lang), n in docs.items()), key=lambda r: (-r[2], r))


def gather(corpus: Corpus, options: ReportOptions) -> Report:
    """Read the corpus and compute what the report shows."""
    from ..extract.storage import claims as stored_claims
    from .timelines import chart_data

    with translate_errors(corpus.path):
        docs = {d.id: _doc(d) for d in corpus.documents()}
        claims = list(stored_claims(corpus))
        evolving = evolving_predicates()
        findings = compare(claims, CompareOptions(options.tolerance, evolving))
        places = _Places(corpus)
        views: dict[str, FindingView] = {}

        def view(f: Finding) -> FindingView:
            # Only findings the page shows get their quotes looked up: a large corpus has
            # many single-source facts no one will read here.
            if f.id not in views:
                views[f.id] = _view(f, docs, places)
            return views[f.id]

        shown = tuple(view(f) for f in findings if f.verdict in SHOWN_VERDICTS)
        timelines, charts = chart_data(findings, view, evolving, options)
        pairs = _pairs(corpus, docs, places, options)
        verdicts = Counter(f.verdict for f in findings) + Counter({"translation": pairs.findings})
        texts = _texts(corpus, docs, places, pairs.shown)
    return Report(
        title=options.title,
        generated=options.generated,
        corpus=corpus.path.name,
        documents=tuple(docs.values()),
        claims=len(claims),
        verdicts={v: verdicts.get(v, 0) for v in VERDICTS},
        findings=shown,
        timelines=timelines,
        pairs=pairs.shown,
        texts=texts,
        pairs_stored=pairs.stored,
        omitted={
            "charts": charts - len(timelines),
            "pairs": pairs.total - len(pairs.shown),
        },
    )


def _doc(d: Document) -> Doc:
    return Doc(d.id, d.file, d.title, d.lang, d.source, d.published, d.url, d.words)


class _Places:
    """Quoted places, with each document's sentences and mentions read once."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.quotes: dict[str, dict[tuple[int, int], Quote]] = defaultdict(dict)
        self._sentences: dict[str, list[tuple[int, int]]] = {}
        self._mentions: dict[str, list[dict[str, Any]]] = {}

    def quote(self, doc_id: str, start: int, end: int, value: Any = None, derived: bool = False) -> Quote:
        """The quote at `start:end`, its sentence, and where its value is written in it."""
        known = self.quotes[doc_id].get((start, end))
        if known is not None:
            return known
        found = Quote(
            doc_id, start, end, self._context(doc_id, start, end), self._values(doc_id, start, end, value, derived)
        )
        self.quotes[doc_id][(start, end)] = found
        return found

    def _context(self, doc_id: str, start: int, end: int) -> tuple[int, int]:
        if doc_id not in self._sentences:
            self._sentences[doc_id] = [(s.start, s.end) for s in self.corpus.sentences(doc_id)]
        around = [(s, e) for s, e in self._sentences[doc_id] if e > start and s < end]
        low = min([s for s, _ in around] + [start])
        high = max([e for _, e in around] + [end])
        # A runaway "sentence" (a list, a table row) is cut to a window around the quote.
        return max(low, start - MAX_CONTEXT // 2), min(high, end + MAX_CONTEXT // 2)

    def _values(self, doc_id: str, start: int, end: int, value: Any, derived: bool) -> tuple[tuple[int, int], ...]:
        """Spans of the value inside the quote; for a derived value, the dates and
        durations it was derived from."""
        if value is None:
            return ()
        if doc_id not in self._mentions:
            from ..extract.storage import mentions

            self._mentions[doc_id] = list(mentions(self.corpus, doc_id=doc_id))
        inside = [m for m in self._mentions[doc_id] if m["start"] >= start and m["end"] <= end]
        spans = [(m["start"], m["end"]) for m in inside if str(m["value"]) == str(value)]
        if not spans and derived:
            spans = [(m["start"], m["end"]) for m in inside if m["type"] in ("date", "duration")]
        return tuple(sorted(set(spans)))


def _view(f: Finding, docs: dict[str, Doc], places: _Places) -> FindingView:
    evidence = tuple(
        Evidence(
            s.value,
            s.qualifier,
            s.unit,
            docs[s.doc_id],
            s.as_of,
            places.quote(s.doc_id, s.start, s.end, s.value, s.derived),
            s.derived,
            s.modality,
        )
        for s in f.sides
    )
    return FindingView(f.id, f.verdict, f.subject, f.predicate, f.unit, f.note, evidence)


# -- translation pairs --------------------------------------------------------------------


def _pairs(corpus: Corpus, docs: dict[str, Doc], places: _Places, options: ReportOptions) -> _Pairs:
    """The stored pairs, or (when `align` stored none) pairs computed in memory; those
    with translation findings first, up to `max_pairs`."""
    from ..align.service import stored_findings, stored_pairs

    stored = stored_pairs(corpus)
    if stored:
        items = [(p["source_id"], p["translation_id"], p["score"], _stored_links(corpus, p)) for p in stored]
        found = stored_findings(corpus, "translation")
    else:
        items, found = _aligned_now(corpus)
    by_pair: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for record in found:
        by_pair[frozenset(s["doc_id"] for s in record["sides"])].append(record)
    items.sort(key=lambda i: (-len(by_pair[frozenset(i[:2])]), -i[2], docs[i[0]].file))
    pairs = []
    for source, target, score, links in items[: options.max_pairs]:
        mine = tuple(_translation_view(f, docs, places) for f in by_pair[frozenset((source, target))])
        pairs.append(PairView(docs[source], docs[target], score, _rows(corpus, links, mine, source, target), mine))
    return _Pairs(tuple(pairs), len(items), len(found), bool(stored))


@dataclass(frozen=True)
class _Pairs:
    shown: tuple[PairView, ...]
    total: int
    findings: int
    stored: bool


def _stored_links(corpus: Corpus, pair: dict[str, Any]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    from ..align.service import side_by_side

    def numbers(units: str) -> tuple[int, ...]:
        return tuple(int(n) for n in units.split(",") if n)

    return [(numbers(s), numbers(t)) for s, _, t, _ in side_by_side(corpus, pair["source_id"], pair["translation_id"])]


def _aligned_now(corpus: Corpus) -> tuple[list[tuple[str, str, float, list[Any]]], list[dict[str, Any]]]:
    # `pair_findings` is the function `align` stores its findings with: the report must not
    # judge translations by other rules than the command does.
    from ..align.service import align_corpus, pair_findings

    aligned = align_corpus(corpus, store=False)
    items = [
        (a.pair.source, a.pair.translation, a.pair.score, [(k.source, k.target) for k in a.links]) for a in aligned
    ]
    found = [
        {
            "id": f.id,
            "verdict": f.verdict,
            "subject": f.subject,
            "predicate": f.predicate,
            "sides": [s.as_dict() for s in f.sides],
        }
        for a in aligned
        for f in pair_findings(corpus, a)
    ]
    return items, found


def _translation_view(record: dict[str, Any], docs: dict[str, Doc], places: _Places) -> FindingView:
    evidence = tuple(
        Evidence(
            s["value"], None, s.get("unit"), docs[s["doc_id"]], None, places.quote(s["doc_id"], s["start"], s["end"])
        )
        for s in record["sides"]
        if s["doc_id"] in docs
    )
    values = " against ".join(dict.fromkeys(str(e.value) for e in evidence))
    return FindingView(record["id"], "translation", record["subject"], record["predicate"], None, values, evidence)


def _rows(
    corpus: Corpus,
    links: Iterable[tuple[tuple[int, ...], tuple[int, ...]]],
    findings: Sequence[FindingView],
    source: str,
    target: str,
) -> tuple[PairRow, ...]:
    """Each link with the findings whose quotes fall in its paragraphs."""
    where: dict[str, set[tuple[str, int]]] = {}
    for doc_id in (source, target):
        paragraphs = corpus.paragraphs(doc_id)
        starts, numbers = [p.start for p in paragraphs], [p.n for p in paragraphs]
        for f in findings:
            for e in f.evidence:
                if e.doc.id == doc_id and starts:
                    where.setdefault(f.id, set()).add(
                        (doc_id, numbers[max(0, bisect_right(starts, e.quote.start) - 1)])
                    )
    rows = []
    for src, tgt in links:
        here = {(source, n) for n in src} | {(target, n) for n in tgt}
        rows.append(PairRow(tuple(src), tuple(tgt), tuple(f.id for f in findings if where.get(f.id, set()) & here)))
    return tuple(rows)


def _texts(corpus: Corpus, docs: dict[str, Doc], places: _Places, pairs: Sequence[PairView]) -> tuple[DocText, ...]:
    """Texts of every quoted document and of every shown pair, oldest first."""
    wanted = set(places.quotes) | {d.id for p in pairs for d in (p.source, p.translation)}
    return tuple(
        DocText(
            doc,
            corpus.text(doc.id),
            tuple(corpus.paragraphs(doc.id)),
            tuple(sorted(places.quotes.get(doc.id, {}).values(), key=lambda q: (q.start, q.end))),
        )
        for doc in docs.values()
        if doc.id in wanted
    )
