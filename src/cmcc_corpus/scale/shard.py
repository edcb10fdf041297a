"""One shard of work: read, prepare and extract a few inputs, the same way behind every executor.

A task names its inputs (paths, never texts) and returns plain records in input order.
What every task of a run shares (decoding options, manifest, profile) reaches each worker
once, as a `WorkerContext` installed when the worker starts; tasks name it by key, so
neither the manifest nor the profile is pickled per task.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..article import Article, Metadata, prepare
from ..decode import DecodeOptions
from ..errors import CorpusError, InputError
from ..formats import Record
from ..manifest import Manifest
from ..sources import Input, Skipped, read_input

if TYPE_CHECKING:
    from ..extract.profile import Profile
    from ..extract.records import Extraction
    from ..store import Corpus

LANGUAGES = ("en", "ar")  # every worker builds both pipelines once, whatever its first shard holds
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class WorkerContext:
    """What every task of one run needs, sent to each worker once."""

    key: str
    decoding: DecodeOptions = DecodeOptions()
    max_bytes: int = DEFAULT_MAX_BYTES
    input_format: str | None = None
    lang: str | None = None
    manifest: Manifest = field(default_factory=Manifest)
    profile: Profile | None = None  # None: no extraction
    ner_model: str | None = None
    corpus: str | None = None  # documents stored here are not extracted again (read-only lookups)
    dataset: str | None = None  # tasks write Parquet shards here instead of returning articles


@dataclass(frozen=True)
class Rejected:
    """An input, or one record of it, that cannot be ingested (an InputError as plain data)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Read:
    """An input a task opened (progress displays count these)."""

    path: str


@dataclass(frozen=True)
class Prepared:
    """An article ready to store and its extraction (None: already stored, or not extracted)."""

    article: Article
    extraction: Extraction | None = None


@dataclass(frozen=True)
class Written:
    """An article a task wrote to a Parquet dataset."""

    id: str
    path: str
    lang: str


Item = Read | Rejected | Skipped | Prepared | Written


@dataclass(frozen=True)
class Shard:
    """A task: a few inputs in discovery order, with what discovery rejected or skipped among them."""

    index: int
    entries: tuple[Input | Rejected | Skipped, ...]

    @property
    def name(self) -> str:
        """A hash of the sorted paths: a retried task overwrites its own files instead of adding more."""
        digest = hashlib.sha256("\0".join(sorted(e.path for e in self.entries)).encode("utf-8", "replace"))
        return "shard-" + digest.hexdigest()[:24]

    @property
    def local(self) -> bool:
        """Whether it reads stdin, which only this process can."""
        return any(isinstance(e, Input) and e.fs_path is None for e in self.entries)


@dataclass(frozen=True)
class ShardResult:
    """A task's records in input order, and which worker produced them."""

    index: int
    name: str
    items: tuple[Item, ...]
    worker: str
    pipelines_built: int


def shards(found: Iterable[Input | InputError | Skipped], size: int) -> Iterator[Shard]:
    """Discovered inputs grouped `size` at a time, in order; stdin gets a shard of its own."""
    entries: list[Input | Rejected | Skipped] = []
    index = 0
    for item in found:
        entry = _entry(item)
        if isinstance(entry, Input) and entry.fs_path is None and entries:
            yield Shard(index, tuple(entries))
            index, entries = index + 1, []
        entries.append(entry)
        if len(entries) >= size or (isinstance(entry, Input) and entry.fs_path is None):
            yield Shard(index, tuple(entries))
            index, entries = index + 1, []
    if entries:
        yield Shard(index, tuple(entries))


def _entry(item: Input | InputError | Skipped) -> Input | Rejected | Skipped:
    """Picklable, and readable from any working directory (a worker's may differ)."""
    if isinstance(item, InputError):
        return Rejected(item.path, item.reason)
    if isinstance(item, Input) and item.fs_path is not None:
        return replace(item, fs_path=os.path.abspath(item.fs_path))
    return item


# -- what runs in a worker -----------------------------------------------------------------

_CONTEXTS: dict[str, WorkerContext] = {}
_BUILT: set[str] = set()
_BUILD_LOCK = threading.Lock()


def install(context: WorkerContext) -> None:
    """Make a run's context known to this process (pools, Dask plugins and this process call it)."""
    _CONTEXTS[context.key] = context


def uninstall(key: str) -> None:
    """Forget a finished run's context."""
    _CONTEXTS.pop(key, None)


def context_of(key: str) -> WorkerContext:
    """The installed context a task names."""
    try:
        return _CONTEXTS[key]
    except KeyError:
        raise CorpusError(f"worker {worker_id()} never received run {key} (its setup did not run)") from None


def register_profile(context: WorkerContext) -> None:
    """Make the run's profile findable by key, as pipeline components look it up."""
    if context.profile is not None:
        from ..extract import profile as profiles

        # A worker never read the user's profile file: the merged data travelled instead,
        # so it goes where `load_profile` would have put it.
        profiles.register(context.profile)


