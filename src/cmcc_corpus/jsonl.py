"""Reading JSON Lines side files (manifests, gold) where any bad row stops the run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import CorpusError


def object_rows(path: Path, error: type[CorpusError], what: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(`path:line`, object) for each non-empty line; `error` names the file and line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {what} ({exc})") from None
    for lineno, line in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        row = object_row(line, where, error, what)
        if row is not None:
            yield where, row


def object_row(line: str, where: str, error: type[CorpusError], what: str) -> dict[str, Any] | None:
    """The object on one line (None for a blank line); `error` names `where` it is not one."""
    if not line.strip():
        return None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise error(f"{where}: invalid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise error(f"{where}: each line of a {what} must be a JSON object")
    return row
