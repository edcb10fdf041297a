"""Unit alignment of a translation pair: which paragraphs (or sentences) render which.

`align_units(source, target)` returns the most likely monotone sequence of beads
(`Link`s) covering both sides, found by dynamic programming over the moves 1:1, 2:1,
1:2, 2:2 (merges and splits), 1:0 (a source unit left untranslated) and 0:1 (a
target unit with no source). A bead's cost, in nats, is the sum of

- a prior for its shape (Gale & Church 1993: 1:1 is the rule, merges and splits are
  rarer, drops rarer still);
- a length term in the Gale-Church style, ``delta = (t/c - s) / sqrt(s2 * (s + t/c) / 2)``
  over the character lengths `s` and `t` of the two sides, costing
  ``-log P(|Z| >= |delta|)`` for a standard normal Z. The length ratio `c` is
  estimated from the pair itself (total target characters over total source
  characters: the Arabic of NTREX runs 0.69-1.03 of its English, 0.91 on average, the
  Al-Fassel seed 0.87), so one model serves a terse and a wordy translation. The
  variance per character `s2` is a default, Gale and Church's 6.8: the 1:1 sentences
  of NTREX and of the seed measure about 3, but their outliers sit far out in the
  normal's thin tail, and the looser value keeps one freely translated sentence from
  being "explained" by a drop or a merge. Re-estimating s2 from a first alignment was
  tried and dropped: that alignment picks the beads whose lengths fit, so the estimate
  comes out low and the second pass did worse;
- an anchor term over tokens both languages write alike: numbers, Latin-script names
  and acronyms left untranslated in the Arabic, URLs and handles (`anchors_of`), plus
  whatever ids the caller adds per unit (canonical entities, ISO dates). Only anchors
  found on both sides of the pair count, each weighing 1 / (the number of units that
  carry it on the side where it is commoner): a name in every paragraph says little, a
  number seen once on each side pins its two units together. Anchors the two sides
  of a bead share earn a bonus; anchors on one side only cost a smaller penalty.

Drops have no length term: Gale-Church's would make dropping a long sentence far
costlier than wrongly merging it into a neighbour, which is the commoner mistake.

The search is confined to a band of target positions around the diagonal, where the
diagonal follows the two sides' cumulative character lengths (merges and a run of
short headings do not pull it off course). The default band starts at max(10, 10% of
the longer side), at most 100 units, and doubles only while the best path runs along
its edge: cost is O(n * band), linear for long documents (about 1 ms for a 30-sentence
article, 0.75 s for 1,000 units, 8 s for 10,000).

Known limits: where length is the only evidence, a drop next to sentences of similar
length may be placed one sentence off; a block left out that amounts to more than
about a tenth of one side skews the length ratio estimated from the totals, and the
alignment around it degrades (anchors pull it back part of the way); 3:1 merges are
not moves, and come out as a 2:1 and a drop.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..normalize import fold_text

# Bead shapes (source units, target units) and their priors, from Gale & Church (1993,
# table 5) as most implementations use them (1:0 and 0:1 each get the drop mass),
# except 2:2: at their 0.011 a 2:2 bead soaks up the length mismatch of two neighbouring
# 1:1 beads (on NTREX it only ever cost precision), so it is taken here only when two
# 1:1 beads fit badly.
_MOVES: tuple[tuple[int, int], ...] = ((1, 1), (2, 1), (1, 2), (1, 0), (0, 1), (2, 2))
_PRIOR = {(1, 1): 0.89, (2, 1): 0.089, (1, 2): 0.089, (1, 0): 0.0099, (0, 1): 0.0099, (2, 2): 0.002}
_PRIOR_COST = tuple(-math.log(_PRIOR[move]) for move in _MOVES)
_DROP_COST = _PRIOR_COST[_MOVES.index((1, 0))]

LENGTH_VARIANCE = 6.8  # s2, variance of the length difference per character (see above)
ANCHOR_BONUS = 3.0  # nats per unit of anchor weight the two sides of a bead share
ANCHOR_PENALTY = 1.0  # nats per unit of weight on one side only: smaller, as "two" may face a 2

_URL = re.compile(r"(?:https?://|www\.)[^\s\"'<>()\[\]]+", re.I)
_HANDLE = re.compile(r"(?<![\w@#])[@#][A-Za-z0-9_]{2,}")
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-'&][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_NAME_LIKE = re.compile(r"[A-Z0-9]")


@dataclass(frozen=True)
class Unit:
    """One unit (paragraph or sentence) of one side, with the anchors it carries."""

    text: str
    # What align_units matches across the two sides: anchors_of(text), plus any ids of
    # the caller's own (canonical entities, ISO dates); align_units computes none itself.
    anchors: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Link:
    """A bead: 0-based source and target unit indexes aligned together, and its score."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    # Minus the bead's cost in nats (prior, length, anchors), so higher is better: a
    # well-fitting 1:1 scores 0 to -3, a drop about -4.6, shared anchors push it above 0.
    score: float


