"""The report as one self-contained HTML page: inline styles, inline SVG charts, no script.

Everything that comes from articles or their metadata is untrusted: it is HTML-escaped,
its control and bidi-override characters are shown as visible escapes (as in the
terminal), links are only made from http(s) URLs, and a Content-Security-Policy forbids
scripts and any fetch, so nothing in an article can run or call out from the page.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources

from .. import __version__
from ..render import escape
from . import charts
from .model import DocText, Evidence, FindingView, PairRow, PairView, Report, Timeline

LANGUAGES = {"en": "English", "ar": "Arabic"}
RTL = frozenset({"ar", "fa", "he", "ur"})
QUALIFIERS = {
    "about": "about",
    "up_to": "up to",
    "at_least": "at least",
    "more_than": "more than",
    "less_than": "less than",
    "nearly": "nearly",
}
VERDICT_TEXT = {
    "conflict": "sources disagree on a fact that cannot change, or on one moment",
    "translation": "a translation states a different value than its original",
    "evolving": "the value changes over time (different as-of dates)",
    "consistent": "the sources agree, allowing for qualifiers and precision",
    "single-source": "stated by one document only",
}
# Wrappers for highlighted spans, outermost first.
WRAP = {
    "quote": ("<mark class=quote>", "</mark>"),
    "changed": ("<mark class=changed>", "</mark>"),
    "value": ("<strong>", "</strong>"),
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"


def render(report: Report) -> str:
    """The whole page."""
    sections = [
        _summary(report),
        _conflicts(report),
        _timelines(report),
        _others(report),
        _pairs(report),
        _articles(report),
    ]
    nav = "".join(f'<li><a href="#{sid}">{title}</a></li>' for sid, title in _SECTIONS)
    generated = f" · generated {esc(report.generated)}" if report.generated else ""
    return (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        '<meta name=viewport content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f'<meta name=generator content="cmcc-corpus {__version__}">\n'
        f"<title>{esc(report.title)}</title>\n<style>\n{_css()}</style>\n</head>\n<body>\n"
        f"<header><h1>{esc(report.title)}</h1><p class=meta>corpus <bdi>{esc(report.corpus)}</bdi>{generated}"
        f" · cmcc-corpus {__version__}</p>\n"
        f'<nav aria-label="Contents"><ol>{nav}</ol></nav></header>\n<main>\n'
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


_SECTIONS = (
    ("summary", "Summary"),
    ("conflicts", "Conflicts"),
    ("timelines", "Timelines"),
    ("other-findings", "Other findings"),
    ("pairs", "Translation pairs"),
    ("articles", "Articles quoted"),
)


def _css() -> str:
    return resources.files(__package__).joinpath("report.css").read_text(encoding="utf-8")


# -- small pieces -------------------------------------------------------------------------


def esc(value: object) -> str:
    """Untrusted text as HTML: controls and bidi overrides visible, markup escaped."""
    return html.escape(escape(str(value), keep_newlines=True))


def bdi(value: object) -> str:
    """Inline text of unknown direction, isolated so it cannot reorder what surrounds it."""
    return f"<bdi>{esc(value)}</bdi>"


def lang_attrs(lang: str) -> str:
    """`lang` (and `dir` for right-to-left scripts) of a block of article text."""
    return f' lang="{esc(lang)}" dir=rtl' if lang in RTL else f' lang="{esc(lang)}" dir=ltr'


def language(code: str) -> str:
    """A language's name (its code when we do not know it), as HTML."""
    return esc(LANGUAGES.get(code, code))


def predicate(name: str) -> str:
    """`opened_on` as people write it."""
    return name.replace("_", " ")


def value_text(value: object, qualifier: str | None = None, unit: str | None = None) -> str:
    """A value with its qualifier and unit: `up to 200 personnel`, `67,000,000,000 USD`."""
    shown = f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    words = [QUALIFIERS.get(qualifier or "", ""), shown, unit or ""]
    return " ".join(w for w in words if w)


