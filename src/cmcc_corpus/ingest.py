"""Ingest: stream inputs into the corpus in atomic batches, one bad input never stops the rest.

Inputs are read, analysed and extracted in shards by an executor (this process, a pool
of worker processes, or a Dask cluster); this process alone writes, in input order, so
every executor and every `--jobs` stores the same rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import heap
from .article import Article
from .decode import DecodeOptions
from .errors import InputError
from .manifest import Manifest
from .scale.executors import EXECUTORS, open_executor, start_fork_server
from .scale.shard import (
    DEFAULT_MAX_BYTES,
    Item,
    Prepared,
    Read,
    Rejected,
    Shard,
    ShardResult,
    WorkerContext,
    Written,
    ingest_task,
    read_one,
    shards,
)
from .sources import Input, Skipped, discover, may_be
from .store import AddResult, Corpus, OnNew

if TYPE_CHECKING:
    from .extract.service import Extractor

DEFAULT_BATCH = 500
DEFAULT_SHARD = 50  # inputs per task: seconds of work, so a task's overhead is negligible
MANIFEST_NAME = "manifest.jsonl"


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
    jobs: int = 1  # worker processes (or Dask workers of a LocalCluster)
    executor: str | None = None  # serial | processes | dask; default: serial for one job, else processes
    scheduler: str | None = None  # address of a Dask scheduler; None starts a LocalCluster
    shard_size: int = DEFAULT_SHARD
    list_documents: bool = True  # keep each document in the summary: a run of 100,000 holds ~30 MB of them

    def __post_init__(self) -> None:
        if self.executor not in (None, *EXECUTORS):
            raise ValueError(f"executor must be one of {EXECUTORS}, not {self.executor!r}")
        if self.jobs < 1 or self.shard_size < 1:
            raise ValueError("jobs and shard_size must be at least 1")

    @property
    def executor_kind(self) -> str:
        """The executor to use: as chosen, else serial for one job and processes for more."""
        return self.executor or ("serial" if self.jobs == 1 else "processes")


class Stored(NamedTuple):
    """One document an ingest stored or found (a tuple: a run of a million keeps a million)."""

    id: str
    path: str
    status: str  # new, duplicate or written
    lang: str


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
    documents: list[Stored] = field(default_factory=list)
    workers: dict[str, dict[str, int]] = field(default_factory=dict)  # per worker: shards, pipelines built

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
            "documents": [d._asdict() for d in self.documents],
        }


# Events for a progress display: ("input", path) per input read, then one of
# ("new"|"duplicate", AddResult), ("rejected", InputError), ("skipped", Skipped);
# ("written", Written) instead of new/duplicate when writing a Parquet dataset.
Event = Callable[[str, object], None]


def ingest(
    corpus: Corpus,
    inputs: Iterable[str],
    options: IngestOptions = IngestOptions(),
    on_event: Event | None = None,
) -> IngestSummary:
    """Read every input, store new articles in batches, and report what happened."""
    manifest = Manifest.load(options.manifest) if options.manifest else Manifest()
    summary = IngestSummary()
    emit = on_event or _ignore
    tasks = _tasks(inputs, _excluded(corpus.path), options)
    extractor = _extractor(options)
    saver = extractor.saver if extractor else None
    writer = CorpusWriter(corpus, summary, emit, saver, options.batch_size, options.list_documents)
    context = _context(options, manifest, extractor, corpus=os.path.abspath(corpus.path))
    # Workers keep a batch's worth of shards ahead: they go on while this process writes one.
    ahead = -(-options.batch_size // options.shard_size)
    _run(tasks, options, context, summary, writer.add, ahead)
    writer.flush()
    return summary


def ingest_dataset(
    directory: Path, inputs: Iterable[str], options: IngestOptions = IngestOptions(), on_event: Event | None = None
) -> IngestSummary:
    """Read every input into a Parquet dataset (tasks write one file per shard and table), not a corpus.

    Duplicates are not known until the dataset is read: `load` and DuckDB keep one copy.
    """
    from .scale.dataset import prepare_dataset

    manifest = Manifest.load(options.manifest) if options.manifest else Manifest()
    tasks = _tasks(inputs, frozenset(), options)
    extractor = _extractor(options)
    prepare_dataset(directory, extractor.profile.key if extractor else None)
    summary = IngestSummary()
    emit = on_event or _ignore

    def add(item: Item) -> None:
        if isinstance(item, Written):
            summary.ingested += 1
            if options.list_documents:
                summary.documents.append(Stored(item.id, item.path, "written", item.lang))
            emit("written", item)
        else:
            report(item, summary, emit)

    context = _context(options, manifest, extractor, dataset=str(directory.resolve()))
    _run(tasks, options, context, summary, add)
    return summary


def _ignore(kind: str, item: object) -> None:
    """No progress display."""


def _extractor(options: IngestOptions) -> Extractor | None:
    if not options.extract:
        return None
    with heap.loading():
        from .extract.service import Extractor  # spaCy is loaded only when extraction runs

        return Extractor(options.profile, options.ner_model)


def _context(
    options: IngestOptions,
    manifest: Manifest,
    extractor: Extractor | None,
    corpus: str | None = None,
    dataset: str | None = None,
) -> WorkerContext:
    return WorkerContext(
        key=uuid.uuid4().hex[:12],
        decoding=DecodeOptions(options.encoding, options.errors),
        max_bytes=options.max_bytes,
        input_format=options.input_format,
        lang=options.lang,
        manifest=manifest,
        profile=extractor.profile if extractor else None,
        ner_model=options.ner_model,
        corpus=corpus,
        dataset=dataset,
    )


def _tasks(inputs: Iterable[str], exclude: frozenset[str], options: IngestOptions) -> Iterator[Shard]:
    """Shards of the discovered inputs. When there is more than one and a local process pool will
    take them, its fork server is started now: it imports spaCy while this process loads the
    rest of the run, not after (workers were a second later to start)."""
    found = shards(_discovered(inputs, exclude, options), options.shard_size)
    head = list(islice(found, 2))
    if len(head) > 1 and options.executor_kind == "processes" and options.jobs > 1:
        start_fork_server()
    return chain(head, found)


def _run(
    tasks: Iterable[Shard],
    options: IngestOptions,
    context: WorkerContext,
    summary: IngestSummary,
    sink: Callable[[Item], None],
    ahead: int = 0,
) -> None:
    """The shards through the executor; every record to `sink`, in input order."""
    with open_executor(options.executor_kind, options.jobs, context, options.scheduler, ahead) as executor:
        for result in executor.map(ingest_task, tasks):
            _note_worker(summary, result)
            for item in result.items:
                sink(item)


def _note_worker(summary: IngestSummary, result: ShardResult) -> None:
    seen = summary.workers.setdefault(result.worker, {"shards": 0, "pipelines_built": 0})
    seen["shards"] += 1
    seen["pipelines_built"] = result.pipelines_built


def read_articles(
    corpus_path: Path, inputs: Iterable[str], options: IngestOptions = IngestOptions()
) -> Iterator[Article | InputError | Skipped]:
    """The articles `inputs` hold, analysed but not stored (for `check`)."""
    manifest = Manifest.load(options.manifest) if options.manifest else Manifest()
    context = _context(options, manifest, None)
    for found in _discovered(inputs, _excluded(corpus_path), options):
        if not isinstance(found, Input):
            yield found
            continue
        for item in read_one(found, context):
            yield InputError(item.path, item.reason) if isinstance(item, Rejected) else item


def _discovered(
    inputs: Iterable[str], exclude: frozenset[str], options: IngestOptions
) -> Iterator[Input | InputError | Skipped]:
    """Inputs to read, in order, with what discovery rejects or skips; never the manifest itself."""
    manifest = frozenset({os.path.realpath(options.manifest)} if options.manifest else ())
    for found in discover(inputs, exclude):
        if not isinstance(found, Input):
            yield found
        elif (
            found.fs_path
            and may_be(found.fs_path, manifest, found.explicit)
            and os.path.realpath(found.fs_path) in manifest
        ):
            continue  # the --manifest file itself, lying among the articles
        elif not found.explicit and os.path.basename(found.path) == MANIFEST_NAME:
            yield Skipped(found.path, "a manifest, not an article: pass it with --manifest")
        else:
            yield found


def report(item: Item, summary: IngestSummary, emit: Event) -> None:
    """Count and announce an input read, rejected or skipped."""
    if isinstance(item, Read):
        emit("input", item.path)
    elif isinstance(item, Rejected):
        summary.rejected += 1
        summary.rejections.append({"path": item.path, "reason": item.reason})
        emit("rejected", InputError(item.path, item.reason))
    elif isinstance(item, Skipped):
        summary.skipped += 1
        summary.skips.append({"path": item.path, "reason": item.reason})
        emit("skipped", item)


Saver = Callable[[Sequence[Prepared]], OnNew | None]


class CorpusWriter:
    """Stores prepared articles in input order, in all-or-nothing batches (the only writer)."""

    def __init__(
        self,
        corpus: Corpus,
        summary: IngestSummary,
        emit: Event,
        saver: Saver | None,
        batch_size: int,
        list_documents: bool = True,
    ) -> None:
        self.corpus = corpus
        self.summary = summary
        self.emit = emit
        self.saver = saver
        self.batch_size = batch_size
        self.batch: list[Prepared] = []
        self.list_documents = list_documents

    def add(self, item: Item) -> None:
        """Take one record of a shard; a full batch is written at once."""
        if not isinstance(item, Prepared):
            report(item, self.summary, self.emit)
            return
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write the batch in one transaction, with each new article's extraction."""
        if not self.batch:
            return
        on_new = self.saver(self.batch) if self.saver else None
        results: list[AddResult] = self.corpus.add_batch([p.article for p in self.batch], on_new)
        self.batch.clear()
        for result in results:
            a = result.article
            if result.status == "new":
                self.summary.ingested += 1
                self.summary.near_duplicates += bool(result.near_duplicates)
            else:
                self.summary.duplicates += 1
            if self.list_documents:
                self.summary.documents.append(Stored(a.id, a.path, result.status, a.lang))
            self.emit(result.status, result)


def _excluded(db: Path) -> frozenset[str]:
    real = os.path.realpath(db)
    return frozenset({real, real + "-wal", real + "-shm", real + "-journal"})
