"""`report --html FILE`: the corpus's findings as one self-contained HTML page."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from .cli import _open, cli, handles_errors
from .render import escape


@cli.command("report")
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the report to this HTML file (- for stdout).",
)
@click.option("--title", default="cmcc-corpus report", show_default=True, help="Title of the report.")
@click.pass_context
@handles_errors
def report_cmd(ctx: click.Context, html_path: Path, title: str) -> int:
    """Write a self-contained HTML report for editors: summary, conflicts with their quotes,
    timelines of evolving figures, translation pairs side by side, and the quoted articles.

    The page needs no network and no script; it opens offline in any browser and prints.
    Findings are computed from the stored claims as `compare` would; translation pairs are
    those `align` stored (computed for the report when none are). The corpus is only read.
    """
    from .report import ReportOptions, build, write

    to_stdout = str(html_path) == "-"
    if not to_stdout and not html_path.parent.is_dir():
        raise click.BadParameter(f"directory {escape(str(html_path.parent))} does not exist", param_hint="--html")
    options = ReportOptions(title=title, generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    with _open(ctx) as corpus:
        report, page = build(corpus, options)
    if to_stdout:
        sys.stdout.write(page)
    else:
        write(page, html_path)
        counts = ", ".join(f"{n} {v}" for v, n in report.verdicts.items() if n and v != "single-source")
        click.echo(
            f"wrote {escape(str(html_path))}: {_count(len(report.documents), 'document')}, "
            f"{counts or 'no findings'}, {_count(len(report.timelines), 'chart')}, "
            f"{_count(len(report.pairs), 'translation pair')}",
            err=True,
        )
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