def anchors_of(text: str) -> frozenset[str]:
    """Tokens any language writes alike: numbers, name-like Latin words, URLs, handles."""
    folded = fold_text(text)  # Arabic-Indic digits become ASCII
    anchors = {m.group().rstrip(".,;:!?").lower() for m in _URL.finditer(folded)}
    rest = _URL.sub(" ", folded)
    anchors.update(m.group() for m in _HANDLE.finditer(rest))
    # Only words with a capital or a digit: names and acronyms survive translation,
    # common lower-case English words do not (and would match stray quotations).
    anchors.update(w for w in (m.group() for m in _LATIN.finditer(rest)) if len(w) > 1 and _NAME_LIKE.search(w))
    anchors.update(_number(m.group()) for m in _NUMBER.finditer(rest))
    return frozenset(anchors)


def _number(token: str) -> str:
    """One spelling per number: no thousands commas, a decimal point, no leading zeros."""
    token = token.replace(",", "") if _THOUSANDS.fullmatch(token) else token.replace(",", ".")
    return str(int(token)) if token.isdigit() else token


def align_units(source: Sequence[Unit], target: Sequence[Unit], *, band: int | None = None) -> list[Link]:
    """Best monotone alignment of `source` and `target` units (see the module docstring).

    `band` fixes the search to that many target units either side of the diagonal.
    Left to None, the band starts at max(10, 10% of the longer side, at most 100) and
    doubles for as long as the best path runs along its edge, so a translation that
    drifts far from the diagonal (a long section left out) is still followed.
    """
    if band is not None and band < 1:
        raise ValueError(f"band must be at least 1 unit, not {band}")
    if not source or not target:
        drops = [Link((i,), (), -_DROP_COST) for i in range(len(source))]
        return drops + [Link((), (j,), -_DROP_COST) for j in range(len(target))]
    model = _Model.of(source, target)
    longest = max(len(source), len(target))
    width = band or min(max(10, math.ceil(0.1 * longest)), 100)
    while True:
        rows = _band_rows(model, width)
        links = _search(model, rows)
        if band is not None or width >= longest or not _runs_along_edge(links, rows, len(target)):
            return links
        width *= 2


def unit_links(links: Iterable[Link]) -> set[tuple[int, int]]:
    """Pairwise 1-based (source, target) links, merges expanded, drops left out (gold `units`)."""
    return {(s + 1, t + 1) for link in links for s in link.source for t in link.target}


@dataclass(frozen=True)
class _Side:
    """One side as the bead costs read it: length prefix sums and anchors per span."""

    starts: tuple[int, ...]  # characters before each unit, then the total
    # spans[d][e]: anchors of units e-d .. e-1 (d = 1, 2) that the other side also has,
    # with their total weight
    spans: tuple[tuple[tuple[frozenset[str], float], ...], ...]

    @classmethod
    def of(cls, units: Sequence[Unit], weight: dict[str, float]) -> _Side:
        """Prefix sums and the one- and two-unit anchor sets of `units`."""
        starts = [0]
        for unit in units:
            starts.append(starts[-1] + len(unit.text))
        own = [unit.anchors & weight.keys() for unit in units]
        empty: frozenset[str] = frozenset()
        one = [empty, *own]
        two = [empty, empty] + [own[e - 2] | own[e - 1] for e in range(2, len(units) + 1)]
        spans = tuple(tuple((a, sum(weight[x] for x in a)) for a in sets) for sets in ((), one, two))
        return cls(tuple(starts), spans)


@dataclass(frozen=True)
class _Model:
    """What the bead costs need: both sides, the length model and the anchor weights."""

    source: _Side
    target: _Side
    scale: float  # source characters per target character
    variance: float
    weight: dict[str, float]  # only anchors both sides carry

    @classmethod
    def of(cls, source: Sequence[Unit], target: Sequence[Unit]) -> _Model:
        """Length ratio (from the totals) and anchor weights of one pair."""
        source_df = Counter(a for u in source for a in u.anchors)
        target_df = Counter(a for u in target for a in u.anchors)
        weight = {a: 1.0 / max(source_df[a], target_df[a]) for a in source_df.keys() & target_df.keys()}
        src, tgt = _Side.of(source, weight), _Side.of(target, weight)
        total_s, total_t = src.starts[-1], tgt.starts[-1]
        scale = total_s / total_t if total_s and total_t else 1.0
        return cls(src, tgt, scale, LENGTH_VARIANCE, weight)

    def cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Cost in nats of the bead source[i0:i1] <-> target[j0:j1], prior excluded."""
        return self.anchor_cost(i0, i1, j0, j1) + self.length_cost(i0, i1, j0, j1)

    def length_cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Gale-Church cost of the two sides' lengths; never negative."""
        if i0 == i1 or j0 == j1:
            return 0.0  # drops: prior only (see the module docstring)
        s = self.source.starts[i1] - self.source.starts[i0]
        t = (self.target.starts[j1] - self.target.starts[j0]) * self.scale
        if s + t == 0:
            return 0.0
        return _tail_cost(abs(t - s) / math.sqrt(self.variance * (s + t) / 2))

    def anchor_cost(self, i0: int, i1: int, j0: int, j1: int) -> float:
        """Penalty for anchors on one side of the bead only, less the bonus for shared ones."""
        a, a_weight = self.source.spans[i1 - i0][i1] if i1 > i0 else _NO_ANCHORS
        b, b_weight = self.target.spans[j1 - j0][j1] if j1 > j0 else _NO_ANCHORS
        if not a or not b:
            return ANCHOR_PENALTY * (a_weight + b_weight)
        shared = sum(self.weight[x] for x in a & b)
        return ANCHOR_PENALTY * (a_weight + b_weight - 2 * shared) - ANCHOR_BONUS * shared


