"""Pairing and alignment timings: `python -m benchmarks.pairing --sizes 100,1000`.

For each size N it generates about N English and N Arabic articles (benchmarks.generate,
from the samples and ntrex-dev), ingests them with extraction into a fresh corpus (not
timed here), then times, in this process: computing pairing features, candidate
generation with blocking, and the full `align` (verification by paragraph alignment,
assignment, fidelity, storage), and reports alignment time per verified candidate.
Results go to benchmarks/out/pairing.json and docs/benchmarks-pairing.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .generate import MANIFEST, REPO, load_sources, write_corpus

RESULTS = REPO / "benchmarks" / "out" / "pairing.json"
DOCS = REPO / "docs" / "benchmarks-pairing.md"


def measure(size: int, seed: int) -> dict[str, float | int]:
    """Timings of the pairing stages over 2 x `size` generated articles."""
    from cmcc_corpus.align.pairing import candidate_pairs
    from cmcc_corpus.align.service import align_corpus, corpus_features
    from cmcc_corpus.ingest import IngestOptions, ingest
    from cmcc_corpus.store import Corpus

    with tempfile.TemporaryDirectory(prefix="cmcc-pair-") as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(folder, 2 * size, seed, load_sources())
        with Corpus.open(Path(tmp) / "c.db", create=True, write=True) as corpus:
            ingest(corpus, [str(folder)], IngestOptions(manifest=folder / MANIFEST))
            start = time.perf_counter()
            features = corpus_features(corpus)
            t_features = time.perf_counter() - start
            start = time.perf_counter()
            candidates = candidate_pairs(features)
            t_candidates = time.perf_counter() - start
            start = time.perf_counter()
            pairs = align_corpus(corpus)
            t_align = time.perf_counter() - start
    langs = [f.lang for f in features]
    return {
        "size": size,
        "english": langs.count("en"),
        "arabic": langs.count("ar"),
        "features_s": round(t_features, 3),
        "candidates_s": round(t_candidates, 3),
        "candidates": len(candidates),
        "align_s": round(t_align, 3),
        "pairs": len(pairs),
        "ms_per_candidate": round(1000 * t_align / max(len(candidates), 1), 2),
    }


def markdown(rows: Sequence[dict[str, float | int]]) -> str:
    """The results page."""
    lines = [
        "# Pairing and alignment benchmarks",
        "",
        "Written by `python -m benchmarks.pairing`: re-run it, do not edit by hand.",
        "",
        f"- Machine: {platform.machine()}, Python {platform.python_version()}, {platform.platform()}",
        f"- Date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "",
        "| articles (en + ar) | features s | candidates s | candidates | align s (all stages) | pairs "
        "| ms per candidate |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['english']} + {r['arabic']} | {r['features_s']} | {r['candidates_s']} | {r['candidates']} "
            f"| {r['align_s']} | {r['pairs']} | {r['ms_per_candidate']} |"
        )
    lines += [
        "",
        "Generated articles are variants of a few sources, so many candidates share their features: "
        "this is the hard case for blocking. Blocking work per English article is bounded (posting entries "
        "visited, 50 targets scored in full: see `align/pairing.py`) and candidates are capped per English "
        "article (3), so pairing and alignment grow linearly with the corpus.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the sizes asked for and write the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pairing")
    parser.add_argument("--sizes", default="100,1000", help="articles per language, comma-separated")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        runs = [measure(size, args.seed + r) for r in range(args.repeats)]
        row = {k: statistics.median([float(r[k]) for r in runs]) if k.endswith("_s") else runs[0][k] for k in runs[0]}
        rows.append(row)
        print(json.dumps(row))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2))
    DOCS.write_text(markdown(rows))


if __name__ == "__main__":
    main()
