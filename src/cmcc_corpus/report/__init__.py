"""`report --html`: one self-contained HTML page of what the corpus's sources say, for
readers who do not use a terminal (offline, printable, no script, nothing fetched)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import CorpusError
from ..store import Corpus
from .model import Report, ReportOptions, gather

__all__ = ["Report", "ReportError", "ReportOptions", "build", "gather", "write"]


class ReportError(CorpusError):
    """The report could not be written (exit 1); the message names the file and the reason."""


def build(corpus: Corpus, options: ReportOptions) -> tuple[Report, str]:
    """The report's content and its HTML page."""
    from .html import render

    report = gather(corpus, options)
    return report, render(report)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write(page: str, path: Path) -> None:
    """Write the page atomically: a failed run never leaves half a report behind."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(page)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is for sharing
        os.replace(tmp, path)
    except OSError as exc:
        if "tmp" in locals():
            Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
