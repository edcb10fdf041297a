"""The `cmcc-corpus` command: parses options, calls the library, renders the result."""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from . import __version__, heap
from .errors import CorpusError
from .extract.records import MENTION_FIELDS
from .formats import FORMATS
from .ingest import (
    DEFAULT_BATCH,
    DEFAULT_MAX_BYTES,
    DEFAULT_SHARD,
    IngestOptions,
    IngestSummary,
    ingest,
    ingest_dataset,
)
from .render import (
    MENTION_COLUMNS,
    annotated,
    bidi_mode,
    display_line,
    escape,
    is_rtl,
    mention_legend,
    table,
    write_csv,
    write_json,
)
from .scale.executors import EXECUTORS, default_jobs
from .sources import missing_inputs
from .store import Corpus, Document, resolve_db_path, unusable

F = TypeVar("F", bound=Callable[..., Any])
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process killed by SIGPIPE

LIST_COLUMNS = (
    ("short_id", "id"),
    ("lang", "lang"),
    ("source", "source"),
    ("published", "published"),
    ("title", "title"),
    ("words", "words"),
)
DOC_JSON_FIELDS = (
    "id",
    "file",
    "path",
    "format",
    "lang",
    "lang_confidence",
    "lang_method",
    "source",
    "url",
    "published",
    "published_basis",
    "title",
    "words",
    "ingested_at",
)


class CliError(click.ClickException):
    """A library error on its way to the user, carrying its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {escape(self.format_message())}", err=True)


def handles_errors(fn: F) -> F:
    """Map library errors to one-line messages and exit codes; tracebacks only with --debug."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CorpusError as exc:
            raise CliError(str(exc), exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, KeyboardInterrupt, click.Abort, BrokenPipeError):
            raise
        except Exception as exc:
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.ProgrammingError):
                # A read outside the store's own error handling met a damaged, locked or
                # full corpus: that is still the corpus's state (exit 3), not a bug.
                error = unusable(click.get_current_context().find_root().obj["db"], exc)
                raise CliError(str(error), error.exit_code) from None
            # Anything else is a bug: say so in one line, traceback only on request.
            if click.get_current_context().find_root().params.get("debug"):
                traceback.print_exc()
            raise CliError(
                f"internal error: {type(exc).__name__}: {exc} (re-run with --debug and report it)", EXIT_INTERNAL
            ) from None

    return wrapper  # type: ignore[return-value]


