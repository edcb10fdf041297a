"""Timeline charts as static inline SVG, drawn by matplotlib (no browser script, no network).

Text stays text in the SVG (`svg.fonttype: none`), so the browser shapes Arabic and
applies bidi to it, and a screen reader or a search finds it; ids are salted with a fixed
string and prefixed per chart, so the page is the same byte for byte on every run and
several charts can share one page.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from ..render import escape
from .model import Mark, Timeline

# Okabe-Ito (colour-blind safe) minus its sky blue, plus a purple: each at least 3:1 against white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D00", "#6A3D9A", "#000000")
RC: dict[Any, Any] = {  # Any: matplotlib types the keys as a Literal of every rc name
    "svg.hashsalt": "cmcc-corpus",  # deterministic ids
    "svg.fonttype": "none",  # text as text: the browser shapes Arabic and runs bidi
    "font.family": "DejaVu Sans",  # bundled with matplotlib: no font is looked up on the network
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "text.parse_math": False,  # a `$` in an outlet's name is a dollar sign, not mathtext
}
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def svg(timeline: Timeline, label: str) -> str:
    """The chart of a timeline as an inline `<svg>` element with `label` as its accessible name."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.2, _height(timeline)), layout="constrained")
        ax = fig.add_subplot()
        if timeline.kind == "fixed":
            _fixed(ax, timeline.marks)
        else:
            _evolving(ax, timeline.marks)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    return _inline(out.getvalue(), timeline.id, label)


def _height(timeline: Timeline) -> float:
    return 1.3 + 0.42 * len(timeline.marks) if timeline.kind == "fixed" else 3.2


def day(iso: str) -> tuple[date, date]:
    """First and last day a (possibly partial) ISO date covers: `2025-10` is all of October."""
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        first = date(*parts)
        return first, first
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        return first, date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1) - timedelta(days=1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _label(mark: Mark) -> str:
    """The source of a mark as the chart names it (controls and bidi overrides made visible)."""
    return escape(mark.evidence.doc.outlet)


def _evolving(ax: Any, marks: Sequence[Mark]) -> None:
    """Value against as-of date: a dot per statement with a capped bar for the range its
    qualifier allows, a dotted line over the month or year an as-of date only names, and
    the outlet beside it (labels of neighbouring dots are stacked, not overprinted)."""
    series = list(dict.fromkeys(m.series for m in marks))
    top = max((m.high if m.high is not None and not math.isinf(m.high) else m.y or 0) for m in marks) if marks else 1
    top = top * 1.25 or 1
    days = [d for m in marks for d in day(m.x)]
    near_x = max((max(days) - min(days)).days / 6, 3) if days else 3
    placed: list[tuple[date, float]] = []
    for m in marks:
        first, last = day(m.x)
        middle = first + (last - first) / 2
        colour = PALETTE[series.index(m.series) % len(PALETTE)]
        y = m.y or 0.0
        low = y if m.low is None else m.low
        high = y if m.high is None else min(m.high, top)
        if last > first:
            ax.hlines([y], [first], [last], colors=[colour], linestyles="dotted", linewidth=1.2)
        ax.errorbar(
            [middle],
            [y],
            yerr=[[y - low], [high - y]],
            fmt="o",
            color=colour,
            capsize=4,
            markersize=6,
            label=m.series or None,
        )
        if m.high is not None and math.isinf(m.high):
            ax.annotate("", (middle, top), (middle, y), arrowprops={"arrowstyle": "->", "color": colour})
        stack = sum(1 for x, v in placed if abs((x - middle).days) <= near_x and abs(v - y) <= top * 0.08)
        placed.append((middle, y))
        ax.annotate(_label(m), (middle, y), xytext=(7, 4 + 12 * stack), textcoords="offset points")
    ax.set_ylim(0, top)
    ax.set_ylabel(", ".join(s for s in series if s) or "value")
    ax.yaxis.set_major_formatter(_number_formatter())
    _date_axis(ax, days, pad=20)
    _legend(ax, len(series) > 1)


def _fixed(ax: Any, marks: Sequence[Mark]) -> None:
    """Competing values of a fixed fact: one row per source, the value on the x axis."""
    values = list(dict.fromkeys(m.series for m in marks))
    dates = all(m.y is None and m.low is None for m in marks)
    for row, m in enumerate(marks):
        colour = PALETTE[values.index(m.series) % len(PALETTE)]
        hollow = m.year_assumed or m.evidence.derived
        style = {"color": colour, "markersize": 8, "markerfacecolor": "white" if hollow else colour}
        if dates:
            x: Any = day(m.x)[0]
            ax.plot([x], [row], "D" if m.evidence.derived else "o", **style)
        else:
            x = float(m.x)
            low = x if m.low is None else m.low
            high = x if m.high is None or math.isinf(m.high) else m.high
            ax.errorbar([x], [row], xerr=[[x - low], [high - x]], fmt="o", ecolor=colour, capsize=3, **style)
        note = " (derived)" if m.evidence.derived else " (year not stated)" if m.year_assumed else ""
        ax.annotate(m.series + note, (x, row), xytext=(8, -3), textcoords="offset points")
    ax.set_yticks(range(len(marks)), [_tick(m) for m in marks])
    ax.set_ylim(len(marks) - 0.5, -0.5)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    if dates:
        _date_axis(ax, [day(m.x)[0] for m in marks], pad=4)
    else:
        ax.xaxis.set_major_formatter(_number_formatter())
        ax.margins(x=0.3)


def _tick(mark: Mark) -> str:
    doc = mark.evidence.doc
    return f"{_label(mark)} · {doc.lang} · {doc.published or '?'}"


def _date_axis(ax: Any, days: Sequence[date], pad: int) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    if days:
        ax.set_xlim(min(days) - timedelta(days=pad), max(days) + timedelta(days=pad))
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _number_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    def show(value: float, _pos: int) -> str:
        for size, suffix in ((1e9, " bn"), (1e6, " m")):
            if abs(value) >= size:
                return f"{value / size:g}{suffix}"
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"

    return FuncFormatter(show)


def _legend(ax: Any, show: bool) -> None:
    if show:
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), frameon=False, loc="upper left")


def _inline(document: str, prefix: str, label: str) -> str:
    """An SVG file made fit to sit inside HTML: no XML prolog, DTD or metadata (they name
    URLs, though nothing fetches them), ids unique in the page, an accessible name."""
    from html import escape as html_escape

    svg_text = document[document.index("<svg") :]
    svg_text = re.sub(r"\s*<metadata>.*?</metadata>", "", svg_text, flags=re.S)
    svg_text = svg_text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    svg_text = svg_text.replace(' xmlns="http://www.w3.org/2000/svg"', "")
    svg_text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg_text)
    svg_text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg_text)
    name = html_escape(escape(label))
    return svg_text.replace("<svg ", f'<svg role="img" aria-label="{name}" class="chart" ', 1).replace(
        ">", f"><title>{name}</title>", 1
    )
