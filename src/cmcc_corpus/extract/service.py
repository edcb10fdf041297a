"""Extraction as a service of ingest and `extract`: run the pipelines, save inside a transaction."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..article import Article
from ..store import Corpus
from . import storage
from .profile import load_profile
from .records import Extraction
from .run import ArticleInput, extract
from .statistical import load_model

if TYPE_CHECKING:
    from ..scale.shard import Prepared

_CHUNK = 200  # documents extracted and committed together by `extract` (one task each)


class Extractor:
    """Extracts new articles of a batch and saves the results with them."""

    def __init__(self, profile: Path | None = None, ner_model: str | None = None) -> None:
        self.profile = load_profile(profile)
        self.ner_model = ner_model
        if ner_model:
            load_model(ner_model)  # fail before any work when it is not installed

    def saver(self, batch: Sequence[Prepared]) -> Callable[[sqlite3.Connection, Article], None]:
        """The hook that saves each new article of a batch with the extraction its task made."""
        results: dict[str, Extraction] = {}
        for p in batch:  # of two copies of a text the first is stored, so its extraction is saved
            if p.extraction is not None:
                results.setdefault(p.article.id, p.extraction)

        def save(conn: sqlite3.Connection, article: Article) -> None:
            found = results.get(article.id)
            if found is None:  # a task leaves out only what it saw stored; should that change, extract here
                found = next(extract([as_input(article)], self.profile.key, self.ner_model))
            storage.save(conn, article.id, found, self.profile.key, new=True)

        return save

    def rerun(
        self,
        corpus: Corpus,
        everything: bool = False,
        progress: Callable[[int], None] | None = None,
        jobs: int = 1,
        chunk: int = _CHUNK,
    ) -> int:
        """Re-extract stored documents (stale ones, or all); returns how many were done.

        With `jobs` > 1 worker processes read and extract chunks of documents by id; this
        process saves each chunk in one transaction, in order.
        """
        from ..scale.executors import open_executor
        from ..scale.shard import WorkerContext, extract_task

        ids = storage.pending(corpus, everything, self.profile.key)
        chunks = [ids[i : i + chunk] for i in range(0, len(ids), chunk)]
        context = WorkerContext(
            uuid.uuid4().hex[:12], profile=self.profile, ner_model=self.ner_model, corpus=str(corpus.path.absolute())
        )
        with open_executor("processes" if jobs > 1 else "serial", jobs, context) as executor:
            for doc_ids, results in zip(chunks, executor.map(extract_task, chunks), strict=True):
                with corpus.transaction() as conn:
                    for doc_id, result in zip(doc_ids, results, strict=True):
                        storage.save(conn, doc_id, result, self.profile.key)
                if progress:
                    progress(len(doc_ids))
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