_NO_ANCHORS: tuple[frozenset[str], float] = (frozenset(), 0.0)
_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_PI = 0.5 * math.log(math.pi)


def _tail_cost(delta: float) -> float:
    """-log P(|Z| >= delta) for a standard normal Z and delta >= 0."""
    z = delta / _SQRT2
    if z < 20:
        return -math.log(math.erfc(z))
    return z * z + math.log(z) + _LOG_SQRT_PI  # erfc underflows; its asymptote does not


def _band_rows(model: _Model, width: int) -> list[tuple[int, int]]:
    """For each source position i, the target positions (lo, hi) the search visits.

    The centre of row i is the target position whose share of the target's characters
    is closest to the share of the source's characters before i (the share of units
    when a side has no characters). Each row reaches back to just past the end of the
    one before, so every row can be entered and (n, m) is reachable.
    """
    source_shares = _shares(model.source.starts)
    target_shares = _shares(model.target.starts)
    m = len(target_shares) - 1
    rows: list[tuple[int, int]] = []
    for share in source_shares:
        centre = _nearest(target_shares, share)
        lo, hi = max(0, centre - width), min(m, centre + width)
        if rows:
            lo = min(lo, rows[-1][1] + 1)
        rows.append((lo, hi))
    rows[0] = (0, rows[0][1])
    rows[-1] = (rows[-1][0], m)
    return rows


def _shares(starts: tuple[int, ...]) -> list[float]:
    """Share of the side before each position: of its characters, or of its units."""
    total, n = starts[-1], len(starts) - 1
    if not total:
        return [k / n for k in range(n + 1)]
    return [start / total for start in starts]


def _nearest(shares: list[float], share: float) -> int:
    """Index of the value in the sorted `shares` closest to `share`."""
    k = bisect_left(shares, share)
    if k == len(shares):
        return k - 1
    if k > 0 and share - shares[k - 1] <= shares[k] - share:
        return k - 1
    return k


def _search(model: _Model, rows: list[tuple[int, int]]) -> list[Link]:
    """Dynamic programming over the band, then the beads of the cheapest path.

    Moves reach back at most two rows, so only three rows of costs are kept; the move
    taken into each cell is kept for every row, one byte a cell.
    """
    inf = math.inf
    anchor_cost = model.anchor_cost if model.weight else None
    costs: list[list[float]] = []
    moves: list[bytearray] = []
    for i, (lo, hi) in enumerate(rows):
        row_cost = [inf] * (hi - lo + 1)
        row_move = bytearray(hi - lo + 1)
        costs = [*costs[-2:], row_cost]  # costs[-1 - di] is row i - di
        moves.append(row_move)
        for j in range(lo, hi + 1):
            best, best_move = (0.0, 0) if i == j == 0 else (inf, 0)
            for k, (di, dj) in enumerate(_MOVES):
                pi, pj = i - di, j - dj
                if pi < 0 or not rows[pi][0] <= pj <= rows[pi][1]:
                    continue
                total = costs[-1 - di][pj - rows[pi][0]] + _PRIOR_COST[k]
                if anchor_cost is not None:
                    total += anchor_cost(pi, i, pj, j)
                if total < best:  # the length cost is never negative: prune before computing it
                    total += model.length_cost(pi, i, pj, j)
                    if total < best:
                        best, best_move = total, k
            row_cost[j - lo] = best
            row_move[j - lo] = best_move
    return _backtrace(model, rows, moves)


def _backtrace(model: _Model, rows: list[tuple[int, int]], moves: list[bytearray]) -> list[Link]:
    """The beads of the best path to (n, m), in order, each scored minus its cost."""
    links: list[Link] = []
    i, j = len(rows) - 1, rows[-1][1]
    while i or j:
        k = moves[i][j - rows[i][0]]
        di, dj = _MOVES[k]
        cost = _PRIOR_COST[k] + model.cost(i - di, i, j - dj, j)
        links.append(Link(tuple(range(i - di, i)), tuple(range(j - dj, j)), -cost))
        i, j = i - di, j - dj
    links.reverse()
    return links


def _runs_along_edge(links: list[Link], rows: list[tuple[int, int]], m: int) -> bool:
    """Whether the path touches a band edge that is not an edge of the whole matrix."""
    i = j = 0
    for link in links:
        i, j = i + len(link.source), j + len(link.target)
        lo, hi = rows[i]
        if (j == lo and lo > 0) or (j == hi and hi < m):
            return True
    return False