def format_option(*choices: str) -> Callable[[F], F]:
    """The shared `--format` option of commands that return records."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format: a table for people, json/csv for programs.",
    )


ner_model_option = click.option(
    "--ner-model",
    metavar="NAME",
    help=(
        "Also merge PERSON/ORG/LOC entities from an installed statistical spaCy pipeline (English), "
        "e.g. en_core_web_sm. Optional."
    ),
)
batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Articles per transaction (each batch is all-or-nothing).",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 1024),
    default=None,
    help="Worker processes that read and extract [default: the number of cores]; 1 runs everything here.",
)
profile_option = click.option(
    "--profile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file of profile additions (countries, organizations, places, people, ...) merged over the defaults.",
)


def _open(ctx: click.Context, write: bool = False, create: bool = False) -> Corpus:
    obj = ctx.find_root().obj
    return Corpus.open(obj["db"], create=create, write=write, timeout=obj["timeout"])


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False),
    envvar=None,
    help="Corpus file. Default: $CMCC_CORPUS_DB, else ./cmcc-corpus.db.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, 3600),
    default=10.0,
    show_default=True,
    help="Seconds to wait for another process's lock on the corpus before giving up (exit 3).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(__version__, prog_name="cmcc-corpus")
@click.pass_context
def cli(ctx: click.Context, db: str | None, timeout: float, debug: bool) -> None:
    """Analyze English and Arabic news coverage of the Gaza CMCC and the ISF.

    Exit codes: 0 success, 1 some inputs rejected (or findings at --fail-on),
    2 usage error, 3 corpus unusable, 130 interrupted.
    """
    ctx.obj = {"db": resolve_db_path(db), "timeout": timeout, "debug": debug}


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL rows {file, lang, source, url, published} giving metadata for plain files.",
)
@click.option("--lang", help="Language of every input (skips detection), e.g. en or ar.")
@click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    help="Read every input as this format (default: by extension, sniffed for stdin).",
)
@click.option("--encoding", help="Decode inputs with this encoding (e.g. cp1256) instead of UTF-8.")
@click.option(
    "--errors",
    "errors",
    type=click.Choice(["strict", "replace"]),
    default="strict",
    show_default=True,
    help="On undecodable bytes: reject the file, or replace them with U+FFFD.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Reject inputs larger than this.",
)
@batch_size_option
@click.option(
    "--extract/--no-extract",
    "do_extract",
    default=True,
    show_default=True,
    help="Extract mentions and claims of new articles as they go in.",
)
@profile_option
@ner_model_option
@jobs_option
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    help="Where tasks run: this process, a local process pool (default with --jobs > 1), or Dask.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --executor dask: a running scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster).",
)
@click.option(
    "--shard-size",
    type=click.IntRange(1, 100_000),
    default=DEFAULT_SHARD,
    show_default=True,
    help="Inputs per task sent to a worker.",
)
@click.option(
    "--dataset",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a Parquet dataset to this directory instead of the corpus (tasks write it; see `load`).",
)
@format_option("table", "json")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.pass_context
@handles_errors
def ingest_cmd(
    ctx: click.Context,
    paths: tuple[str, ...],
    manifest: Path | None,
    lang: str | None,
    input_format: str | None,
    encoding: str | None,
    errors: str,
    max_bytes: int,
    batch_size: int,
    do_extract: bool,
    profile: Path | None,
    ner_model: str | None,
    jobs: int | None,
    executor: str | None,
    scheduler: str | None,
    shard_size: int,
    dataset: Path | None,
    fmt: str,
    progress: bool | None,
) -> int:
    """Ingest articles: files, directories (recursive), globs, or - for stdin.

    Formats: .txt, .md (YAML front matter), .html/.htm, .json (object or list),
    .jsonl (one object per line). Duplicates (same normalized text) are not stored twice.
    Workers read and extract (--jobs, --executor); this process alone writes the corpus.
    """
    missing = missing_inputs(paths)
    if missing:
        raise click.BadParameter(f"no such file, directory or glob match: {escape(missing[0])}", param_hint="PATHS")
    if encoding:
        _check_encoding(encoding)
    if scheduler and executor != "dask":
        raise click.BadParameter("--scheduler needs --executor dask", param_hint="--scheduler")
    if dataset is not None or executor == "dask":
        from .scale import require

        require(*(("pyarrow",) if dataset is not None else ()), *(("distributed",) if executor == "dask" else ()))
    if ner_model and do_extract:
        from .extract.statistical import load_model

        load_model(ner_model)  # exit 2 before the corpus is touched
    options = IngestOptions(
        manifest=manifest,
        lang=lang,
        encoding=encoding,
        errors=errors,
        max_bytes=max_bytes,
        input_format=input_format,
        batch_size=batch_size,
        extract=do_extract,
        profile=profile,
        ner_model=ner_model,
        jobs=jobs or default_jobs(),
        executor=executor,
        scheduler=scheduler,
        shard_size=shard_size,
        list_documents=fmt == "json",  # only JSON prints them; a text summary is counts
    )
    err = Console(stderr=True, highlight=False)
    show_progress = err.is_terminal if progress is None else progress
    if dataset is not None:
        summary = _run_ingest(lambda on_event: ingest_dataset(dataset, paths, options, on_event), err, show_progress)
    else:
        with _open(ctx, write=True, create=True) as corpus:
            summary = _run_ingest(lambda on_event: ingest(corpus, paths, options, on_event), err, show_progress)
    _print_summary(summary, fmt)
    ctx.exit(summary.exit_code)
    return summary.exit_code


def _check_encoding(encoding: str) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise click.BadParameter(f"unknown encoding {encoding!r}", param_hint="--encoding") from None


def _run_ingest(
    run: Callable[[Callable[[str, object], None]], IngestSummary], err: Console, show_progress: bool
) -> IngestSummary:
    """`run(on_event)` with rejections printed as they come, and a progress bar if asked."""

    def report(kind: str, item: object) -> None:
        if kind in ("rejected", "skipped"):
            label = "" if kind == "rejected" else "skipped: "
            path, reason = getattr(item, "path", ""), getattr(item, "reason", str(item))
            err.print(Text(f"{label}{escape(path)}: {escape(reason)}"), highlight=False, soft_wrap=True)

    if not show_progress:
        return run(report)
    columns = (
        SpinnerColumn(),
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=None, current="")

        def on_event(kind: str, item: object) -> None:
            if kind == "input":
                bar.update(task, advance=1, current=escape(str(item))[-50:])
            report(kind, item)

        return run(on_event)


def _print_summary(summary: IngestSummary, fmt: str) -> None:
    if fmt == "json":
        write_json(summary.as_dict(), sys.stdout)
        return
    click.echo(
        f"ingested {summary.ingested}, duplicates {summary.duplicates}, rejected {summary.rejected}, "
        f"skipped {summary.skipped}, near-duplicates linked {summary.near_duplicates}"
    )


def _doc_record(doc: Document) -> dict[str, Any]:
    record = {f: getattr(doc, f) for f in DOC_JSON_FIELDS}
    record["short_id"] = doc.id[3:13]
    return record


@cli.command("list")
@click.option("--lang", help="Only documents in this language.")
@click.option("--source", help="Only documents from this outlet.")
@format_option("table", "json", "csv")
@click.pass_context
@handles_errors
def list_cmd(ctx: click.Context, lang: str | None, source: str | None, fmt: str) -> int:
    """List stored documents (id prefix, language, source, published, title, words)."""
    with _open(ctx) as corpus:
        records = [_doc_record(d) for d in corpus.documents(lang=lang, source=source)]
    _emit(records, fmt, LIST_COLUMNS, DOC_JSON_FIELDS, title=f"{len(records)} documents")
    return 0


def _emit(
    records: list[dict[str, Any]],
    fmt: str,
    columns: tuple[tuple[str, str], ...],
    fields: tuple[str, ...],
    title: str | None = None,
    wrap: tuple[str, ...] = (),
) -> None:
    if fmt == "json":
        write_json([{f: r.get(f) for f in fields} for r in records], sys.stdout)
    elif fmt == "csv":
        write_csv(records, fields, sys.stdout)
    else:
        out = _stdout()
        out.print(table(records, columns, title=title, wrap=wrap, width=out.width))


@cli.command("show")
@click.argument("doc")
@click.option(
    "--bidi",
    type=click.Choice(["auto", "logical", "visual"]),
    default="auto",
    show_default=True,
    help="Arabic order: logical for terminals that do bidi themselves, visual for those that do not.",
)
@click.option("--annotate", is_flag=True, help="Highlight the extracted mentions in the text (and list them).")
@format_option("text", "json")
@click.pass_context
@handles_errors
def show_cmd(ctx: click.Context, doc: str, bidi: str, annotate: bool, fmt: str) -> int:
    """Show a document's metadata and its text with paragraph numbers.

    DOC is an id (or a unique prefix of one, as `list` prints it) or a file name.
    """
    with _open(ctx) as corpus:
        found = corpus.resolve(doc)
        text = corpus.text(found.id)
        paragraphs = corpus.paragraphs(found.id)
        sentences = corpus.sentence_count(found.id)
        near = corpus.near_duplicates(found.id)
        found_mentions = []
        if annotate or fmt == "json":
            from .extract.storage import mentions as stored_mentions

            found_mentions = list(stored_mentions(corpus, doc_id=found.id))
    if fmt == "json":
        record = {f: getattr(found, f) for f in DOC_JSON_FIELDS}
        record.update(
            text=text,
            sentences=sentences,
            near_duplicates=[{"id": i, "score": s} for i, s in near],
            paragraphs=[
                {"n": p.n, "start": p.start, "end": p.end, "kind": p.kind, "text": text[p.start : p.end]}
                for p in paragraphs
            ],
            mentions=[{k: m[k] for k in MENTION_FIELDS} for m in found_mentions],
        )
        write_json(record, sys.stdout)
        return 0
    out = _stdout()
    mode = "logical" if annotate else bidi_mode(bidi, sys.stdout)
    for label, value in (
        ("id", found.id),
        ("file", found.file),
        ("title", found.title),
        ("language", f"{found.lang} ({found.lang_confidence:.2f}, {found.lang_method})"),
        ("source", found.source),
        ("published", f"{found.published or '?'} ({found.published_basis or 'unknown'})"),
        ("url", found.url),
        ("words", found.words),
        ("sentences", sentences),
    ):
        if value not in (None, ""):
            out.print(Text.assemble((f"{label:>10}: ", "bold"), display_line(str(value), mode)))
    for other, score in near:
        out.print(Text.assemble(("near-duplicate: ", "bold"), f"{other[3:13]} ({score:.0f}%)"))
    out.print()
    for p in paragraphs:
        body = text[p.start : p.end]
        if annotate:
            line = annotated(text, p.start, p.end, found_mentions)
        else:
            line = Text(display_line(body, mode), style="dim" if p.kind in ("boilerplate", "front_matter") else "")
        tag = "" if p.kind == "body" else f" {p.kind}"
        out.print(Text(f"[{p.n}{tag}]", style="cyan"))
        # Visually ordered Arabic is right-aligned here; in logical order the terminal's
        # own bidi puts an RTL paragraph on the right (padding would land on the wrong side).
        out.print(line, justify="right" if mode == "visual" and is_rtl(body) else None)
    if annotate:
        out.print()
        out.print(mention_legend())
        _emit(found_mentions, "table", MENTION_COLUMNS, MENTION_FIELDS, title=f"{len(found_mentions)} mentions")
    return 0


@cli.command("search")
@click.argument("query")
@click.option("--lang", help="Only documents in this language.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@format_option("table", "json", "csv")
@click.pass_context
@handles_errors
def search_cmd(ctx: click.Context, query: str, lang: str | None, limit: int, fmt: str) -> int:
    """Full-text search in English or Arabic (Arabic is matched in its normalized form)."""
    with _open(ctx) as corpus:
        hits = corpus.search(query, lang=lang, limit=limit)
    records = []
    for hit in hits:
        record = _doc_record(hit.document)
        record.update(snippet=hit.snippet, score=round(-hit.rank, 3))
        records.append(record)
    columns = (
        ("short_id", "id"),
        ("lang", "lang"),
        ("source", "source"),
        ("published", "published"),
        ("snippet", "match"),
    )
    fields = ("id", "file", "lang", "source", "published", "title", "score", "snippet")
    _emit(records, fmt, columns, fields, title=f"{len(records)} matches for {escape(query)!r}", wrap=("snippet",))
    return 0


from . import cli_align, cli_compare, cli_extract, cli_report, cli_scale  # noqa: E402,F401  (register their commands on `cli`)


def main() -> None:
    """Console-script entry point: real exit codes, 130 on Ctrl-C, no tracebacks."""
    heap.own()
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted: the current batch was rolled back; re-run to finish", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    sys.exit(code if isinstance(code, int) else 0)
