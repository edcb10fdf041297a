"""`python -m benchmarks` (`make bench`): the ingest benchmark at several corpus sizes.

Writes benchmarks/out/results.json and docs/benchmarks.md. A quick check:
`python -m benchmarks --sizes 200 --repeats 1 --no-docs`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .generate import NTREX, REPO, Source, load_sources, write_corpus
from .measure import (
    IngestRun,
    Mode,
    ingest_command,
    ingest_modes,
    ingest_once,
    machine,
    startup_seconds,
    tokenize_once,
)
from .report import corpus_row, markdown, mode_row

RESULTS = REPO / "benchmarks" / "out" / "results.json"
DOCS = REPO / "docs" / "benchmarks.md"


def _sizes(value: str) -> list[int]:
    return [int(v.replace("_", "")) for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--sizes", type=_sizes, default=[1000, 10000], help="corpus sizes (default 1000,10000)")
    add("--repeats", type=int, default=3, help="runs per size and mode; medians are reported")
    add("--seed", type=int, default=0, help="generator seed (default 0)")
    add("--no-ntrex", action="store_true", help="generate from data/samples only")
    add("--with-extraction", action="store_true", help="also time ingest with extraction (slow)")
    add("--results", type=Path, default=RESULTS, help="JSON output (default benchmarks/out/)")
    add("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    return parser.parse_args(argv)


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def bench_size(
    n: int, work: Path, args: argparse.Namespace, sources: list[Source], modes: list[Mode]
) -> dict[str, Any]:
    """Generate one corpus of `n` documents, then time each ingest mode and the tokenizer on it."""
    corpus_dir = work / f"corpus-{n}"
    start = time.perf_counter()
    stats = write_corpus(corpus_dir, n, args.seed, sources)
    generate_s = time.perf_counter() - start
    log(f"{n:,} documents: generated in {generate_s:.1f} s ({stats.words:,} words)")
    tokenizer_s = [tokenize_once(corpus_dir, stats.documents_by_lang) for _ in range(args.repeats)]
    log(f"  tokenizer: {min(tokenizer_s):.2f} s")
    row = corpus_row(stats, generate_s, tokenizer_s)
    for mode in modes:
        runs = [_ingest(corpus_dir, work, mode, n, f"{i + 1}/{args.repeats}") for i in range(args.repeats)]
        row["modes"][mode.label] = mode_row(row, runs)
    shutil.rmtree(corpus_dir)
    return row


def _ingest(corpus_dir: Path, work: Path, mode: Mode, n: int, which: str) -> IngestRun:
    run = ingest_once(corpus_dir, work, mode)
    rss, load = run.peak_rss_mib, run.load_before
    log(f"  {mode.label} {which}: {run.seconds:.2f} s, {rss:.0f} MiB (load before {load:.1f})")
    if run.ingested != n:
        raise SystemExit(f"{mode.label}: stored {run.ingested} of {n} generated documents")
    return run


def main(argv: Sequence[str] | None = None) -> None:
    """Run every size, then write results.json and docs/benchmarks.md."""
    args = parse_args(argv)
    sources = load_sources(ntrex=None if args.no_ntrex else NTREX)
    modes = ingest_modes(args.with_extraction)
    results: dict[str, Any] = {
        "machine": machine(),
        "command": ingest_command(),
        "startup_s": round(startup_seconds(), 3),
        "seed": args.seed,
        "repeats": args.repeats,
        "sources": len(sources),
        "modes": [m.label for m in modes],
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="cmcc-bench-") as tmp:
        for n in args.sizes:
            results["sizes"].append(bench_size(n, Path(tmp), args, sources, modes))
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(results)
    if not args.no_docs:
        DOCS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