def ensure_pipelines(context: WorkerContext) -> None:
    """Build both languages' pipelines now, once per process and profile (a worker's setup;
    in this process they are built when first needed)."""
    if context.profile is None:
        return
    with _BUILD_LOCK:  # a Dask worker may run several setups or tasks on its threads
        if context.profile.key in _BUILT:
            return
        from ..extract.pipeline import get_pipeline

        register_profile(context)
        for lang in LANGUAGES:
            get_pipeline(lang, context.profile.key)
        if context.ner_model:
            from ..extract.statistical import load_model

            load_model(context.ner_model)
        _BUILT.add(context.profile.key)


def pipelines_built() -> int:
    """How many spaCy pipelines this process has built so far (the pipeline cache's misses)."""
    module = sys.modules.get("cmcc_corpus.extract.pipeline")  # not imported: spaCy was never loaded
    return int(module.pipelines_built()) if module else 0


def worker_id() -> str:
    """This process, as `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def metadata_for(record: Record, manifest: Manifest) -> Metadata | None:
    """The manifest row of a record, by file name or by path as written."""
    return manifest.get(record.file) or manifest.get(record.path)


def read_one(entry: Input, context: WorkerContext) -> Iterator[Article | Rejected]:
    """The articles one input holds, analysed but not extracted."""
    for record in read_input(entry, context.max_bytes, context.decoding, context.input_format):
        if isinstance(record, InputError):
            yield Rejected(record.path, record.reason)
            continue
        try:
            yield prepare(record, metadata_for(record, context.manifest), context.lang)
        except InputError as exc:
            yield Rejected(exc.path, exc.reason)


def process_shard(shard: Shard, context: WorkerContext) -> ShardResult:
    """Read, prepare and extract one shard's inputs; the records come back in input order."""
    read: list[Read | Rejected | Skipped | Article] = []
    for entry in shard.entries:
        if isinstance(entry, Input):
            read.append(Read(entry.path))
            read.extend(read_one(entry, context))
        else:
            read.append(entry)
    articles = [a for a in read if isinstance(a, Article)]
    extractions = iter(_extract(articles, context))
    items = tuple(Prepared(a, next(extractions)) if isinstance(a, Article) else a for a in read)
    return ShardResult(shard.index, shard.name, items, worker_id(), pipelines_built())


def _extract(articles: list[Article], context: WorkerContext) -> list[Extraction | None]:
    """Each article's extraction, None for those stored already. Copies of one text are
    extracted each on its own: their metadata (publication date, outlet) may differ."""
    if context.profile is None or not articles:
        return [None] * len(articles)
    known = stored_ids(context.corpus, [a.id for a in articles]) if context.corpus else set()
    todo = [a for a in articles if a.id not in known]
    if not todo:
        return [None] * len(articles)
    register_profile(context)
    from ..extract.run import extract
    from ..extract.service import as_input

    results = iter(extract((as_input(a) for a in todo), context.profile.key, context.ner_model))
    return [None if a.id in known else next(results) for a in articles]


def stored_ids(corpus: str, ids: Sequence[str]) -> set[str]:
    """Which ids the corpus already holds; none when it cannot be read (they are then extracted)."""
    try:
        with read_only(corpus) as stored:
            return stored.existing(list(ids))
    except (sqlite3.Error, CorpusError):
        return set()


@contextmanager
def read_only(path: str) -> Iterator[Corpus]:
    """A read-only view of the corpus: workers look things up but never write."""
    from ..store import Corpus

    uri = Path(path).absolute().as_uri() + "?mode=ro"
    corpus = Corpus(sqlite3.connect(uri, uri=True, check_same_thread=False), Path(path))
    try:
        yield corpus
    finally:
        corpus.close()


def ingest_task(shard: Shard, key: str) -> ShardResult:
    """The task behind `ingest`: process a shard, and write it to the dataset when there is one."""
    context = context_of(key)
    result = process_shard(shard, context)
    if context.dataset is None:
        return result
    from .dataset import write_shard

    write_shard(Path(context.dataset), shard, result)
    written = (
        Written(i.article.id, i.article.path, i.article.lang) if isinstance(i, Prepared) else i for i in result.items
    )
    return replace(result, items=tuple(written))


def extract_task(doc_ids: Sequence[str], key: str) -> list[Extraction]:
    """The task behind `extract`: extract stored documents, read from the corpus by id."""
    context = context_of(key)
    if context.profile is None or context.corpus is None:
        raise CorpusError("extract_task needs a run with a profile and a corpus")
    register_profile(context)
    from ..extract.run import extract
    from ..extract.storage import article_input

    with read_only(context.corpus) as corpus:
        inputs = [article_input(corpus, doc_id) for doc_id in doc_ids]
    return list(extract(inputs, context.profile.key, context.ner_model))
