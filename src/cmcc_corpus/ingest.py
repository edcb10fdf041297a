"""Ingest: stream inputs into the corpus in atomic batches, one bad input never stops the rest."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Article, Metadata, prepare
from .decode import DecodeOptions
from .errors import CorpusError, InputError
from .formats import Record, parse_partial_date
from .jsonl import object_rows
from .sources import Input, Skipped, discover, read_input
from .store import AddResult, Corpus

if TYPE_CHECKING:
    from .extract.service import Extractor

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_BATCH = 500
MANIFEST_NAME = "manifest.jsonl"


class ManifestError(CorpusError):
    """The --manifest file cannot be used; nothing was ingested (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class IngestOptions:
    """Everything `ingest` needs besides the inputs and the corpus."""

    manifest: Path | None = None
    lang: str | None = None
    encoding: str | None = None
    errors: str = "strict"
    max_bytes: int = DEFAULT_MAX_BYTES
    input_format: str | None = None
    batch_size: int = DEFAULT_BATCH
    extract: bool = True  # extract mentions and claims of new articles as they go in
    profile: Path | None = None  # a user's profile additions for extraction
    ner_model: str | None = None  # an installed statistical spaCy pipeline to merge (English)


@dataclass
class IngestSummary:
    """Counts and rejections of one ingest run."""

    ingested: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0
    near_duplicates: int = 0
    rejections: list[dict[str, str]] = field(default_factory=list)
    skips: list[dict[str, str]] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when everything went in or was a duplicate, 1 when some input was rejected."""
        return 1 if self.rejected else 0

    def as_dict(self) -> dict[str, object]:
        """Plain data for `--format json`."""
        return {
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "near_duplicates": self.near_duplicates,
            "rejections": self.rejections,
            "skips": self.skips,
            "documents": self.documents,
        }


# Events for a progress display: ("input", path) per input read, then one of
# ("new"|"duplicate", AddResult), ("rejected", InputError), ("skipped", Skipped).
Event = Callable[[str, object], None]


def load_manifest(path: Path) -> dict[str, Metadata]:
    """Manifest rows keyed by file name (and by path as written), validated up front."""
    rows: dict[str, Metadata] = {}
    for where, row in object_rows(path, ManifestError, "manifest"):
        if not isinstance(row.get("file"), str):
            raise ManifestError(f'{where}: each row needs a "file" field naming the article')
        try:
            published = parse_partial_date(str(row["published"]), where) if row.get("published") else None
        except InputError as exc:
            raise ManifestError(str(exc)) from None
        meta = Metadata(
            lang=_opt(row, "lang"),
            source=_opt(row, "source"),
            url=_opt(row, "url"),
            published=published,
            title=_opt(row, "title"),
            basis="manifest",
        )
        rows[row["file"]] = meta
        rows.setdefault(os.path.basename(row["file"]), meta)
    return rows


def _opt(row: dict[str, object], key: str) -> str | None:
    value = row.get(key)
    return str(value).strip() or None if value is not None else None


def ingest(
    corpus: Corpus,
    inputs: Iterable[str],
    options: IngestOptions = IngestOptions(),
    on_event: Event | None = None,
) -> IngestSummary:
    """Read every input, store new articles in batches, and report what happened."""
    manifest = load_manifest(options.manifest) if options.manifest else {}
    exclude = _excluded(corpus.path)
    summary = IngestSummary()
    emit = on_event or (lambda kind, item: None)
    batch: list[Article] = []
    extractor = None
    if options.extract:
        from .extract.service import Extractor  # spaCy is loaded only when extraction runs

        extractor = Extractor(options.profile, options.ner_model)
    for item in _articles(inputs, exclude, manifest, options, emit):
        if isinstance(item, InputError):
            summary.rejected += 1
            summary.rejections.append({"path": item.path, "reason": item.reason})
            emit("rejected", item)
        elif isinstance(item, Skipped):
            summary.skipped += 1
            summary.skips.append({"path": item.path, "reason": item.reason})
            emit("skipped", item)
        else:
            batch.append(item)
            if len(batch) >= options.batch_size:
                _flush(corpus, batch, summary, emit, extractor)
    _flush(corpus, batch, summary, emit, extractor)
    return summary


def read_articles(
    corpus_path: Path, inputs: Iterable[str], options: IngestOptions = IngestOptions()
) -> Iterator[Article | InputError | Skipped]:
    """The articles `inputs` hold, analysed but not stored (for `check`)."""
    manifest = load_manifest(options.manifest) if options.manifest else {}
    yield from _articles(inputs, _excluded(corpus_path), manifest, options, lambda kind, item: None)


def _articles(
    inputs: Iterable[str],
    exclude: frozenset[str],
    manifest: dict[str, Metadata],
    options: IngestOptions,
    emit: Event,
) -> Iterator[Article | InputError | Skipped]:
    decoding = DecodeOptions(options.encoding, options.errors)
    manifest_path = os.path.realpath(options.manifest) if options.manifest else None
    for found in discover(inputs, exclude):
        if not isinstance(found, Input):
            yield found
            continue
        if found.fs_path and os.path.realpath(found.fs_path) == manifest_path:
            continue  # the --manifest file itself, lying among the articles
        if not found.explicit and os.path.basename(found.path) == MANIFEST_NAME:
            yield Skipped(found.path, "a manifest, not an article: pass it with --manifest")
            continue
        emit("input", found.path)
        for record in read_input(found, options.max_bytes, decoding, options.input_format):
            if isinstance(record, InputError):
                yield record
                continue
            try:
                yield prepare(record, _metadata(record, manifest), options.lang)
            except InputError as exc:
                yield exc


def _metadata(record: Record, manifest: dict[str, Metadata]) -> Metadata | None:
    return manifest.get(record.file) or manifest.get(record.path)


def _flush(
    corpus: Corpus, batch: list[Article], summary: IngestSummary, emit: Event, extractor: Extractor | None
) -> None:
    if not batch:
        return
    on_new = extractor.prepare(corpus, batch) if extractor else None
    results: list[AddResult] = corpus.add_batch(batch, on_new)
    batch.clear()
    for result in results:
        a = result.article
        if result.status == "new":
            summary.ingested += 1
            summary.near_duplicates += bool(result.near_duplicates)
        else:
            summary.duplicates += 1
        summary.documents.append({"id": a.id, "path": a.path, "status": result.status, "lang": a.lang})
        emit(result.status, result)


def _excluded(db: Path) -> frozenset[str]:
    real = os.path.realpath(db)
    return frozenset({real, real + "-wal", real + "-shm", real + "-journal"})
