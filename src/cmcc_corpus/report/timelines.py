"""What the report draws: which facts get a chart, and where each statement sits on it.

Fixed facts in conflict show their competing values, one row per source; evolving
numeric facts show value against as-of date, with the range each qualifier allows
(computed by `compare.interval`, so the chart and the verdict agree on what "about 200"
means).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from ..compare import Finding, interval
from .model import FindingView, Mark, ReportOptions, Timeline


def is_number(value: Any) -> bool:
    """A numeric value (not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_date(value: Any) -> bool:
    """An ISO date, possibly partial (`2025-10`) or with an unknown year (`XXXX-10-17`)."""
    parts = str(value).split("-")
    return 1 <= len(parts) <= 3 and len(str(value)) in (4, 7, 10) and all(p.isdigit() or set(p) == {"X"} for p in parts)


def chart_data(
    findings: Sequence[Finding],
    view: Callable[[Finding], FindingView],
    evolving: frozenset[str],
    options: ReportOptions,
) -> tuple[tuple[Timeline, ...], int]:
    """Fixed facts in conflict first, then each evolving numeric fact, most statements
    first, up to `max_charts`; and how many charts there would be without the cap."""
    fixed = [f for f in findings if f.verdict == "conflict" and f.predicate not in evolving and _chartable_fixed(f)]
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.predicate in evolving and all(is_number(s.value) for s in f.sides):
            groups[(f.subject, f.predicate)].append(f)
    ranked = sorted(groups.items(), key=lambda g: (-sum(len(f.sides) for f in g[1]), g[0]))
    room = max(0, options.max_charts - len(fixed))
    charts = [_fixed_timeline(view(f), options.tolerance) for f in fixed[: options.max_charts]]
    charts += [
        _evolving_timeline(subject, predicate, [view(f) for f in group], options.tolerance)
        for (subject, predicate), group in ranked[:room]
    ]
    return tuple(charts), len(fixed) + len(groups)


def _chartable_fixed(f: Finding) -> bool:
    return all(is_number(s.value) for s in f.sides) or all(is_date(s.value) for s in f.sides)


def _evolving_timeline(subject: str, predicate: str, group: Sequence[FindingView], tolerance: float) -> Timeline:
    marks = []
    evidence = [e for f in group for e in f.evidence]
    for e in evidence:
        when = e.as_of or e.doc.published
        if when and is_date(when) and not when.startswith("X"):
            low, high = _range(float(e.value), e.qualifier, tolerance)
            marks.append(Mark(when, float(e.value), low, high, e.unit or "", e))
    return Timeline(
        "chart-" + _digest(subject, predicate),
        "evolving",
        subject,
        predicate,
        tuple(marks),
        tuple(evidence),
        tuple(f.id for f in group),
    )


def _fixed_timeline(view: FindingView, tolerance: float) -> Timeline:
    marks = []
    for e in view.evidence:
        if is_number(e.value):
            low, high = _range(float(e.value), e.qualifier, tolerance)
            marks.append(Mark(str(e.value), None, low, high, str(e.value), e))
            continue
        value, assumed = str(e.value), False
        if value.startswith("X"):
            year = (e.as_of or e.doc.published or "")[:4]
            if not year.isdigit():
                continue
            value, assumed = year + value[4:], True
        marks.append(Mark(value, None, None, None, str(e.value), e, assumed))
    return Timeline(
        "chart-" + _digest(view.id), "fixed", view.subject, view.predicate, tuple(marks), view.evidence, (view.id,)
    )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def _range(value: float, qualifier: str | None, tolerance: float) -> tuple[float, float]:
    low, high, _, _ = interval(value, qualifier, tolerance)
    return low, (math.inf if math.isinf(high) else high)
