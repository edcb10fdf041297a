"""Turn measurements into results.json rows and the Markdown of docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import asdict
from statistics import median
from typing import Any

from .generate import CorpusStats
from .measure import IngestRun

_HEADER = (
    "| documents | words | command | seconds | documents/s | words/s | peak RSS MiB "
    "| tokenizer words/s | ingest / tokenizer |\n"
    "|---:|---:|:---|---:|---:|---:|---:|---:|---:|"
)

_METHOD = """\
## Method

- **Corpus**: `benchmarks/generate.py` makes N distinct documents from the {sources} source
  articles (`data/samples` plus ntrex-dev when present): numbers, day/month dates and country
  names are redrawn and some body paragraphs and sentences are reordered. About half are Arabic.
  Variants of one source are near-duplicates of each other, so the near-duplicate linker is
  exercised heavily. Files are sharded 1,000 per directory, with a `manifest.jsonl`
  (lang, source).
- **Ingest**: `{command} --db NEW ingest DIR --manifest DIR/manifest.jsonl --no-progress`
  (plus the flags shown) in a child process, into a fresh corpus each run. Time is wall clock
  and includes process start-up (`--version` alone takes {startup:.2f} s). Our modules are
  compiled to bytecode first, as pip does when it installs a package{compiled}.
- **Tokenizer**: `spacy.blank("en")` / `spacy.blank("ar")` `nlp.pipe` over the same files,
  read lazily; building the pipeline is not timed. *ingest / tokenizer* is the ratio of the
  two words/s.
- **Cold reads**: before every timed pass (tokenizer, ingest, `align`, `compare`) its input
  files are dropped from the OS page cache (`posix_fadvise`), so every size reads from disk
  alike; left to the cache, a small corpus was read warm and a large one cold.
- **Words** are `\\w+` matches in the generated text. Every figure is the median of the runs
  ({repeats} per size), taken in rounds (the tokenizer, then each mode once, round after round)
  so that a drift of the machine's speed touches every mode alike; all runs, with the 1-minute
  load average before each, are in `benchmarks/out/results.json`. Other work on the machine
  slows runs down: compare loads.