def _section(sid: str, title: str, body: str, intro: str = "") -> str:
    lead = f"<p class=intro>{intro}</p>" if intro else ""
    return f"<section id={sid} aria-labelledby={sid}-h>\n<h2 id={sid}-h>{title}</h2>{lead}\n{body}\n</section>"


def table(caption: str, headings: Sequence[str], rows: Iterable[Sequence[str]], css: str = "stack") -> str:
    """A table (cells already HTML); with the `stack` class its rows become labelled cards
    on narrow screens.

    The explicit ARIA roles keep its table semantics for screen readers when the narrow
    layout changes its CSS display.
    """
    head = "".join(f"<th scope=col role=columnheader>{h}</th>" for h in headings)
    body = "".join(
        "<tr role=row>"
        + "".join(f'<td role=cell data-label="{html.escape(h)}">{c}</td>' for h, c in zip(headings, row, strict=True))
        + "</tr>"
        for row in rows
    )
    return (
        f"<table role=table class='{css}'><caption>{caption}</caption>"
        f"<thead role=rowgroup><tr role=row>{head}</tr></thead><tbody role=rowgroup>{body}</tbody></table>"
    )


def highlighted(
    text: str,
    start: int,
    end: int,
    spans: Iterable[tuple[int, int, str]],
    anchors: Mapping[int, Sequence[str]] | None = None,
) -> str:
    """`text[start:end]` as HTML with `spans` (start, end, kind) wrapped and anchors placed.

    Spans may overlap (two claims quoting the same sentence): the text is cut at every
    span edge and each piece wrapped in the spans that cover it.
    """
    anchors = anchors or {}
    spans = [(max(s, start), min(e, end), k) for s, e, k in spans if e > start and s < end]
    cuts = sorted({start, end, *(x for s, e, _ in spans for x in (s, e)), *(p for p in anchors if start <= p < end)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        out += [f'<span class=anchor id="{html.escape(i)}"></span>' for i in anchors.get(a, ())]
        piece = esc(text[a:b])
        for kind in sorted({k for s, e, k in spans if s <= a and e >= b}, key=list(WRAP).index, reverse=True):
            piece = WRAP[kind][0] + piece + WRAP[kind][1]
        out.append(piece)
    return "".join(out)


def _paragraph_of(texts: DocText, offset: int) -> int:
    starts = [p.start for p in texts.paragraphs]
    k = bisect_right(starts, offset) - 1
    return texts.paragraphs[max(k, 0)].n if texts.paragraphs else 0


def _quote(report: Report, e: Evidence) -> str:
    """The sentence around a quote, the quote marked and its value in bold, and a link to
    the place in the article's text further down the page."""
    texts = report.text_of(e.doc.id)
    q = e.quote
    spans = [(q.start, q.end, "quote"), *((s, t, "value") for s, t in q.values)]
    body = highlighted(texts.text, q.context[0], q.context[1], spans)
    where = f"{esc(e.doc.file)} ¶{_paragraph_of(texts, q.start)}"
    return (
        f"<blockquote{lang_attrs(e.doc.lang)}>{body}</blockquote>"
        f'<a class=goto href="#{q.anchor}">Read it in the article <span class=where>({where})</span></a>'
    )


def _published(e: Evidence) -> str:
    return esc(e.doc.published or "unknown")


# -- sections -----------------------------------------------------------------------------


def _summary(report: Report) -> str:
    langs: dict[str, int] = {}
    for d in report.documents:
        langs[d.lang] = langs.get(d.lang, 0) + 1
    outlets = {d.outlet for d in report.documents}
    by_lang = ", ".join(f"{n} {language(code)}" for code, n in sorted(langs.items(), key=lambda x: -x[1]))
    lead = (
        f"<p><strong>{len(report.documents)}</strong> documents ({by_lang or 'none'}) from "
        f"<strong>{len(outlets)}</strong> outlets; <strong>{report.claims}</strong> claims extracted.</p>"
        "<p class=provenance>Findings were computed when this report was made, from the stored claims, "
        "by the same rules as <code>cmcc-corpus compare</code>. "
        + (
            "Translation pairs are those stored by <code>cmcc-corpus align</code>.</p>"
            if report.pairs_stored
            else "No translation pairs were stored, so they were computed for this report "
            "(run <code>cmcc-corpus align</code> to store and reuse them).</p>"
        )
    )
    sizes = table(
        "Documents by outlet and language",
        ("Outlet", "Language", "Documents", "Words"),
        ((bdi(o), language(lang), str(n), f"{w:,}") for o, lang, n, w in report.sizes()),
        "numbers",  # a few short columns: readable as a table even on a phone
    )
    counts = table(
        "Findings by verdict",
        ("Verdict", "Findings", "Meaning"),
        ((f"<span class='badge {v}'>{v}</span>", str(n), VERDICT_TEXT[v]) for v, n in report.verdicts.items()),
        "numbers",  # a few short columns: readable as a table even on a phone
    )
    return _section("summary", "Summary", lead + sizes + counts)


def _conflicts(report: Report) -> str:
    conflicts = [f for f in report.findings if f.verdict == "conflict"]
    body = (
        "\n".join(_card(report, f) for f in conflicts)
        or "<p>No conflicts: the sources do not contradict each other.</p>"
    )
    return _section(
        "conflicts",
        f"Conflicts ({len(conflicts)})",
        body,
        "Facts the sources state differently, each side with its quote.",
    )


def _others(report: Report) -> str:
    others = [f for f in report.findings if f.verdict != "conflict"]
    body = "\n".join(_card(report, f) for f in others) or "<p>No other facts are stated by more than one source.</p>"
    return _section(
        "other-findings",
        f"Other findings ({len(others)})",
        body,
        "Facts several sources state that agree, or that change over time. Facts stated by one source only are"
        " counted in the summary (numbers among them are drawn in the timelines).",
    )


def _card(report: Report, f: FindingView) -> str:
    unit = f" <span class=unit>[{esc(f.unit)}]</span>" if f.unit else ""
    badge = f"<span class='badge {f.verdict}'>{f.verdict}</span>"
    heading = f"<h3>{badge} {bdi(f.subject)} · {esc(predicate(f.predicate))}{unit}</h3>"
    rows = (
        (
            f"<strong class=value>{bdi(value_text(e.value, e.qualifier, e.unit))}</strong>"
            + (" <span class=tag>derived</span>" if e.derived else "")
            + (f" <span class=tag>{esc(e.modality)}</span>" if e.modality not in ("asserted", "") else ""),
            bdi(e.doc.outlet),
            _published(e),
            esc(e.as_of or "—"),
            _quote(report, e),
        )
        for e in f.evidence
    )
    sides = table(
        "What each source says",
        ("Value", "Outlet", "Published", "As of", "Quote"),
        rows,
        "stack sides",
    )
    return f"<article class='finding {f.verdict}' id={f.anchor}>{heading}<p class=note>{_note(f)}</p>{sides}</article>"


def _note(f: FindingView) -> str:
    if f.verdict not in ("conflict", "translation"):
        return esc(f.note)
    groups: dict[str, list[str]] = {}
    for e in f.evidence:
        groups.setdefault(value_text(e.value, e.qualifier, e.unit), []).append(e.doc.outlet)
    return " against ".join(
        f"<strong>{bdi(v)}</strong> ({', '.join(bdi(o) for o in dict.fromkeys(outlets))})"
        for v, outlets in groups.items()
    )


def _timelines(report: Report) -> str:
    if not report.timelines:
        return _section(
            "timelines", "Timelines", "<p>No numbers that change over time, and no dated conflicts, to draw.</p>"
        )
    parts = [_timeline(report, t) for t in report.timelines]
    if report.omitted.get("charts"):
        parts.append(
            f"<p>{report.omitted['charts']} more facts are not drawn (the report draws at most {len(parts)}).</p>"
        )
    return _section(
        "timelines",
        "Timelines",
        "\n".join(parts),
        "Conflicting fixed facts as their competing values, one row per source; facts that change over time as "
        "value against as-of date, one mark per source, a capped bar for the range a qualifier such as “up to” "
        "or “about” allows, and a dotted line over the month or year an as-of date only names.",
    )


def _timeline(report: Report, t: Timeline) -> str:
    kind = "fixed fact in dispute" if t.kind == "fixed" else "over time"
    title = f"{t.subject} · {predicate(t.predicate)} ({kind})"
    label = f"Chart: {title}. The same data is in the table below it."
    links = " ".join(f'<a href="#finding-{html.escape(i)}">the finding</a>' for i in t.findings if _shown(report, i))
    rows = (
        (
            f"<strong>{bdi(value_text(e.value, e.qualifier, e.unit))}</strong>",
            esc(e.as_of or e.doc.published or "—"),
            bdi(e.doc.outlet),
            f'<a href="#{e.quote.anchor}">{esc(e.doc.file)}</a>',
        )
        for e in t.evidence
    )
    data = table("The data drawn", ("Value", "As of", "Outlet", "Quote"), rows, "stack data")
    return (
        f"<figure class=timeline id={t.id}><h3>{bdi(t.subject)} · {esc(predicate(t.predicate))}"
        f" <span class=kind>{kind}</span></h3>"
        f'<div class=chart-wrap tabindex=0 role=region aria-label="{esc(title)}: chart">{charts.svg(t, label)}</div>'
        f"<figcaption>{len(t.marks)} of {len(t.evidence)} statements placed. {('See ' + links + '.') if links else ''}"
        f"</figcaption>{data}</figure>"
    )


def _shown(report: Report, finding_id: str) -> bool:
    return any(f.id == finding_id for f in report.findings)


def _pairs(report: Report) -> str:
    if not report.pairs:
        return _section("pairs", "Translation pairs", "<p>No article in the corpus was found to translate another.</p>")
    parts = [_pair(report, k, p) for k, p in enumerate(report.pairs, 1)]
    if report.omitted.get("pairs"):
        parts.append(f"<p>{report.omitted['pairs']} more pairs are not shown.</p>")
    return _section(
        "pairs",
        f"Translation pairs ({len(report.pairs) + report.omitted.get('pairs', 0)})",
        "\n".join(parts),
        "Each original beside its translation, paragraph by paragraph. Paragraphs where the translation "
        "changed a value are marked “Translation finding” and the changed words highlighted.",
    )


def _pair(report: Report, k: int, p: PairView) -> str:
    src, tgt = report.text_of(p.source.id), report.text_of(p.translation.id)
    marks = {
        doc: [(e.quote.start, e.quote.end, "changed") for f in p.findings for e in f.evidence if e.doc.id == doc]
        for doc in (p.source.id, p.translation.id)
    }
    found = "".join(
        f"<li><a href='#pair-{k}-row-{_row_of(p, f.id)}'>{esc(f.predicate)}: {_note(f)}</a></li>" for f in p.findings
    )
    findings = (
        f"<ul class=translation-findings>{found}</ul>" if found else "<p>No translation findings: the values agree.</p>"
    )
    rows = "".join(_pair_row(k, n, row, p, (src, tgt), marks) for n, row in enumerate(p.rows, 1))
    head = "".join(
        f"<th scope=col role=columnheader>{h}</th>"
        for h in ("¶", language(p.source.lang), "¶", language(p.translation.lang))
    )
    return (
        f"<article class=pair id=pair-{k}><h3>{bdi(p.source.title or p.source.file)} ↔ "
        f"<span{lang_attrs(p.translation.lang)}>{esc(p.translation.title or p.translation.file)}</span></h3>"
        f"<p class=meta>{bdi(p.source.file)} ({bdi(p.source.outlet)}, {esc(p.source.published or '?')}) and "
        f"{bdi(p.translation.file)} ({bdi(p.translation.outlet)}, {esc(p.translation.published or '?')}); "
        f"pairing score {p.score:.2f}.</p>{findings}"
        f"<table role=table class='stack pair-table'><caption>Aligned paragraphs</caption>"
        f"<thead role=rowgroup><tr role=row>{head}</tr></thead><tbody role=rowgroup>{rows}</tbody></table></article>"
    )


def _pair_row(
    k: int,
    n: int,
    row: PairRow,
    p: PairView,
    texts: tuple[DocText, DocText],
    marks: dict[str, list[tuple[int, int, str]]],
) -> str:
    """One aligned link: paragraph numbers and texts of both sides, flagged when it holds a finding."""
    flag = "<span class=flag>Translation finding</span>" if row.findings else ""
    cells = []
    for side, doc, numbers in ((0, p.source, row.source), (1, p.translation, row.target)):
        extra = flag if side == 0 else ""
        body = _paragraphs(texts[side], numbers, marks[doc.id])
        cells.append(f"<td role=cell class=num data-label='¶'>{','.join(map(str, numbers)) or '—'}{extra}</td>")
        cells.append(f'<td role=cell data-label="{language(doc.lang)}"{lang_attrs(doc.lang)}>{body}</td>')
    changed = " class=changed" if row.findings else ""
    return f"<tr role=row id=pair-{k}-row-{n}{changed}>{''.join(cells)}</tr>"


def _row_of(p: PairView, finding_id: str) -> int:
    return next((n for n, row in enumerate(p.rows, 1) if finding_id in row.findings), 1)


def _paragraphs(texts: DocText, numbers: Sequence[int], spans: Sequence[tuple[int, int, str]]) -> str:
    by_n = {para.n: para for para in texts.paragraphs}
    return "".join(f"<p>{highlighted(texts.text, by_n[n].start, by_n[n].end, spans)}</p>" for n in numbers if n in by_n)


def _articles(report: Report) -> str:
    quoted = [t for t in report.texts if t.quotes]
    body = "\n".join(_article(t) for t in quoted) or "<p>No article is quoted.</p>"
    return _section(
        "articles",
        f"Articles quoted ({len(quoted)})",
        body,
        "The text of every article quoted above, as stored, with the quoted words highlighted; each quote's "
        "“Read it in the article” link lands here.",
    )


def _article(t: DocText) -> str:
    doc = t.doc
    anchors: dict[int, list[str]] = {}
    for q in t.quotes:
        anchors.setdefault(q.start, []).append(q.anchor)
    spans = [(q.start, q.end, "quote") for q in t.quotes]
    paragraphs = []
    for para in t.paragraphs:
        inside = any(para.start <= q.start < max(para.end, para.start + 1) for q in t.quotes)
        if para.kind in ("front_matter", "title") and not inside:
            continue  # the title is the heading; front matter is metadata, shown above
        paragraphs.append(
            f'<p id={doc.anchor}-p{para.n} class="{esc(para.kind)}"><span class=pn aria-hidden=true>{para.n}</span>'
            f"{highlighted(t.text, para.start, para.end, spans, anchors)}</p>"
        )
    url = doc.url or ""
    link = (
        f' · <a href="{html.escape(url)}" rel="noopener noreferrer">original</a>'
        if url.lower().startswith(("https://", "http://"))
        else (f" · {esc(url)}" if url else "")
    )
    return (
        f"<article class=doc id={doc.anchor}{lang_attrs(doc.lang)}><h3>{esc(doc.title or doc.file)}</h3>"
        f"<p class=meta lang=en dir=ltr>{bdi(doc.outlet)} · {language(doc.lang)} · published "
        f"{esc(doc.published or 'unknown')} · {bdi(doc.file)} · {doc.words:,} words{link}</p>"
        + "".join(paragraphs)
        + "</article>"
    )
