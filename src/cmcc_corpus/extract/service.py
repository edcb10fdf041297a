"""Extraction as a service of ingest and `extract`: run the pipelines, save inside a transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from ..article import Article
from ..store import Corpus
from . import storage
from .profile import load_profile
from .records import Extraction
from .run import ArticleInput, extract
from .statistical import load_model

_CHUNK = 200  # documents extracted and committed together by `extract`


class Extractor:
    """Extracts new articles of a batch and saves the results with them."""

    def __init__(self, profile: Path | None = None, ner_model: str | None = None) -> None:
        self.profile = load_profile(profile)
        self.ner_model = ner_model
        if ner_model:
            load_model(ner_model)  # fail before any work when it is not installed

    def prepare(self, corpus: Corpus, batch: Sequence[Article]) -> Callable[[sqlite3.Connection, Article], None]:
        """Extract the articles not yet stored; return the hook that saves their results."""
        known = corpus.existing([a.id for a in batch])
        new = [a for a in batch if a.id not in known]
        results = dict(
            zip([a.id for a in new], extract((as_input(a) for a in new), self.profile.key, self.ner_model), strict=True)
        )

        def save(conn: sqlite3.Connection, article: Article) -> None:
            if article.id in results:
                storage.save(conn, article.id, results[article.id], self.profile.key)

        return save

    def rerun(self, corpus: Corpus, everything: bool = False, progress: Callable[[int], None] | None = None) -> int:
        """Re-extract stored documents (stale ones, or all); returns how many were done."""
        ids = storage.pending(corpus, everything, self.profile.key)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            inputs = [storage.article_input(corpus, doc_id) for doc_id in chunk]
            results: list[Extraction] = list(extract(inputs, self.profile.key, self.ner_model))
            with corpus.transaction() as conn:
                for doc_id, result in zip(chunk, results, strict=True):
                    storage.save(conn, doc_id, result, self.profile.key)
            if progress:
                progress(len(chunk))
        return len(ids)


def as_input(article: Article) -> ArticleInput:
    """What extraction needs from an article about to be stored."""
    return ArticleInput(
        article.text,
        article.lang,
        [(p.start, p.end, p.kind) for p in article.paragraphs],
        [(s.start, s.end) for s in article.sentences],
        article.published,
        article.source,
    )
