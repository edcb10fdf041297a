"""Commands over extraction results: `extract`, `entities`, `claims`, `evaluate`."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.text import Text

from .cli import (
    _emit,
    _open,
    _stdout,
    cli,
    format_option,
    handles_errors,
    jobs_option,
    ner_model_option,
    profile_option,
)
from .evaluate import RECALL_ONLY, Report, evaluate, load_gold
from .extract.records import CLAIM_FIELDS, MENTION_TYPES
from .render import claims_view, escape

CLAIM_COLUMNS = (
    ("file", "document"),
    ("subject", "subject"),
    ("predicate", "predicate"),
    ("value", "value"),
    ("unit", "unit"),
    ("qualifier", "qualifier"),
    ("as_of", "as of"),
    ("text", "quote"),
)
ENTITY_FIELDS = ("type", "value", "documents", "mentions", "per_document", "examples")
ENTITY_COLUMNS = (
    ("type", "type"),
    ("value", "id"),
    ("documents", "docs"),
    ("mentions", "mentions"),
    ("examples", "as written"),
)


doc_option = click.option("--doc", help="Only this document (id prefix or file name).")


def _doc_id(corpus: Any, doc: str | None) -> str | None:
    return corpus.resolve(doc).id if doc else None


@cli.command("extract")
@click.option("--all", "everything", is_flag=True, help="Re-extract every document, not only stale ones.")
@profile_option
@ner_model_option
@jobs_option
@click.pass_context
@handles_errors
def extract_cmd(
    ctx: click.Context, everything: bool, profile: Path | None, ner_model: str | None, jobs: int | None
) -> int:
    """Re-run extraction on stored documents.

    Without --all, only documents never extracted, or extracted by another pipeline
    version or profile, are done (e.g. after editing a profile file). Worker processes
    (--jobs) read and extract documents by id; this process alone writes.
    """
    from .extract.service import Extractor
    from .scale.executors import default_jobs

    extractor = Extractor(profile, ner_model)
    jobs = jobs or default_jobs()
    err = Console(stderr=True)
    with _open(ctx, write=True) as corpus:
        if not err.is_terminal:
            done = extractor.rerun(corpus, everything, jobs=jobs)
        else:
            with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
                task = bar.add_task("extract", total=None)
                done = extractor.rerun(corpus, everything, lambda n: bar.advance(task, n), jobs=jobs)
    click.echo(f"extracted {done} documents")
    return 0


@cli.command("entities")
@click.option("--type", "kind", type=click.Choice(MENTION_TYPES), help="Only this mention type.")
@click.option("--lang", help="Only documents in this language.")
@doc_option
@format_option("table", "json", "csv")
@click.pass_context
@handles_errors
def entities_cmd(ctx: click.Context, kind: str | None, lang: str | None, doc: str | None, fmt: str) -> int:
    """Mentions grouped by canonical id, with counts per document."""
    from .extract.storage import mentions as stored_mentions

    with _open(ctx) as corpus:
        rows = list(stored_mentions(corpus, type=kind, lang=lang, doc_id=_doc_id(corpus, doc)))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["type"], str(row["value"]))
        group = groups.setdefault(
            key,
            {"type": row["type"], "value": row["value"], "per_document": defaultdict(int), "forms": defaultdict(int)},
        )
        group["per_document"][row["file"]] += 1
        group["forms"][row["text"]] += 1
    records = []
    for group in sorted(groups.values(), key=lambda g: (g["type"], -sum(g["per_document"].values()))):
        forms = sorted(group.pop("forms").items(), key=lambda kv: -kv[1])
        records.append(
            {
                **group,
                "per_document": dict(group["per_document"]),
                "documents": len(group["per_document"]),
                "mentions": sum(group["per_document"].values()),
                "examples": " | ".join(f for f, _ in forms[:3]),
            }
        )
    _emit(records, fmt, ENTITY_COLUMNS, ENTITY_FIELDS, title=f"{len(records)} entities and values")
    return 0


@cli.command("claims")
@click.option("--subject", help="Only claims about this canonical subject (e.g. CMCC, USA).")
@click.option("--predicate", help="Only this predicate (e.g. opened_on, personnel_count).")
@doc_option
@format_option("table", "json", "csv")
@click.pass_context
@handles_errors
def claims_cmd(ctx: click.Context, subject: str | None, predicate: str | None, doc: str | None, fmt: str) -> int:
    """Subject-predicate-value claims with their quote as evidence."""
    from .extract.storage import claims as stored_claims

    with _open(ctx) as corpus:
        records = list(stored_claims(corpus, subject=subject, predicate=predicate, doc_id=_doc_id(corpus, doc)))
    if fmt == "table":
        out = _stdout()
        out.print(Text(f"{len(records)} claims", style="bold"))
        out.print(claims_view(records))
    else:
        _emit(records, fmt, CLAIM_COLUMNS, CLAIM_FIELDS)
    return 0


@cli.command("evaluate")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--min-f1", type=click.FloatRange(0, 1), help="Exit 1 when an exhaustive type's or the claims' F1 is below this."
)
@format_option("table", "json")
@click.pass_context
@handles_errors
def evaluate_cmd(ctx: click.Context, gold: tuple[Path, ...], min_f1: float | None, fmt: str) -> None:
    """Score the corpus against gold files (documents matched by file name).

    Precision, recall and F1 per kind and per mention type, with misses and false
    positives. Organisation and place gold is recall-only: their precision is shown
    but not gated by --min-f1.
    """
    from .cli_align import pair_rows
    from .extract.storage import claims as stored_claims
    from .extract.storage import mentions as stored_mentions

    rows = load_gold(gold)
    with _open(ctx) as corpus:
        by_file_m: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_file_c: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in stored_mentions(corpus):
            by_file_m[m["file"]].append(m)
        for c in stored_claims(corpus):
            by_file_c[c["file"]].append(c)
        pairs = pair_rows(corpus) if rows.pairs else []
        findings = _findings(corpus) if rows.findings else []
    report = evaluate(rows, by_file_m, by_file_c, pairs, findings)
    if fmt == "json":
        import json

        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_report(report)
    failing = {k: v for k, v in report.gated_f1().items() if min_f1 is not None and v < min_f1}
    if failing:
        click.echo("below --min-f1: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(failing.items())), err=True)
    ctx.exit(1 if failing else 0)


def _findings(corpus: Any) -> list[dict[str, Any]]:
    """Comparison findings of the stored claims (computed, not stored: evaluate only reads)."""
    from .compare import CompareOptions, compare, evolving_predicates
    from .extract.storage import claims as stored_claims

    return [f.as_dict() for f in compare(stored_claims(corpus), CompareOptions(evolving=evolving_predicates()))]


def _print_report(report: Report) -> None:
    out = _stdout()
    records = []
    if report.mentions is not None:
        for kind, s in sorted(report.by_type.items()):
            note = " (recall-only gold)" if kind in RECALL_ONLY else ""
            records.append({"kind": f"mention: {kind}{note}", **s.as_dict()})
        records.append({"kind": "mentions (all)", **report.mentions.as_dict()})
    if report.claims is not None:
        records.append({"kind": "claims", **report.claims.as_dict()})
    for label, score in (("pairs: documents", report.pair_documents), ("pairs: units", report.pair_units)):
        if score is not None:
            records.append({"kind": label, **score.as_dict()})
    columns = tuple((k, k) for k in ("kind", "tp", "fp", "fn", "precision", "recall", "f1"))
    _emit(records, "table", columns, tuple(c for c, _ in columns), title="evaluation against gold")
    for kind, s in sorted(report.by_type.items()):
        for label, items in (("missed", s.missed), ("extra", s.extra)):
            for item in items:
                out.print(f"  {label:6s} {kind:9s} {escape(' · '.join(str(x) for x in item if x is not None))}")
    if report.claims is not None:
        for label, items in (("missed", report.claims.missed), ("extra", report.claims.extra)):
            for item in items:
                out.print(f"  {label:6s} claim     {escape(' · '.join(str(x) for x in item if x is not None))}")
