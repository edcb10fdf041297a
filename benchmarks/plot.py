"""The growth plot of docs/benchmarks.md: seconds against corpus size for each stage (log-log)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display here; the figure is written to a file
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


def stage_series(results: dict[str, Any], paced: bool = False) -> dict[str, list[tuple[int, float]]]:
    """(documents, median seconds) per stage: every ingest mode, then the later stages.

    paced: each size's seconds are scaled by how fast the machine ran the tokenizer pass at
    that size, against the first size. The sizes are timed minutes or an hour apart (the
    largest in one round), and this machine's speed drifts by tens of percent over such
    spans; the tokenizer pass is the same linear work at every size, so its pace is the
    machine's, and growth measured at that pace is the tool's own.
    """
    series: dict[str, list[tuple[int, float]]] = {}
    sizes = results["sizes"]
    for size in sizes:
        n = size["documents"]
        pace = size["tokenizer"]["words_per_s"] / sizes[0]["tokenizer"]["words_per_s"] if paced else 1.0
        for label, mode in size["modes"].items():
            series.setdefault(label, []).append((n, mode["seconds"] * pace))
        for label, stage in size.get("stages", {}).items():
            series.setdefault(label, []).append((n, stage["seconds"] * pace))
    return series


def growth_plot(results: dict[str, Any], path: Path) -> Path:
    """Write the plot as SVG (hash salt fixed, so re-runs with the same numbers give the same file)."""
    plt.rcParams["svg.hashsalt"] = "cmcc-benchmarks"
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=100)
    series = stage_series(results)
    for label, points in series.items():
        xs, ys = zip(*sorted(points), strict=True)
        ax.plot(xs, ys, marker="o", label=label)
    sizes = sorted({n for points in series.values() for n, _ in points})
    if len(sizes) > 1 and series:
        # Linear growth from the slowest stage's first point: a stage growing faster than this is superlinear.
        first = max(points[0][1] for points in series.values())
        ax.plot(sizes, [first * n / sizes[0] for n in sizes], linestyle=":", color="grey", label="linear reference")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents in the corpus")
    ax.set_ylabel("seconds (median of runs)")
    ax.set_title("How each stage grows with corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return path


def growth_exponents(results: dict[str, Any], paced: bool = False) -> dict[str, float]:
    """Slope of log(seconds) against log(documents) between the two largest sizes, per stage:
    1.0 is linear; start-up costs make small corpora look cheaper than linear (slope below 1),
    which is why the smallest sizes are left out when there are more than two. paced: with
    the machine's drift between sizes taken out (see `stage_series`)."""
    import math

    slopes = {}
    for label, points in stage_series(results, paced).items():
        points = sorted(points)
        (n0, t0), (n1, t1) = points[-2] if len(points) > 1 else points[0], points[-1]
        if n1 > n0 and t0 > 0 and t1 > 0:
            slopes[label] = round(math.log(t1 / t0) / math.log(n1 / n0), 3)
    return slopes
