"""`compare`: cross-check claims across sources and languages, and gate CI on the result."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from .cli import _open, _stdout, cli, handles_errors
from .render import escape, is_rtl, json_text

FORMATS = ("table", "json", "jsonl", "csv", "markdown", "sarif")
STYLES = {
    "conflict": "bold red",
    "translation": "bold magenta",
    "evolving": "yellow",
    "consistent": "green",
    "single-source": "dim",
}
SARIF_LEVELS = {
    "conflict": "error",
    "translation": "error",
    "evolving": "warning",
    "consistent": "note",
    "single-source": "note",
}


dataset_option = click.option(
    "--dataset",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Read a Parquet dataset (from `ingest --dataset DIR`) with DuckDB instead of the corpus.",
)


def gate_options(fn: Any) -> Any:
    """The output and CI-gate options `compare` and `check` share."""
    fn = click.option(
        "--baseline",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Accepted findings (from compare --write-baseline): only new ones fail the gate.",
    )(fn)
    fn = click.option(
        "--fail-on",
        type=click.Choice(["conflict", "translation", "any"]),
        help="Exit 1 when such findings exist (translation includes conflicts; any adds evolving).",
    )(fn)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)(fn)


@cli.command("compare")
@gate_options
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the ids of the current findings to this file, to accept them.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 1),
    default=None,
    help="Relative spread of 'about N' (default 0.1: about 200 is 180-220).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list single-source facts in the table.")
@dataset_option
@click.pass_context
@handles_errors
def compare_cmd(
    ctx: click.Context,
    fmt: str,
    fail_on: str | None,
    baseline: Path | None,
    write_baseline: Path | None,
    tolerance: float | None,
    show_all: bool,
    dataset: Path | None,
) -> None:
    """Cross-check the claims of all stored articles: consistent, conflict, evolving, translation.

    Conflicts come first; each finding shows every side with its value, qualifier,
    outlet, date and quote. Run `align` first for translation findings. With --dataset,
    the claims of a Parquet dataset are compared with DuckDB (nothing is stored).
    """
    from .compare import DEFAULT_TOLERANCE, CompareOptions, compare_corpus, evolving_predicates, gate

    options = CompareOptions(DEFAULT_TOLERANCE if tolerance is None else tolerance, evolving_predicates())
    if dataset is not None:
        from .scale import require

        require("duckdb", "pyarrow")
        from .scale.duck import compare_dataset, document_paths

        records, paths = compare_dataset(dataset, options), document_paths(dataset)
    else:
        with _open(ctx, write=True) as corpus:
            records = compare_corpus(corpus, options)
            paths = dict(corpus.conn.execute("SELECT id, path FROM documents").fetchall())
    accepted = _read_baseline(baseline)
    if write_baseline:
        write_baseline.write_text(json.dumps({"findings": sorted(r["id"] for r in records)}, indent=2) + "\n")
    _render(records, fmt, paths, show_all)
    failing = gate(records, fail_on, accepted)
    if failing:
        click.echo(f"{len(failing)} finding(s) at --fail-on {fail_on} not in the baseline", err=True)
    ctx.exit(1 if failing else 0)


def _read_baseline(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(data["findings"] if isinstance(data, dict) else data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise click.BadParameter(
            f"{path}: not a baseline written by --write-baseline ({exc})", param_hint="--baseline"
        ) from None


def _render(records: list[dict[str, Any]], fmt: str, paths: dict[str, str], show_all: bool) -> None:
    if fmt == "json":
        sys.stdout.write(json_text(records, indent=2) + "\n")
    elif fmt == "jsonl":
        for r in records:
            sys.stdout.write(json_text(r) + "\n")
    elif fmt == "csv":
        _csv(records)
    elif fmt == "markdown":
        sys.stdout.write(markdown(records))
    elif fmt == "sarif":
        sys.stdout.write(json_text(sarif(records, paths), indent=2) + "\n")
    else:
        _table(records, show_all)


def _table(records: list[dict[str, Any]], show_all: bool) -> None:
    out = _stdout()
    counts: dict[str, int] = {}
    for r in records:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    out.print(Text("  ".join(f"{v}: {n}" for v, n in counts.items()) or "no claims to compare", style="bold"))
    subject = None
    for r in records:
        if r["verdict"] == "single-source" and not show_all:
            continue
        if r["subject"] != subject:
            subject = r["subject"]
            out.print(Text(f"\n{escape(str(subject))}", style="bold underline"))
        unit = f" [{r['unit']}]" if r.get("unit") else ""
        out.print(
            Text.assemble(
                "  ",
                (r["verdict"].upper(), STYLES[r["verdict"]]),
                escape(f"  {r['predicate']}{unit}  "),
                (escape(r.get("note") or ""), "dim"),
            )
        )
        for side in r["sides"]:
            qualifier = f" ({side['qualifier']})" if side.get("qualifier") not in (None, "exact") else ""
            out.print(Text(escape(f"    {side['value']}{qualifier}  ← {', '.join(side['docs'])}"), style="bold"))
            for ev in side["evidence"]:
                quote = escape(ev.get("quote") or "")
                meta = f"{ev.get('source') or ev.get('lang') or ''} {ev.get('published') or ''}".strip()
                out.print(Text(escape(f"      “{quote}”  {meta} [{ev['start']}:{ev['end']}]"), style="dim"))


def _csv(records: list[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(
        [
            "id",
            "verdict",
            "subject",
            "predicate",
            "unit",
            "value",
            "qualifier",
            "file",
            "quote",
            "start",
            "end",
            "as_of",
        ]
    )
    for r in records:
        for side in r["sides"]:
            for ev in side["evidence"]:
                writer.writerow(
                    [
                        r["id"],
                        r["verdict"],
                        r["subject"],
                        r["predicate"],
                        r.get("unit"),
                        side["value"],
                        side.get("qualifier"),
                        ev["file"],
                        ev.get("quote"),
                        ev["start"],
                        ev["end"],
                        ev.get("as_of"),
                    ]
                )


def markdown(records: list[dict[str, Any]]) -> str:
    """The findings as a Markdown report (conflicts first), for humans outside a terminal."""
    lines = ["# cmcc-corpus compare", ""]
    for r in records:
        if r["verdict"] == "single-source":
            continue
        lines.append(escape(f"## {r['verdict']}: {r['subject']} · {r['predicate']}"))
        lines.append("")
        for side in r["sides"]:
            qualifier = f" ({side['qualifier']})" if side.get("qualifier") not in (None, "exact") else ""
            lines.append(escape(f"- **{side['value']}**{qualifier} — {', '.join(side['docs'])}"))
            for ev in side["evidence"]:
                direction = ' dir="rtl"' if is_rtl(ev.get("quote") or "") else ""
                lines.append(f"  - <q{direction}>{escape(ev.get('quote') or '')}</q> [{ev['start']}:{ev['end']}]")
        lines.append("")
    return "\n".join(lines)


def sarif(records: list[dict[str, Any]], paths: dict[str, str]) -> dict[str, Any]:
    """SARIF 2.1.0: one rule per verdict, each side located in its article by character region."""
    from . import __version__

    rules = [
        {
            "id": v,
            "name": v.replace("-", " ").title().replace(" ", ""),
            "shortDescription": {"text": f"Cross-source finding: {v}"},
        }
        for v in STYLES
    ]
    results = []
    for r in records:
        if r["verdict"] == "single-source":
            continue
        locations = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": paths.get(ev["doc_id"], ev["file"])},
                    "region": {"charOffset": ev["start"], "charLength": ev["end"] - ev["start"]},
                },
                "message": {"text": f"{side['value']}: {ev.get('quote') or ''}"},
            }
            for side in r["sides"]
            for ev in side["evidence"]
        ]
        results.append(
            {
                "ruleId": r["verdict"],
                "level": SARIF_LEVELS[r["verdict"]],
                "message": {"text": f"{r['verdict']}: {r['subject']} {r['predicate']} — {r.get('note') or ''}"},
                "partialFingerprints": {"findingId": r["id"]},
                "locations": locations[:1],
                "relatedLocations": locations[1:],
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {"tool": {"driver": {"name": "cmcc-corpus", "version": __version__, "rules": rules}}, "results": results}
        ],
    }


@cli.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Metadata rows for the checked files (as for ingest).",
)
@click.option("--save", is_flag=True, help="Also store the articles (and their extraction) in the corpus.")
@gate_options
@click.pass_context
@handles_errors
def check_cmd(
    ctx: click.Context,
    paths: tuple[str, ...],
    manifest: Path | None,
    save: bool,
    fmt: str,
    fail_on: str | None,
    baseline: Path | None,
) -> None:
    """Check new articles against the corpus (for CI): report only findings that involve them.

    The articles are extracted and compared in memory; nothing is stored unless --save.
    An unreadable input is reported as `path: reason` and makes the exit code 1.
    """
    from .compare import CompareOptions, check_articles, evolving_predicates, gate
    from .ingest import IngestOptions
    from .sources import missing_inputs

    missing = missing_inputs(paths)
    if missing:
        raise click.BadParameter(f"no such file, directory or glob match: {escape(missing[0])}", param_hint="PATHS")
    with _open(ctx, write=save, create=save) as corpus:
        result = check_articles(
            corpus, paths, IngestOptions(manifest=manifest), CompareOptions(evolving=evolving_predicates()), save
        )
        doc_paths = dict(corpus.conn.execute("SELECT id, path FROM documents").fetchall())
    for path, reason in result.rejected:
        click.echo(f"{escape(path)}: {escape(reason)}", err=True)
    _render(result.findings, fmt, doc_paths, show_all=False)
    failing = gate(result.findings, fail_on, _read_baseline(baseline))
    ctx.exit(1 if failing or result.rejected else 0)
