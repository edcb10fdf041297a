"""Commands for translation alignment: `align [DOC...]` and `align show A B`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from .cli import _emit, _open, _stdout, cli, handles_errors
from .cli_compare import dataset_option
from .render import display_line, escape, write_json

PAIR_FIELDS = ("source", "translation", "score", "evidence", "units", "source_id", "translation_id")
PAIR_COLUMNS = (("source", "English"), ("translation", "Arabic"), ("score", "score"), ("shared", "evidence"))


class DefaultCommandGroup(click.Group):
    """A group that runs its `run` command when the first argument is not a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@cli.group("align", cls=DefaultCommandGroup)
def align_group() -> None:
    """Pair Arabic and English articles that translate each other and align their paragraphs.

    `align [DOC...]` pairs the corpus (or the given documents), aligns each pair and stores
    the result; `align show A B` prints a pair side by side.
    """


@align_group.command("run")
@click.argument("docs", nargs=-1)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Lowest pairing score kept (default: the library's calibrated value).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@dataset_option
@click.pass_context
@handles_errors
def align_run(
    ctx: click.Context, docs: tuple[str, ...], threshold: float | None, fmt: str, dataset: Path | None
) -> int:
    """Pair documents across languages and align their paragraphs (stored for `align show`).

    With --dataset, the articles of a Parquet dataset are paired (printed, not stored).
    """
    from .align.pairing import DEFAULT_THRESHOLD
    from .align.service import align_corpus, stored_pairs

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if dataset is not None:
        if docs:
            raise click.BadParameter("DOC arguments name corpus documents; not with --dataset", param_hint="DOCS")
        from .scale import require

        require("duckdb", "pyarrow")
        from .scale.duck import align_dataset

        records = align_dataset(dataset, threshold)
    else:
        with _open(ctx, write=True) as corpus:
            align_corpus(corpus, list(docs) or None, threshold)
            records = stored_pairs(corpus)
    for r in records:
        r["shared"] = ", ".join(str(f).split(":", 1)[-1] for f in r["evidence"].get("shared", [])[:4])
    _emit(records, fmt, PAIR_COLUMNS, PAIR_FIELDS, title=f"{len(records)} translation pairs")
    return 0


@align_group.command("show")
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option(
    "--level",
    type=click.Choice(["paragraph", "sentence"]),
    default="paragraph",
    show_default=True,
    help="Align by paragraph, or by sentence within aligned paragraphs.",
)
@click.option(
    "--bidi",
    type=click.Choice(["auto", "logical", "visual"]),
    default="auto",
    show_default=True,
    help="Arabic order for terminals without bidi support (visual).",
)
@click.pass_context
@handles_errors
def align_show(ctx: click.Context, a: str, b: str, fmt: str, level: str, bidi: str) -> int:
    """Show an aligned pair side by side, English left and Arabic right, unit by unit."""
    from .align.service import side_by_side
    from .render import bidi_mode

    with _open(ctx) as corpus:
        rows = side_by_side(corpus, a, b, level)
    if fmt == "json":
        write_json(
            [{"source_units": s, "source": st, "target_units": t, "target": tt} for s, st, t, tt in rows], sys.stdout
        )
    elif fmt == "markdown":
        sys.stdout.write(_markdown(rows))
    else:
        mode = bidi_mode(bidi, sys.stdout)
        table = Table(show_lines=True, header_style="bold")
        table.add_column("¶", no_wrap=True)
        table.add_column("English", ratio=1)
        table.add_column("¶", no_wrap=True)
        table.add_column("Arabic", ratio=1, justify="right")
        for src, src_text, tgt, tgt_text in rows:
            table.add_row(src or "—", Text(escape(src_text)), tgt or "—", Text(display_line(tgt_text, mode)))
        _stdout().print(table)
    return 0


def _markdown(rows: list[tuple[str, str, str, str]]) -> str:
    def cell(text: str) -> str:
        return escape(text).replace("|", "\\|")

    lines = ["| ¶ | English | ¶ | Arabic |", "|---|---|---|---|"]
    lines += [f'| {s or "—"} | {cell(st)} | {t or "—"} | <div dir="rtl">{cell(tt)}</div> |' for s, st, t, tt in rows]
    return "\n".join(lines) + "\n"


def pair_rows(corpus: Any) -> list[dict[str, Any]]:
    """Pairs in the gold `pair` form, for `evaluate`: the stored ones, or, when `align` has
    not been run, computed in memory (evaluate only reads)."""
    from .align.service import align_corpus, stored_pairs

    stored = stored_pairs(corpus)
    if stored:
        return [{"source": r["source"], "translation": r["translation"], "units": r["units"]} for r in stored]
    return [
        {
            "source": a.source_file,
            "translation": a.translation_file,
            "units": [[s, t] for link in a.links for s in link.source for t in link.target],
        }
        for a in align_corpus(corpus, store=False)
    ]
