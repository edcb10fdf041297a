"""From a read `Record` to an `Article` ready to store: layout, language, dates, content id."""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice

import numpy

from .datelines import find_dateline
from .errors import InputError
from .formats import Record
from .langid import LangGuess, detect
from .layout import ARTICLE_KINDS, Paragraph, Sentence, analyze
from .normalize import collapse_space, fold

ID_PREFIX = "v1-"  # bump when the hash form changes, so old and new ids never collide
_WORD = re.compile(r"\w+")
_SKETCH_SIZE = 4  # bottom-k shingle hashes kept per document for near-duplicate blocking
_SHINGLE = 5  # words per shingle
_SHINGLE_FACTORS = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F)  # one per word but the last
_SKETCH_WORDS = 250  # shingles come from the opening words: bounded cost, and re-publications keep them


@dataclass(frozen=True)
class Metadata:
    """Metadata supplied from outside the text (a manifest row or `--lang`)."""

    lang: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    title: str | None = None
    basis: str = "manifest"


@dataclass(frozen=True)
class Article:
    """An article ready to store: original text, metadata, structure and search forms."""

    id: str
    text: str
    file: str
    path: str
    format: str
    title: str | None
    lang: str
    lang_confidence: float
    lang_method: str
    source: str | None
    url: str | None
    published: str | None
    published_basis: str | None
    ingested_at: str
    words: int
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    search_text: str
    sketch: tuple[int, ...]


def content_id(hash_text: str) -> str:
    """The document id: a versioned SHA-256 of the folded, whitespace-collapsed text."""
    return ID_PREFIX + hashlib.sha256(hash_text.encode("utf-8")).hexdigest()


def prepare(record: Record, meta: Metadata | None = None, force_lang: str | None = None) -> Article:
    """Analyse a record into an Article; raise InputError when it has no article text."""
    meta = meta or Metadata()
    folded = fold(record.text)
    hash_text = collapse_space(folded.text)
    if not hash_text:
        raise InputError(record.path, "no text (empty or whitespace only)")
    layout = analyze(record.text, record.format, record.title or meta.title, folded)
    article_spans = [(p.start, p.end) for p in layout.paragraphs if p.kind in ARTICLE_KINDS]
    if not article_spans:
        raise InputError(record.path, "no article text (only page boilerplate)")
    body = "\n".join(record.text[s:e] for s, e in article_spans)
    guess = _language(body, record, meta, force_lang)
    published, basis = _published(record, meta, layout.paragraphs)
    search_text = "\n".join(folded.text[folded.to_folded(s) : folded.to_folded(e)] for s, e in article_spans).lower()
    return Article(
        id=content_id(hash_text),
        text=record.text,
        file=record.file,
        path=record.path,
        format=record.format,
        title=record.title or meta.title or layout.title,
        lang=guess.lang,
        lang_confidence=guess.confidence,
        lang_method=guess.method,
        source=record.source or meta.source,
        url=record.url or meta.url,
        published=published,
        published_basis=basis,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        words=layout.words,
        paragraphs=layout.paragraphs,
        sentences=layout.sentences,
        search_text=search_text,
        sketch=_sketch(hash_text),
    )


def _language(body: str, record: Record, meta: Metadata, force_lang: str | None) -> LangGuess:
    if force_lang:
        return LangGuess(force_lang, 1.0, "--lang")
    if record.lang:
        return LangGuess(record.lang, 1.0, "metadata")
    if meta.lang:
        return LangGuess(meta.lang, 1.0, meta.basis)
    return detect(body)


def _published(record: Record, meta: Metadata, paragraphs: tuple[Paragraph, ...]) -> tuple[str | None, str | None]:
    if record.published:
        return record.published, record.published_basis
    if meta.published:
        return meta.published, meta.basis
    lines = [record.text[p.start : p.end] for p in paragraphs if p.kind == "dateline"]
    found = find_dateline(lines) if lines else None
    return (found, "dateline in text") if found else (None, None)


def _sketch(hash_text: str) -> tuple[int, ...]:
    """Bottom-k hashes of word shingles: near-duplicates share most of them."""
    # The first words only, read lazily: finding every word of the slice took twice as long.
    words = [m.group() for m in islice(_WORD.finditer(hash_text[: _SKETCH_WORDS * 12].lower()), _SKETCH_WORDS)]
    if len(words) < 4 * _SHINGLE:
        return ()
    word_hashes = numpy.array([zlib.crc32(w.encode("utf-8")) for w in words], dtype=numpy.uint64)
    # A shingle's hash combines its words' hashes positionally (stable across processes), on
    # whole arrays: uint64 products wrap, and only their low 32 bits are kept.
    n = len(word_hashes) - _SHINGLE + 1
    mixed = word_hashes[_SHINGLE - 1 : _SHINGLE - 1 + n].copy()
    for k, factor in enumerate(_SHINGLE_FACTORS):
        mixed ^= word_hashes[k : k + n] * numpy.uint64(factor)
    return tuple(numpy.unique(mixed & numpy.uint64(0xFFFFFFFF))[:_SKETCH_SIZE].tolist())
