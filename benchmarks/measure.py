"""Single measurements: one CLI ingest in a child process, one bare spaCy tokenizer pass."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from .generate import MANIFEST, REPO

_SUMMARY = re.compile(r"ingested (\d+), duplicates (\d+), rejected (\d+)")


@dataclass(frozen=True)
class Mode:
    """A way of running ingest: its label in the report and its extra CLI flags."""

    label: str
    flags: tuple[str, ...] = ()
    dataset: bool = False  # tasks write a Parquet dataset (--dataset DIR) instead of the corpus


@dataclass(frozen=True)
class IngestRun:
    """One ingest: wall seconds, the child's peak RSS, documents stored, 1-min load before it."""

    seconds: float
    peak_rss_mib: float
    ingested: int
    load_before: float


def ingest_command() -> list[str]:
    """`python -m cmcc_corpus` when it exists, else the installed `cmcc-corpus` script."""
    if importlib.util.find_spec("cmcc_corpus") is None:
        sys.exit("cmcc_corpus is not importable: run with the project's .venv/bin/python")
    if importlib.util.find_spec("cmcc_corpus.__main__") is not None:
        return [sys.executable, "-m", "cmcc_corpus"]
    script = Path(sys.executable).with_name("cmcc-corpus")
    found = str(script) if script.exists() else shutil.which("cmcc-corpus")
    if not found:
        sys.exit("neither `python -m cmcc_corpus` nor a cmcc-corpus script is available")
    return [found]


def ingest_modes(with_extraction: bool = False, dask: bool = True) -> list[Mode]:
    """Ingest without extraction, then (if asked) with extraction at --jobs 1 and 2 and on Dask."""
    help_text = run_child([*ingest_command(), "ingest", "--help"])[2]
    if "--no-extract" not in help_text:
        return [Mode("ingest")]
    parallel = "--jobs" in help_text
    plain = Mode("ingest --no-extract --jobs 1", ("--no-extract", "--jobs", "1")) if parallel else Mode(
        "ingest --no-extract", ("--no-extract",)
    )
    if not with_extraction:
        return [plain]
    if not parallel:
        return [plain, Mode("ingest (with extraction)")]
    modes = [plain, Mode("ingest --jobs 1", ("--jobs", "1")), Mode("ingest --jobs 2", ("--jobs", "2"))]
    if dask and "--executor" in help_text and importlib.util.find_spec("distributed") is not None:
        modes.append(Mode("ingest --executor dask --jobs 2", ("--executor", "dask", "--jobs", "2"), dataset=True))
    return modes


def run_child(cmd: list[str]) -> tuple[float, float, str]:
    """Run `cmd`; return its wall seconds, the peak RSS in MiB of it and its workers, and its output.

    With worker processes (`--jobs`, Dask) the child's own `ru_maxrss` misses the workers, and
    Linux carries ru_maxrss over exec from the forking process, so the whole process tree is
    sampled (psutil, every 50 ms); `ru_maxrss` is used only when no sample was taken.
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's rusage, not all children's max
        seconds = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-2000:]}")
    # ru_maxrss is carried over exec from this (forking) process, so it is only a fallback.
    return seconds, sampler.peak_mib or _rss_mib(usage.ru_maxrss), output


class _TreeSampler(threading.Thread):
    """Peak summed RSS of a process and all its descendants, sampled until stopped."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_mib = pid, every, 0.0
        self._done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._done.wait(self.every):
            total = 0
            for p in [root, *_children(root)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak_mib = max(self.peak_mib, total / (1024 * 1024))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _children(root: psutil.Process) -> list[psutil.Process]:
    try:
        return root.children(recursive=True)
    except psutil.Error:
        return []


def _rss_mib(maxrss: int) -> float:
    """ru_maxrss is KiB on Linux and bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def ingest_once(corpus_dir: Path, work_dir: Path, mode: Mode, keep: Path | None = None) -> IngestRun:
    """Ingest `corpus_dir` with its manifest into a fresh corpus file under `work_dir`
    (moved to `keep` afterwards when given, for the later stages)."""
    db = Path(tempfile.mkdtemp(dir=work_dir)) / "corpus.db"
    manifest = str(corpus_dir / MANIFEST)
    cmd = [*ingest_command(), "--db", str(db), "ingest", str(corpus_dir), "--manifest", manifest]
    if mode.dataset:
        cmd += ["--dataset", str(db.parent / "dataset")]
    evict(corpus_dir)
    load = os.getloadavg()[0]
    seconds, rss, output = run_child([*cmd, "--no-progress", *mode.flags])
    summary = _SUMMARY.search(output)
    if summary is None:
        raise RuntimeError(f"unexpected ingest output:\n{output[-2000:]}")
    if keep is not None:
        shutil.move(str(db), keep)
    shutil.rmtree(db.parent)
    return IngestRun(seconds, rss, int(summary[1]), load)


def evict(path: Path) -> None:
    """Drop a file's (or a directory tree's) pages from the OS page cache.

    Every timed pass reads its input cold, at every size. Left to the cache, a small corpus
    was read warm (generated and read by the tokenizer moments before) and a large one cold
    (the cache had let its first files go by the time ingest reached them): 10k documents
    ingested in 17.0 to 18.2 s warm and 19.6 to 20.2 s cold, a cost that counted as growth
    between the sizes. A no-op where the OS has no posix_fadvise.
    """
    if not hasattr(os, "posix_fadvise"):
        return
    os.sync()  # dirty pages (a corpus just generated) cannot be dropped until written
    files = [path] if path.is_file() else [Path(root, f) for root, _, names in os.walk(path) for f in names]
    for file in files:
        fd = os.open(file, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def stage_once(db: Path, args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS MiB of one command (`align`, `compare`) over the corpus `db`."""
    evict(db)
    seconds, rss, _ = run_child([*ingest_command(), "--db", str(db), *args])
    return seconds, rss


def compile_package() -> bool:
    """Compile cmcc_corpus's modules to bytecode, as pip does when it installs a package.

    An editable install is never compiled, and with PYTHONDONTWRITEBYTECODE set (as on CI
    machines) Python never caches what it compiles: every timed run would compile our
    modules again, a fixed cost no installed copy pays. False if the directory is read-only.
    """
    import compileall

    import cmcc_corpus

    return bool(compileall.compile_dir(Path(cmcc_corpus.__file__).parent, quiet=1))


def startup_seconds() -> float:
    """Wall time of `cmcc-corpus --version`: the fixed cost included in every ingest run."""
    return run_child([*ingest_command(), "--version"])[0]


def tokenize_once(corpus_dir: Path, langs: Iterable[str]) -> float:
    """Seconds for `spacy.blank(lang).pipe` over every generated text, one language at a time."""
    import spacy

    evict(corpus_dir)
    total = 0.0
    for lang in langs:
        nlp = spacy.blank(lang)
        texts = (
            (corpus_dir / row["file"]).read_text(encoding="utf-8")
            for row in _manifest_rows(corpus_dir / MANIFEST)
            if row["lang"] == lang
        )
        start = time.perf_counter()
        for _ in nlp.pipe(texts):
            pass
        total += time.perf_counter() - start
    return total


def _manifest_rows(manifest: Path) -> Iterator[dict[str, str]]:
    with manifest.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def machine() -> dict[str, object]:
    """CPU count, Python, platform, date, code version and load of this run."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _git_describe(),
        "load_avg_start": os.getloadavg()[0],
    }


def _git_describe() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()
