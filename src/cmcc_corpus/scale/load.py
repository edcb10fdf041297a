"""`load`: import a Parquet dataset into a SQLite corpus through the normal store path.

Shards are read one at a time in run order, and articles go through the same batches
as ingest: a content id already stored is a duplicate, re-publications are linked as
near-duplicates, and each batch is all-or-nothing. Extraction rows are stored with
their articles when the dataset was made by this pipeline version; otherwise only the
articles are loaded and `extract` redoes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from ..article import Article
from ..extract import storage
from ..extract.pipeline import PIPELINE_VERSION
from ..extract.records import Extraction
from ..ingest import DEFAULT_BATCH, CorpusWriter, Event, IngestSummary
from ..store import Corpus
from .dataset import read_info, read_shard, shards_in_order
from .shard import Prepared


def load(
    corpus: Corpus, directory: Path, batch_size: int = DEFAULT_BATCH, on_event: Event | None = None
) -> IngestSummary:
    """Store a dataset's articles (and their extraction) in the corpus; returns the counts."""
    info = read_info(directory)
    summary = IngestSummary()
    emit = on_event or (lambda kind, item: None)
    current = info.get("pipeline_version") == PIPELINE_VERSION and info.get("profile") is not None
    writer = CorpusWriter(corpus, summary, emit, _saver(str(info["profile"])) if current else None, batch_size)
    for name in shards_in_order(directory):
        emit("input", name)
        for prepared in read_shard(directory, name):
            writer.add(prepared)
    writer.flush()
    return summary


def _saver(profile_key: str) -> Callable[[Sequence[Prepared]], Callable[[sqlite3.Connection, Article], None]]:
    """Save each new article's extraction from the dataset (articles without one get none)."""

    def saver(batch: Sequence[Prepared]) -> Callable[[sqlite3.Connection, Article], None]:
        results: dict[str, Extraction] = {}
        for p in batch:  # of two copies of a text the first is stored, so its extraction is saved
            if p.extraction is not None:
                results.setdefault(p.article.id, p.extraction)

        def save(conn: sqlite3.Connection, article: Article) -> None:
            if article.id in results:
                storage.save(conn, article.id, results[article.id], profile_key, new=True)

        return save

    return saver
