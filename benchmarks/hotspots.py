"""Profile a library-level ingest of generated documents and list where the time goes.

python -m benchmarks.hotspots -n 2000 [--extract]   # also saves benchmarks/out/ingest.prof
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .generate import MANIFEST, REPO, load_sources, write_corpus

PROFILE = REPO / "benchmarks" / "out" / "ingest.prof"


def profile_ingest(n: int, seed: int = 0, extract: bool = False) -> tuple[cProfile.Profile, float]:
    """Profile `ingest()` of `n` generated files into a fresh corpus; also return its seconds."""
    from cmcc_corpus.ingest import IngestOptions, ingest
    from cmcc_corpus.store import Corpus

    with tempfile.TemporaryDirectory(prefix="cmcc-prof-") as tmp:
        corpus_dir = Path(tmp) / "corpus"
        write_corpus(corpus_dir, n, seed, load_sources())
        options = IngestOptions(manifest=corpus_dir / MANIFEST, extract=extract)
        with Corpus.open(Path(tmp) / "corpus.db", create=True, write=True) as corpus:
            profiler = cProfile.Profile()
            profiler.runcall(ingest, corpus, [str(corpus_dir)], options)
    return profiler, pstats.Stats(profiler).total_tt  # type: ignore[attr-defined]


def hot_spots(profiler: cProfile.Profile, total: float, key: int, limit: int) -> list[str]:
    """Top functions by own time (key 2) or inclusive time (key 3), as `share  file:function`."""
    rows = pstats.Stats(profiler).stats.items()  # type: ignore[attr-defined]
    top = sorted(rows, key=lambda item: item[1][key], reverse=True)[:limit]
    return [f"{stat[key] / total:6.1%}  {stat[1]:>9,} calls  {_where(func)}" for func, stat in top]


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    short = path.split("site-packages/")[-1].split("src/")[-1] if path != "~" else ""
    return f"{short}:{line}:{name}" if short else name


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: profile, print the hot spots, save the raw profile."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hotspots", description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=2000, help="documents (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--extract", action="store_true", help="extract as ingest goes (default off)")
    args = parser.parse_args(argv)
    profiler, total = profile_ingest(args.count, args.seed, args.extract)
    PROFILE.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(PROFILE)
    rate = args.count / total
    print(f"ingest of {args.count:,} documents: {total:.2f} s profiled ({rate:,.0f} documents/s)")
    for title, key in (("own time", 2), ("inclusive time", 3)):
        print(f"\ntop {args.top} by {title}:")
        print("\n".join(hot_spots(profiler, total, key, args.top)))
    print(f"\nraw profile: {PROFILE} (open with `python -m pstats` or snakeviz)")


if __name__ == "__main__":
    main()
