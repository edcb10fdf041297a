"""`load`: import a Parquet dataset (from `ingest --dataset DIR`) into the corpus."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import _open, _print_summary, batch_size_option, cli, format_option, handles_errors


@cli.command("load")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@batch_size_option
@format_option("table", "json")
@click.pass_context
@handles_errors
def load_cmd(ctx: click.Context, directory: Path, batch_size: int, fmt: str) -> int:
    """Import a Parquet dataset written by `ingest --dataset DIR` into the corpus.

    Articles go in as ingest would store them: one copy per text, near-duplicates
    linked, each batch all-or-nothing, with their mentions and claims.
    """
    from .scale import require

    require("pyarrow")
    from .scale.load import load

    with _open(ctx, write=True, create=True) as corpus:
        summary = load(corpus, directory, batch_size)
    _print_summary(summary, fmt)
    ctx.exit(summary.exit_code)
    return summary.exit_code
