"""`python -m benchmarks` (`make bench`): every stage at several corpus sizes.

For each size: generate the corpus, time a bare tokenizer pass, ingest it without and with
extraction (`--jobs 1`, `--jobs 2`, Dask), then `align` and `compare` over the ingested
corpus; once at the end, `compare` over 1,000,000 synthetic claims. Writes
benchmarks/out/results.json, docs/benchmarks.md and the growth plot docs/benchmarks.svg.
A quick check: `python -m benchmarks --sizes 200 --repeats 1 --no-docs`.
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
from statistics import median
from typing import Any

from .compare_claims import time_compare
from .generate import NTREX, REPO, Source, load_sources, write_corpus
from .measure import (
    IngestRun,
    Mode,
    compile_package,
    ingest_command,
    ingest_modes,
    ingest_once,
    machine,
    stage_once,
    startup_seconds,
    tokenize_once,
)
from .plot import growth_exponents, growth_plot
from .report import corpus_row, markdown, mode_row

RESULTS = REPO / "benchmarks" / "out" / "results.json"
DOCS = REPO / "docs" / "benchmarks.md"
PLOT = REPO / "docs" / "benchmarks.svg"


def _sizes(value: str) -> list[int]:
    return [int(v.replace("_", "")) for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--sizes", type=_sizes, default=[1000, 10000], help="corpus sizes (default 1000,10000)")
    add("--repeats", type=int, default=3, help="runs per size and mode; medians are reported")
    add("--large", type=int, default=50_000, help="sizes from this one up are run once (default 50000)")
    add("--no-dask", action="store_true", help="skip the Dask executor mode")
    add("--synthetic-claims", type=int, default=1_000_000, help="claims for the synthetic compare (0: skip)")
    add("--seed", type=int, default=0, help="generator seed (default 0)")
    add("--no-ntrex", action="store_true", help="generate from data/samples only")
    add("--with-extraction", action="store_true", help="also time ingest with extraction (slow)")
    add("--results", type=Path, default=RESULTS, help="JSON output (default benchmarks/out/)")
    add("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    add("--merge", type=Path, help="an earlier results.json whose other sizes join this run's (run sizes apart)")
    add("--render", type=Path, help="only write the docs again from a results.json (after a report change)")
    return parser.parse_args(argv)


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def bench_size(
    n: int, work: Path, args: argparse.Namespace, sources: list[Source], modes: list[Mode]
) -> dict[str, Any]:
    """Generate one corpus of `n` documents, time the tokenizer and each ingest mode on it,
    then `align` and `compare` over the corpus the last SQLite mode with extraction stored."""
    corpus_dir = work / f"corpus-{n}"
    start = time.perf_counter()
    stats = write_corpus(corpus_dir, n, args.seed, sources)
    generate_s = time.perf_counter() - start
    log(f"{n:,} documents: generated in {generate_s:.1f} s ({stats.words:,} words)")
    repeats = args.repeats if n < args.large else 1
    kept = work / f"corpus-{n}.db"
    tokenizer_s: list[float] = []
    runs: dict[str, list[IngestRun]] = {mode.label: [] for mode in modes}
    # Round after round, each round the tokenizer then every mode once: the machine's speed
    # drifts by tens of percent over minutes, and timed in blocks (every tokenizer pass, then
    # every run of one mode, then the next) the drift went into the ratios.
    for i in range(repeats):
        tokenizer_s.append(tokenize_once(corpus_dir, stats.documents_by_lang))
        log(f"  tokenizer {i + 1}/{repeats}: {tokenizer_s[-1]:.2f} s")
        for mode in modes:
            keep = kept if _feeds_stages(mode) else None
            runs[mode.label].append(_ingest(corpus_dir, work, mode, n, f"{i + 1}/{repeats}", keep))
    row = corpus_row(stats, generate_s, tokenizer_s)
    for mode in modes:
        row["modes"][mode.label] = mode_row(row, runs[mode.label])
    shutil.rmtree(corpus_dir)
    if kept.exists():
        row["stages"] = {label: _stage(kept, label, cmd, repeats) for label, cmd in STAGES}
        kept.unlink()
    return row


# Later stages timed over the ingested corpus (each run starts from the same stored state:
# `align` and `compare` replace what they stored before).
STAGES = (("align", ["align"]), ("compare", ["compare", "--format", "json"]))


def _feeds_stages(mode: Mode) -> bool:
    return not mode.dataset and "--no-extract" not in mode.flags


def _stage(db: Path, label: str, cmd: list[str], repeats: int) -> dict[str, Any]:
    runs = [stage_once(db, cmd) for _ in range(repeats)]
    seconds = median(r[0] for r in runs)
    log(f"  {label}: {seconds:.2f} s")
    return {
        "runs_s": [round(r[0], 3) for r in runs],
        "seconds": round(seconds, 3),
        "peak_rss_mib": round(max(r[1] for r in runs), 1),
    }


def _ingest(corpus_dir: Path, work: Path, mode: Mode, n: int, which: str, keep: Path | None) -> IngestRun:
    run = ingest_once(corpus_dir, work, mode, keep)
    rss, load = run.peak_rss_mib, run.load_before
    log(f"  {mode.label} {which}: {run.seconds:.2f} s, {rss:.0f} MiB (load before {load:.1f})")
    if run.ingested != n:
        raise SystemExit(f"{mode.label}: stored {run.ingested} of {n} generated documents")
    return run


def synthetic_compare(n: int) -> dict[str, Any]:
    """`compare` over `n` synthetic claims, in this process."""
    seconds, findings = time_compare(n)
    log(f"synthetic compare: {n:,} claims in {seconds:.1f} s")
    return {"claims": n, "seconds": round(seconds, 3), "claims_per_s": round(n / seconds), "findings": len(findings)}


def main(argv: Sequence[str] | None = None) -> None:
    """Run every size, then write results.json and docs/benchmarks.md."""
    args = parse_args(argv)
    if args.render:
        args.results = args.render  # slopes are added to the file rendered
        _write_docs(json.loads(args.render.read_text(encoding="utf-8")), args)
        return
    sources = load_sources(ntrex=None if args.no_ntrex else NTREX)
    modes = ingest_modes(args.with_extraction, dask=not args.no_dask)
    compiled = compile_package()
    results: dict[str, Any] = {
        "machine": machine(),
        "bytecode_compiled": compiled,
        "command": ingest_command(),
        "startup_s": round(startup_seconds(), 3),
        "seed": args.seed,
        "repeats": args.repeats,
        "sources": len(sources),
        "modes": [m.label for m in modes],
        "sizes": [],
    }
    if args.merge:
        earlier = json.loads(args.merge.read_text(encoding="utf-8"))
        results["sizes"] = [s for s in earlier["sizes"] if s["documents"] not in args.sizes]
        results["merged_from"] = earlier["machine"]
    with tempfile.TemporaryDirectory(prefix="cmcc-bench-") as tmp:
        for n in args.sizes:
            results["sizes"].append(bench_size(n, Path(tmp), args, sources, modes))
            _save(results, args)  # a long run keeps what it measured so far
    if args.synthetic_claims:
        results["synthetic_compare"] = synthetic_compare(args.synthetic_claims)
    _write_docs(results, args)


def _write_docs(results: dict[str, Any], args: argparse.Namespace) -> None:
    """Growth slopes into the results, then docs/benchmarks.md and its plot (unless --no-docs)."""
    results["growth"] = growth_exponents(results)
    results["growth_paced"] = growth_exponents(results, paced=True)
    _save(results, args)
    text = markdown(results)
    if not args.no_docs:
        growth_plot(results, PLOT)
        DOCS.write_text(text, encoding="utf-8")
    print(text)


def _save(results: dict[str, Any], args: argparse.Namespace) -> None:
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
