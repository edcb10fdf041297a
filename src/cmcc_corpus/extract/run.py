"""Extraction over whole articles: article paragraphs in, mentions and claims with offsets out.

Only article paragraphs are read (boilerplate and front matter are not, and a caption
is read without its image URL). They are joined into one spaCy Doc per article, so
back-references and corroboration see the whole article, and every span is mapped back
to offsets in the stored text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.tokens import Doc, Span

from ..layout import ARTICLE_KINDS
from .components import span_offsets
from .pipeline import get_pipeline, reset_pipelines
from .records import MENTION_TYPES, Claim, Extraction, Mention
from .statistical import merge_statistical

_JOIN = "\n\n"
_BATCH = 64
MAX_VOCABULARY = 300_000  # strings a pipeline's vocabulary holds before it is built afresh (~80 MB)
# Extraction reads at most this much article text per document (spaCy's own default
# limit): a longer document is stored and searchable in full, extracted up to here.
MAX_EXTRACT_CHARS = 1_000_000


@dataclass(frozen=True)
class ArticleInput:
    """What extraction needs to know about one stored article."""

    text: str
    lang: str
    paragraphs: Sequence[tuple[int, int, str]]  # (start, end, kind) in the stored text
    sentences: Sequence[tuple[int, int]] = ()  # (start, end) in the stored text, in order
    published: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class _Joined:
    """Article paragraphs joined into one string, with the map back to stored offsets."""

    text: str
    starts: tuple[int, ...]  # where each piece starts in the joined text
    origins: tuple[int, ...]  # where that piece starts in the stored text

    def to_stored(self, i: int) -> int:
        k = max(bisect_right(self.starts, i) - 1, 0)
        return self.origins[k] + (i - self.starts[k])


def _join(article: ArticleInput) -> _Joined:
    pieces, starts, origins, pos = [], [], [], 0
    for start, end, kind in article.paragraphs:
        if kind not in ARTICLE_KINDS:
            continue
        starts.append(pos)
        origins.append(start)
        pieces.append(article.text[start:end])
        pos += end - start + len(_JOIN)
    text = _JOIN.join(pieces)[:MAX_EXTRACT_CHARS]
    return _Joined(text, tuple(starts) or (0,), tuple(origins) or (0,))


def extract(
    articles: Iterable[ArticleInput], profile_key: str = "", ner_model: str | None = None
) -> Iterator[Extraction]:
    """Extraction for each article, in order; pipelines are built once and fed in batches.

    `ner_model` names an installed statistical spaCy pipeline (English) whose PERSON,
    ORG and LOC/FAC entities are added where ours found nothing; never required.
    """
    batch: list[ArticleInput] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= _BATCH:
            yield from _extract_batch(batch, profile_key, ner_model)
            batch = []
    yield from _extract_batch(batch, profile_key, ner_model)


def _extract_batch(batch: list[ArticleInput], profile_key: str, ner_model: str | None = None) -> Iterator[Extraction]:
    results: dict[int, Extraction] = {}
    for lang in {("ar" if a.lang == "ar" else "en") for a in batch}:
        indexes = [i for i, a in enumerate(batch) if ("ar" if a.lang == "ar" else "en") == lang]
        nlp = get_pipeline(lang, profile_key)
        joined = [_join(batch[i]) for i in indexes]
        docs = []
        for i, j in zip(indexes, joined, strict=True):
            doc = nlp.make_doc(j.text)
            doc._.published = batch[i].published
            doc._.source = batch[i].source
            docs.append(_with_sentences(doc, j, batch[i]))
        for i, j, doc in zip(indexes, joined, nlp.pipe(docs), strict=True):
            if ner_model and lang == "en":
                merge_statistical(doc, ner_model)
            results[i] = _collect(batch[i], j, doc)
        # The vocabulary keeps every word ever read (every number, every name), so memory
        # would grow with the corpus: past a bound, the pipelines are built afresh. spaCy's
        # memory zones bound it too, but rebuild the lexemes of words first seen after the
        # zones begin in every zone, which cost 5% on a 10,000-document ingest.
        if len(nlp.vocab.strings) > MAX_VOCABULARY:
            reset_pipelines()
    for i in range(len(batch)):
        yield results[i]


def _with_sentences(doc: Doc, joined: _Joined, article: ArticleInput) -> Doc:
    """Sentence starts from the stored layout (which knows abbreviations and Arabic marks),
    written with one `from_array` (per-token assignment is slow)."""
    if not article.sentences or not len(doc):
        return doc
    starts = set()
    for s, _ in article.sentences:
        k = bisect_right(joined.origins, s) - 1
        if k >= 0:
            starts.add(joined.starts[k] + s - joined.origins[k])
    idx = doc.to_array(IDX)
    # Token offsets are sorted: a binary search per sentence (numpy.isin sorts both sides).
    wanted = numpy.fromiter(starts, dtype=idx.dtype, count=len(starts))
    at = numpy.searchsorted(idx, wanted)
    inside = at < len(idx)
    at, wanted = at[inside], wanted[inside]
    flags = numpy.full(len(idx), -1, dtype="int64")
    flags[at[idx[at] == wanted]] = 1
    flags[0] = 1
    doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))  # type: ignore[arg-type]  # a numpy array is what Ints2d is
    return doc


def _collect(article: ArticleInput, joined: _Joined, doc: Doc) -> Extraction:
    sentence_starts = [s for s, _ in article.sentences]
    mentions = []
    for group in ("entities", "people", "values", "dates"):
        for span in doc.spans.get(group, ()):
            if span.label_ in MENTION_TYPES and _is_mention(span):
                mentions.append(_mention(article, joined, span, sentence_starts))
    claims = [_claim(article, joined, span, sentence_starts) for span in doc.spans.get("claims", ())]
    mentions.sort(key=lambda m: (m.start, m.end, m.type))
    return Extraction(tuple(mentions), tuple(claims))


def _is_mention(span: Span) -> bool:
    """Date mentions are calendar days (`XXXX-10-17` when the year is unknown); a month or a
    week ("mid-October", "last week") is kept for claims and comparison, not as a mention."""
    return span.label_ != "date" or len(str(span._.value)) == 10


def _evidence(
    article: ArticleInput, joined: _Joined, span: Span, sentence_starts: list[int]
) -> tuple[int, int, str, int | None]:
    start, end = span_offsets(span)
    s, e = joined.to_stored(start), joined.to_stored(end - 1) + 1
    sentence = bisect_right(sentence_starts, s) if sentence_starts else None
    return s, e, article.text[s:e], sentence


def _common(article: ArticleInput, joined: _Joined, span: Span, sentence_starts: list[int]) -> dict[str, Any]:
    """The fields mentions and claims share: value, evidence (quote, offsets, sentence), rule."""
    s, e, quote, sentence = _evidence(article, joined, span, sentence_starts)
    return {"text": quote, "start": s, "end": e, "sentence": sentence}


_COMMON = ("value", "rule", "confidence", "unit", "qualifier", "derived")
_MENTION = (*_COMMON, "en", "partial")
_CLAIM = (*_COMMON, "subject", "predicate", "modality", "as_of")


def _mention(article: ArticleInput, joined: _Joined, span: Span, sentence_starts: list[int]) -> Mention:
    common = _common(article, joined, span, sentence_starts)
    return Mention(type=span.label_, **common, **extension_values(span, _MENTION))


def _claim(article: ArticleInput, joined: _Joined, span: Span, sentence_starts: list[int]) -> Claim:
    common, ext = _common(article, joined, span, sentence_starts), extension_values(span, _CLAIM)
    ext["as_of"] = ext["as_of"] or article.published
    return Claim(**common, **ext)


def extension_values(span: Span, names: tuple[str, ...]) -> dict[str, Any]:
    """`{name: span._.<name>}`, read where spaCy keeps them: in `doc.user_data`, under the key
    the accessor computes. (Each `span._.<name>` runs the accessor's checks again; reading
    about ten of them per span was most of the time spent building records.)"""
    ext = span._
    data: dict[Any, Any] = span.doc.user_data  # spaCy types it str-keyed; extension keys are tuples
    return {
        name: data.get(ext._get_key(name), default) if stored else getattr(ext, name)
        for name, default, stored in _extensions(names)
    }


@cache
def _extensions(names: tuple[str, ...]) -> tuple[tuple[str, Any, bool], ...]:
    """(name, default, whether the value is stored as is) of span extensions: one with a getter
    or method is computed, and a mutable default is copied into the doc on first read."""
    found = []
    for name in names:
        default, method, getter, _ = Span.get_extension(name)
        found.append((name, default, getter is None and method is None and not isinstance(default, (dict, list, set))))
    return tuple(found)
