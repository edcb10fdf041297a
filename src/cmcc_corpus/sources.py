"""Finding and reading inputs: files, directories (streamed), globs and stdin."""

from __future__ import annotations

import errno
import glob
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from .decode import DecodeOptions, decode
from .errors import InputError
from .formats import EXTENSIONS, Record, read, sniff

GLOB_CHARS = frozenset("*?[")
# Not read, but reported when met in a directory: the articles inside are not ingested.
ARCHIVE_EXTENSIONS = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar")


@dataclass(frozen=True)
class Input:
    """One input to read: a file path, or stdin when `fs_path` is None."""

    path: str  # for messages and storage: always valid UTF-8
    fs_path: str | None
    fmt: str | None  # from the extension; None means sniff the content
    explicit: bool = True  # named on the command line, not found in a directory


@dataclass(frozen=True)
class Skipped:
    """Something passed over on purpose, with the reason (not an error)."""

    path: str
    reason: str


def display_path(path: str) -> str:
    """A printable form of a path whose bytes may not be valid UTF-8."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def missing_inputs(args: Iterable[str]) -> list[str]:
    """Arguments that name nothing: not '-', not an existing path, not a matching glob."""
    missing = []
    for arg in args:
        if arg == "-" or os.path.lexists(arg):
            continue
        if GLOB_CHARS & set(arg) and glob.glob(arg, recursive=True):
            continue
        missing.append(arg)
    return missing


def discover(args: Iterable[str], exclude: frozenset[str] = frozenset()) -> Iterator[Input | InputError | Skipped]:
    """Every input named by `args`, walking directories lazily in sorted order."""
    for arg in args:
        if arg == "-":
            yield Input("<stdin>", None, None)
        elif not os.path.lexists(arg) and GLOB_CHARS & set(arg):
            for match in sorted(glob.iglob(arg, recursive=True)):
                yield from _one(match, exclude, explicit=True)
        else:
            yield from _one(arg, exclude, explicit=True)


def _one(path: str, exclude: frozenset[str], explicit: bool) -> Iterator[Input | InputError | Skipped]:
    shown = display_path(path)
    try:
        st = os.stat(path)  # follows a symlink the user named explicitly
    except OSError as exc:
        reason = "symlink loop, not followed" if exc.errno == errno.ELOOP else _os_reason(exc)
        yield InputError(shown, reason)
        return
    ext = os.path.splitext(path)[1].lower()
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(path, exclude)
    elif not explicit and path.lower().endswith(ARCHIVE_EXTENSIONS):
        yield Skipped(shown, "an archive: archives are not supported (unpack it and ingest the files)")
    elif not (explicit or ext in EXTENSIONS):
        return  # found in a directory and not an article file: not ours to read or report
    elif may_be(path, exclude, explicit) and os.path.realpath(path) in exclude:
        yield InputError(shown, "is the corpus database (or its journal) itself; refusing to ingest it")
    elif not stat.S_ISREG(st.st_mode):
        yield InputError(shown, f"not a regular file ({_kind(st.st_mode)}), skipped unread")
    else:
        yield Input(shown, path, EXTENSIONS.get(ext), explicit)


def may_be(path: str, targets: frozenset[str], explicit: bool) -> bool:
    """Whether `path` may resolve to one of `targets` (real paths): resolving costs a system
    call per directory of the path, for every file. A file found in a directory walk is not
    a symlink (those are skipped), so its real path ends in its own name; a path the user
    named may be a symlink to anything."""
    return explicit or os.path.basename(path) in _names(targets)


@cache
def _names(paths: frozenset[str]) -> frozenset[str]:
    """The file names of `paths`, worked out once per set (asked for every file found)."""
    return frozenset(os.path.basename(p) for p in paths)


def _walk(root: str, exclude: frozenset[str]) -> Iterator[Input | InputError | Skipped]:
    """Depth-first, sorted, one directory listing in memory at a time; symlinks not followed."""
    try:
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield InputError(display_path(root), _os_reason(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            yield Skipped(display_path(entry.path), "symbolic link inside a directory, not followed")
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            yield InputError(display_path(entry.path), _os_reason(exc))
            continue
        if is_dir:
            yield from _walk(entry.path, exclude)
        else:
            yield from _one(entry.path, exclude, explicit=False)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "special file"


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def read_bytes(inp: Input, max_bytes: int) -> bytes:
    """The raw bytes of an input, refusing more than `max_bytes`."""
    if inp.fs_path is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            if os.stat(inp.fs_path).st_size > max_bytes:
                raise InputError(inp.path, f"larger than --max-bytes ({max_bytes} bytes)")
            # O_NONBLOCK: a file swapped for a FIFO after the check must not hang us.
            fd = os.open(inp.fs_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode):
                    raise InputError(inp.path, "not a regular file, skipped unread")
                # Ask for the size it has (a read of max_bytes allocates that much first: 3x
                # the time of a whole small article's read), then for any part it grew by since.
                data = fh.read(min(st.st_size, max_bytes) + 1)
                if len(data) > st.st_size:
                    data += fh.read(max_bytes + 1 - len(data))
        except OSError as exc:
            raise InputError(inp.path, _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise InputError(inp.path, f"larger than --max-bytes ({max_bytes} bytes)")
    return data


def read_input(
    inp: Input, max_bytes: int, decoding: DecodeOptions, fmt: str | None = None
) -> Iterator[Record | InputError]:
    """Records from one input: read, decode, pick the format, parse."""
    hint = fmt or inp.fmt
    try:
        data = read_bytes(inp, max_bytes)
        html = hint == "html" or (hint is None and sniff(data[:1024].decode("latin-1")) == "html")
        text = decode(data, inp.path, decoding, html=html)
    except InputError as exc:
        yield exc
        return
    chosen = hint or sniff(text)
    name = "<stdin>" if inp.fs_path is None else os.path.basename(inp.path)
    yield from read(text, inp.path, name, chosen)
