"""The manifest: metadata rows for articles, by file name, looked up without holding them all.

A manifest has one row per article, so a dict of its rows grows with the corpus and is
copied into every worker (56 MB for 100,000 rows). `Manifest` validates every row once,
then keeps only a sorted index of key hashes and byte ranges (24 bytes a key) and reads a
row from the file again when a record asks for it. Lookups are by file name as written in
the row (the last such row wins) and then by its base name (the first such row wins).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy

from .article import Metadata
from .errors import CorpusError, InputError
from .formats import parse_partial_date
from .jsonl import object_row

_BOM = b"\xef\xbb\xbf"


class ManifestError(CorpusError):
    """The --manifest file cannot be used; nothing was ingested (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class _Index:
    """Sorted key hashes with the byte range of the row each came from."""

    hashes: numpy.ndarray
    offsets: numpy.ndarray
    lengths: numpy.ndarray

    @classmethod
    def build(cls, entries: list[tuple[int, int, int]]) -> _Index:
        table = numpy.array(entries or numpy.empty((0, 3)), dtype=numpy.uint64).reshape(-1, 3)
        table = table[numpy.lexsort((table[:, 1], table[:, 0]))]  # by hash, then file order
        return cls(table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy())

    def ranges(self, h: int) -> list[tuple[int, int]]:
        """(offset, length) of each row whose key has hash `h`, in file order."""
        key = numpy.uint64(h)
        lo, hi = int(numpy.searchsorted(self.hashes, key, "left")), int(numpy.searchsorted(self.hashes, key, "right"))
        return list(zip(self.offsets[lo:hi].tolist(), self.lengths[lo:hi].tolist(), strict=True))


@dataclass(eq=False)
class Manifest:
    """Metadata by file name, read from a JSONL manifest on demand (picklable: workers reopen it)."""

    path: Path | None = None
    by_file: _Index = field(default_factory=lambda: _Index.build([]))
    by_base: _Index = field(default_factory=lambda: _Index.build([]))
    _fd: int | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Validate every row of `path` (ManifestError names the line) and index them."""
        by_file: list[tuple[int, int, int]] = []
        by_base: list[tuple[int, int, int]] = []
        for offset, length, row in _rows(path):
            by_file.append((_hash(row["file"]), offset, length))
            by_base.append((_hash(os.path.basename(row["file"])), offset, length))
        return cls(path, _Index.build(by_file), _Index.build(by_base))

    def get(self, key: str | None) -> Metadata | None:
        """The metadata of the row for `key` (a file name or path as written), or None."""
        if not key or self.path is None:
            return None
        h = _hash(key)
        rows = [row for row in map(self._read, self.by_file.ranges(h)) if row["file"] == key]
        if rows:
            return _metadata(rows[-1])
        for row in map(self._read, self.by_base.ranges(h)):
            if os.path.basename(row["file"]) == key:
                return _metadata(row)
        return None

    def __len__(self) -> int:
        return len(self.by_file.hashes)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_fd": None}  # a worker opens its own descriptor

    def _read(self, where: tuple[int, int]) -> dict[str, Any]:
        try:
            if self._fd is None:
                assert self.path is not None
                self._fd = os.open(self.path, os.O_RDONLY)
            offset, length = where
            data = os.pread(self._fd, length, offset)  # no shared file position: safe across threads
            row = json.loads(data.removeprefix(_BOM).decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise ManifestError(f"{self.path}: cannot read manifest ({exc}); was it changed during the run?") from None
        if not isinstance(row, dict) or not isinstance(row.get("file"), str):
            raise ManifestError(f"{self.path}: changed during the run (a row moved); run the ingest again")
        return row

    def __del__(self) -> None:
        if self._fd is not None:
            os.close(self._fd)


def _rows(path: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(byte offset, byte length, row) of each non-empty line, each validated, streamed."""
    try:
        with path.open("rb") as fh:
            offset = 0
            for lineno, line in enumerate(fh, 1):
                start, offset = offset, offset + len(line)
                row = _row(line.removeprefix(_BOM) if start == 0 else line, f"{path}:{lineno}")
                if row is not None:
                    yield start, len(line), row
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read manifest ({exc})") from None


def _row(line: bytes, where: str) -> dict[str, Any] | None:
    """One validated manifest row (None for a blank line)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{where}: cannot read manifest ({exc})") from None
    row = object_row(text, where, ManifestError, "manifest")
    if row is None:
        return None
    if not isinstance(row.get("file"), str):
        raise ManifestError(f'{where}: each row needs a "file" field naming the article')
    _metadata(row, where)
    return row


def _metadata(row: dict[str, Any], where: str = "manifest") -> Metadata:
    try:
        published = parse_partial_date(str(row["published"]), where) if row.get("published") else None
    except InputError as exc:
        raise ManifestError(str(exc)) from None
    return Metadata(
        lang=_opt(row, "lang"),
        source=_opt(row, "source"),
        url=_opt(row, "url"),
        published=published,
        title=_opt(row, "title"),
        basis="manifest",
    )


def _opt(row: dict[str, object], key: str) -> str | None:
    value = row.get(key)
    return str(value).strip() or None if value is not None else None


def _hash(key: str) -> int:
    """A hash every process computes alike (Python's own `hash` of a str is salted per process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
