"""Turn measurements into results.json rows and the Markdown of docs/benchmarks.md."""

from __future__ import annotations

from dataclasses import asdict
from statistics import median
from typing import Any

from .generate import CorpusStats
from .measure import IngestRun

TARGET_DOCS_PER_S = 1000

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
  and includes process start-up (`--version` alone takes {startup:.2f} s). Peak RSS is that
  child's `ru_maxrss` (from `wait4`).
- **Tokenizer**: `spacy.blank("en")` / `spacy.blank("ar")` `nlp.pipe` over the same files,
  read lazily; building the pipeline is not timed. *ingest / tokenizer* is the ratio of the
  two words/s.
- **Words** are `\\w+` matches in the generated text. Every figure is the median of the runs
  ({repeats} per size); all runs, with the 1-minute load average before each, are in
  `benchmarks/out/results.json`. Other work on the machine slows runs down: compare loads.
- **Profile**: `python -m benchmarks.hotspots -n 2000` shows where a library-level ingest
  spends its time.
"""


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
    """docs/benchmarks.md: machine, the table, the verdicts and the method."""
    sizes, modes = results["sizes"], results["modes"]
    method = _METHOD.format(
        sources=results["sources"],
        command=_display(results["command"]),
        startup=results["startup_s"],
        repeats=results["repeats"],
    )
    parts = [
        "# Benchmarks\n",
        "Written by `make bench` (`python -m benchmarks`): re-run it, do not edit by hand.\n",
        _machine(results) + "\n",
        "## Ingest\n",
        _HEADER,
        *(_row(size, mode) for size in sizes for mode in modes),
        "",
        _speed(sizes, modes[0]) + "\n",
        *(_memory(sizes, mode) + "\n" for mode in modes),
        method,
    ]
    return "\n".join(parts)


def _machine(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (
        f"- Machine: {m['cpus']} CPUs ({m['processor']}), Python {m['python']}, {m['platform']}\n"
        f"- Date: {m['date']}; code `{m['commit']}`; seed {results['seed']}; "
        f"1-minute load average {m['load_avg_start']:.2f} at the start"
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


def _speed(sizes: list[dict[str, Any]], mode: str) -> str:
    rates = {s["documents"]: s["modes"][mode]["documents_per_s"] for s in sizes}
    slow = [f"{n:,}" for n, rate in rates.items() if rate < TARGET_DOCS_PER_S]
    verdict = f"**not met** at {', '.join(slow)} documents" if slow else "met at every size"
    return f"Speed target (`{mode}`, at least {TARGET_DOCS_PER_S:,} documents/s): {verdict}."


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