- **Modes**: `--jobs 1` reads, extracts and writes in one process; `--jobs 2` has two worker
  processes read and extract while the parent alone writes; the Dask mode runs the same tasks on a
  local `dask.distributed` cluster of two workers that write a Parquet dataset (`--dataset`).
  Peak RSS is the sampled sum over the command and its workers (a child's `ru_maxrss` starts
  from the benchmark process's own size on Linux, so it is only a fallback).
- **Later stages**: `align` and `compare` in child processes over the corpus `--jobs 2` stored.
  Sizes from `--large` up (default 50,000) are run once.
- **Profile**: `python -m benchmarks.hotspots -n 2000 --extract` shows where a library-level
  ingest spends its time.
"""

FLAT_GROWTH = 0.20  # peak memory growth allowed between the two largest sizes for "flat"
SPEEDUP_SIZE = 10_000  # documents at which the issue sets the `--jobs 2` speed-up target


def corpus_row(stats: CorpusStats, generate_s: float, tokenizer_s: list[float]) -> dict[str, Any]:
    """The size-level part of a results.json row: corpus counts and the tokenizer pass."""
    return {
        "documents": stats.documents,
        "words": stats.words,
        "chars": stats.chars,
        "documents_by_lang": dict(stats.documents_by_lang),
        "generate_s": round(generate_s, 3),
        "tokenizer": {
            "runs_s": [round(s, 3) for s in tokenizer_s],
            "words_per_s": round(stats.words / median(tokenizer_s)),
        },
        "modes": {},
    }


def mode_row(row: dict[str, Any], runs: list[IngestRun]) -> dict[str, Any]:
    """Every run of one ingest mode and their medians, for the size `row`."""
    seconds = median(r.seconds for r in runs)
    words_per_s = row["words"] / seconds
    return {
        "runs": [asdict(r) for r in runs],
        "seconds": round(seconds, 3),
        "documents_per_s": round(row["documents"] / seconds, 1),
        "words_per_s": round(words_per_s),
        "peak_rss_mib": round(median(r.peak_rss_mib for r in runs), 1),
        "ingest_over_tokenizer": round(words_per_s / row["tokenizer"]["words_per_s"], 4),
    }


def markdown(results: dict[str, Any]) -> str:
    """docs/benchmarks.md: machine, the tables, the verdicts against the targets, the plot and the method."""
    sizes, modes = results["sizes"], results["modes"]
    method = _METHOD.format(
        sources=results["sources"],
        command=_display(results["command"]),
        startup=results["startup_s"],
        compiled="" if results.get("bytecode_compiled", True) else " (here they could not be: read-only)",
        repeats=results["repeats"],
    )
    parts = [
        "# Benchmarks\n",
        "Written by `make bench` (`python -m benchmarks`): re-run it, do not edit by hand.\n",
        _machine(results) + "\n",
        "## Ingest\n",
        _HEADER,
        *(_row(size, mode) for size in sizes for mode in modes if mode in size["modes"]),
        "",
        *(_memory(sizes, mode) + "\n" for mode in modes),
        *_stages(sizes),
        *_targets(results),
        *_growth(results),
        method,
    ]
    return "\n".join(parts)


def _stages(sizes: list[dict[str, Any]]) -> list[str]:
    rows = [(s["documents"], label, st) for s in sizes for label, st in s.get("stages", {}).items()]
    if not rows:
        return []
    lines = [
        "## Later stages over the ingested corpus\n",
        "| documents | command | seconds | peak RSS MiB |",
        "|---:|:---|---:|---:|",
    ]
    lines += [f"| {n:,} | `{label}` | {st['seconds']:.2f} | {st['peak_rss_mib']:.0f} |" for n, label, st in rows]
    return [*lines, ""]


def _targets(results: dict[str, Any]) -> list[str]:
    """Each target of the scale issue with its measured value and whether it holds."""
    sizes, lines = results["sizes"], ["## Targets\n", "| target | measured | holds |", "|:---|:---|:---:|"]
    for size in sizes:
        m, n = size["modes"], size["documents"]
        if "ingest --jobs 1" in m:
            ratio = m["ingest --jobs 1"]["ingest_over_tokenizer"]
            lines.append(
                _verdict(
                    f"{n:,} documents: `--jobs 1` words/s at least 30% of the tokenizer's",
                    f"{ratio:.1%}",
                    ratio >= 0.30,
                )
            )
        if "ingest --jobs 1" in m and "ingest --jobs 2" in m:
            speedup = m["ingest --jobs 1"]["seconds"] / m["ingest --jobs 2"]["seconds"]
            if n == SPEEDUP_SIZE:  # the issue sets the target at this size; elsewhere it is shown
                lines.append(
                    _verdict(f"{n:,} documents: `--jobs 2` at least 1.6x `--jobs 1`", f"{speedup:.3f}x", speedup >= 1.6)
                )
            else:
                lines.append(f"| {n:,} documents: `--jobs 2` against `--jobs 1` | {speedup:.3f}x | - |")
        if "ingest --executor dask --jobs 2" in m and "ingest --jobs 1" in m:
            ratio = m["ingest --jobs 1"]["seconds"] / m["ingest --executor dask --jobs 2"]["seconds"]
            lines.append(f"| {n:,} documents: Dask (2 local workers) against `--jobs 1` | {ratio:.2f}x | - |")
    big = [s for s in sizes if s["documents"] >= 100_000]
    for size in big:
        for label, mode in size["modes"].items():
            peak = mode["peak_rss_mib"]
            lines.append(
                _verdict(
                    f"{size['documents']:,} documents, `{label}`: memory under 1 GB", f"{peak:.0f} MiB", peak < 1024
                )
            )
    if len(sizes) >= 2:  # flat: the largest run needs little more than the one 10x smaller
        before, last = sizes[-2], sizes[-1]
        for label, mode in last["modes"].items():
            if label in before["modes"]:
                growth = mode["peak_rss_mib"] / before["modes"][label]["peak_rss_mib"] - 1
                lines.append(
                    _verdict(
                        f"`{label}` memory flat: at most +{FLAT_GROWTH:.0%} from {before['documents']:,} "
                        f"to {last['documents']:,} documents",
                        f"{growth:+.0%}",
                        growth <= FLAT_GROWTH,
                    )
                )
    paced = results.get("growth_paced", {})
    for label, slope in results.get("growth", {}).items():
        # Judged as timed; beside it, the slope with the machine's drift between sizes taken out.
        measured = f"{slope:.2f} ({paced[label]:.2f} at the tokenizer's pace)" if label in paced else f"{slope:.2f}"
        lines.append(_verdict(f"`{label}` grows at most linearly (log-log slope <= 1.1)", measured, slope <= 1.1))
    if "synthetic_compare" in results:
        sc = results["synthetic_compare"]
        lines.append(
            f"| `compare` over {sc['claims']:,} synthetic claims | {sc['seconds']:.1f} s "
            f"({sc['claims_per_s']:,} claims/s) | - |"
        )
    return [*lines, ""] if len(lines) > 3 else []


def _verdict(target: str, measured: str, holds: bool) -> str:
    return f"| {target} | {measured} | {'yes' if holds else '**no**'} |"


def _growth(results: dict[str, Any]) -> list[str]:
    if len(results["sizes"]) < 2:
        return []
    return [
        "## Growth\n",
        "![Seconds against documents for each stage, log-log, with a linear reference](benchmarks.svg)\n",
        "The slope between the two largest sizes on log-log axes is 1 for linear growth; "
        "fixed start-up costs (imports, building the pipelines, starting workers) make it lower. "
        "The sizes are timed far apart (the largest in one round), and this machine's speed drifts in "
        "between, which the slope as timed counts as growth. So the targets table also gives each slope "
        "at the tokenizer's pace: every size's seconds scaled by how fast the same run's bare tokenizer "
        "pass went at that size (the same linear work at every size; its words/s is in the ingest table). "
        "The verdict is on the slope as timed.\n",
    ]


def _machine(results: dict[str, Any]) -> str:
    m = results["machine"]
    merged = results.get("merged_from")
    earlier = (
        f"\n- Smaller sizes measured in an earlier run: {merged['date']}, code `{merged['commit']}`" if merged else ""
    )
    return (
        f"- Machine: {m['cpus']} CPUs ({m['processor']}), Python {m['python']}, {m['platform']}\n"
        f"- Date: {m['date']}; code `{m['commit']}`; seed {results['seed']}; "
        f"1-minute load average {m['load_avg_start']:.2f} at the start" + earlier
    )


def _row(size: dict[str, Any], mode: str) -> str:
    m = size["modes"][mode]
    cells = (
        f"{size['documents']:,}",
        f"{size['words']:,}",
        f"`{mode}`",
        f"{m['seconds']:.2f}",
        f"{m['documents_per_s']:,.0f}",
        f"{m['words_per_s']:,}",
        f"{m['peak_rss_mib']:.0f}",
        f"{size['tokenizer']['words_per_s']:,}",
        f"{m['ingest_over_tokenizer']:.3f}",
    )
    return "| " + " | ".join(cells) + " |"


def _memory(sizes: list[dict[str, Any]], mode: str) -> str:
    first, last = sizes[0], sizes[-1]
    low, high = first["modes"][mode]["peak_rss_mib"], last["modes"][mode]["peak_rss_mib"]
    return (
        f"Memory (`{mode}`): peak RSS {low:.0f} MiB at {first['documents']:,} documents, "
        f"{high:.0f} MiB at {last['documents']:,} ({(high - low) / low:+.0%}); flat is about +0%."
    )


def _display(command: list[str]) -> str:
    """`python -m cmcc_corpus` or `cmcc-corpus`, without this machine's paths."""
    return "python " + " ".join(command[1:]) if len(command) > 1 else command[0].rsplit("/", 1)[-1]
