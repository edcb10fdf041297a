"""Which Arabic article translates which English one: language-independent evidence.

No translation model can be used here, so a document is described by what survives
translation: numbers, canonical entity ids and dates from extraction, Latin-script words
left untranslated in Arabic (names, acronyms), URLs and image paths, and its shape
(paragraph count, length). Candidates come from an inverted index over the rarer
features (blocking: a document is only scored against documents sharing them), scores
weigh shared features by rarity, and a greedy one-to-one assignment above a threshold
keeps topical look-alikes (same event, different article) apart.

Blocking costs each English document a bounded amount of work, whatever the corpus size.
Features held by more than `_BLOCK_MAX_SHARE` of the documents (a country named nearly
everywhere) are not blocked on at all. The others are visited rarest first, at most
`_LIST_VISITS` entries of any one posting list and `_SOURCE_VISITS` entries in all, and
only the `_MAX_CANDIDATES` heaviest targets are scored in full. A rare feature (a specific
number, a name) has a short list and is always visited whole, so a translation sharing
such features is always found. A longer list (a country in a few percent of the articles,
a story with hundreds of near-copies) is visited in part: lists are sorted by document
id, a content hash, and a source visits the stretch that follows its own id. So every
source sees a different sample of a crowd of look-alikes (one-to-one assignment can still
give each its own partner), and the same sample in every list the crowd shares (their
weights add up as over the whole lists).
"""

from __future__ import annotations

import calendar
import heapq
import math
import re
import sys
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import LCSseq

from ..normalize import fold_text
from .translit import matched_share

DEFAULT_THRESHOLD = 0.35  # features and unit alignment together (see align.service)
CANDIDATE_THRESHOLD = 0.05  # features alone: only to keep candidates worth aligning
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9\-]{2,}\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]+[a-z]?s?\b")  # NATO, MWPs, BBC: kept as is in Arabic
_PATH = re.compile(r"(?:https?://\S+|/[\w\-./]+\.(?:jpe?g|png|gif|webp|svg|html?))", re.I)
# Features held by more than this share of documents are too common to block on.
_BLOCK_MAX_SHARE = 0.05
_BLOCK_MIN_DOCS = 20
_MAX_CANDIDATES = 50  # scored in full per English document
# Posting entries visited per English document: in any one list, and in all (see above).
_LIST_VISITS = 150
_SOURCE_VISITS = 2000
_WEIGHT_UNITS = 2**20  # per unit of idf, when ranking candidates (see candidates_by_source)


@dataclass(frozen=True, slots=True)  # slots: one per document of the corpus, all in memory
class DocFeatures:
    """What a document carries across translation."""

    id: str
    lang: str
    features: frozenset[str]
    paragraphs: int
    chars: int
    published: str | None = None
    sequence: tuple[str, ...] = ()  # numbers and entity ids in reading order
    names: tuple[str, ...] = ()  # people named, in the document's script


@dataclass(frozen=True, slots=True)  # slots: align holds one per candidate verified
class Pair:
    """A translation pair: source (English), translation (Arabic), score and evidence."""

    source: str
    translation: str
    score: float
    evidence: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


def features_of(
    doc_id: str,
    lang: str,
    text: str,
    entities: Iterable[tuple[int, str]],
    paragraphs: int,
    published: str | None = None,
    names: Iterable[str] = (),
) -> DocFeatures:
    """Describe one document by its language-independent features.

    `entities` are (offset, canonical value) of its extracted mentions.
    """
    folded = fold_text(text)
    found = {f"path:{p.lower()}" for p in _PATH.findall(text)}
    stripped = _PATH.sub(lambda m: " " * len(m.group()), folded)
    numbers = [
        (m.start(), f"num:{_number(m.group())}")
        for m in _NUMBER.finditer(stripped)
        if len(m.group().replace(",", "").replace(".", "")) >= 2
    ]
    ordered = [(start, f"ent:{value}") for start, value in entities]
    found |= {f for _, f in numbers} | {f for _, f in ordered}
    if lang == "ar":  # Latin words an Arabic translation kept (names, acronyms)
        found |= {f"lat:{w.lower()}" for w in _LATIN_WORD.findall(stripped)}
    else:  # the English words a translation would keep in Latin script
        found |= {f"lat:{w.lower()}" for w in _ACRONYM.findall(stripped) if len(w) >= 2}
    # Offsets of numbers are in the folded text, of entities in the original: close enough
    # for ordering (folding only drops marks), and order is all the sequence is used for.
    sequence = tuple(sys.intern(f) for _, f in sorted(numbers + ordered))
    # Interned: the same features recur across the corpus, and all of them stay in memory.
    return DocFeatures(
        doc_id,
        sys.intern(lang),
        frozenset(sys.intern(f) for f in found),
        paragraphs,
        len(text),
        None if published is None else sys.intern(published),
        sequence,
        tuple(sorted({sys.intern(name) for name in names})),
    )


def _number(text: str) -> str:
    """`8,000` and `8000` are one feature; a decimal keeps its point."""
    digits = text.replace(",", "")
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def candidate_pairs(
    docs: Sequence[DocFeatures], threshold: float = CANDIDATE_THRESHOLD, per_source: int = 3
) -> list[Pair]:
    """The best-scoring Arabic candidates of each English document (blocked, not assigned)."""
    return [pair for group in candidates_by_source(docs, threshold, per_source) for pair in group]


def candidates_by_source(
    docs: Sequence[DocFeatures], threshold: float = CANDIDATE_THRESHOLD, per_source: int = 3
) -> Iterator[list[Pair]]:
    """`candidate_pairs` one English document at a time, best first, so a caller can verify
    a document's candidates and let them go. Documents come in id order: neighbours in
    that order share candidates (see `_stretch`), which keeps a caller's caches warm."""
    sources = sorted((d for d in docs if d.lang == "en"), key=lambda d: d.id)
    targets = {d.id: d for d in docs if d.lang == "ar"}
    if not sources or not targets:
        return
    idf = feature_weights(docs)
    index = _block_index(targets.values(), len(docs))
    # Blocking weighs targets in integer units of idf: sums are then exact in any order
    # (set order changes from run to run), and cheap.
    blocking = {f: round(idf[f] * _WEIGHT_UNITS) for f in index}
    for source in sources:
        found = [score_pair(source, targets[t], idf) for t in _candidates(source, index, targets, blocking)]
        kept = (p for p in found if p.score >= threshold)
        # Ties (look-alikes score alike) broken as in `_candidates`, from the source's id on.
        yield sorted(kept, key=lambda p: (-p.score, p.translation < source.id, p.translation))[:per_source]


def pair_documents(docs: Sequence[DocFeatures], threshold: float = DEFAULT_THRESHOLD) -> list[Pair]:
    """One-to-one English-Arabic pairs scoring at least `threshold` on features alone."""
    return one_to_one([p for p in candidate_pairs(docs) if p.score >= threshold])


def feature_weights(docs: Sequence[DocFeatures]) -> dict[str, float]:
    """Each feature's weight in `score_pair`: the rarer across `docs`, the heavier (idf)."""
    df = Counter(f for d in docs for f in d.features)
    n = len(docs)
    return {f: math.log((n + 1) / (c + 0.5)) for f, c in df.items()}


def _block_index(targets: Iterable[DocFeatures], n: int) -> dict[str, list[str]]:
    """Inverted index over features rare enough to block on: document ids, sorted."""
    limit = max(_BLOCK_MIN_DOCS, int(_BLOCK_MAX_SHARE * n))
    index: dict[str, list[str]] = defaultdict(list)
    for target in sorted(targets, key=lambda d: d.id):
        for feature in target.features:
            index[feature].append(target.id)
    return {f: ids for f, ids in index.items() if len(ids) <= limit}


def _candidates(
    source: DocFeatures, index: dict[str, list[str]], targets: dict[str, DocFeatures], weights: dict[str, int]
) -> list[str]:
    """Ids of the targets sharing rare features with `source`, the most (by weight) first, capped.

    Posting lists are visited rarest first, within the limits described in the module
    docstring. A target found in a list visited whole is weighed by every blocking feature
    it shares with the source, visited or not: it must not be outweighed by look-alikes
    that happened to be in the part of a long list visited. A target found only in such
    parts is weighed by the lists it was found in (the parts are alike from list to list:
    see `_stretch`), which is cheaper.
    """
    blocking = sorted((f for f in source.features if f in index), key=lambda f: (len(index[f]), f))
    weight: dict[str, int] = defaultdict(int)
    whole: set[str] = set()
    budget = _SOURCE_VISITS
    for feature in blocking:
        visited = _stretch(index[feature], source.id, min(_LIST_VISITS, budget))
        if len(visited) == len(index[feature]):
            whole.update(visited)
        else:
            for target in visited:
                weight[target] += weights[feature]
        budget -= len(visited)
        if budget <= 0:
            break
    shared = frozenset(blocking)
    for target in whole:
        weight[target] = sum(map(weights.__getitem__, targets[target].features & shared))
    # Ties go to the targets that follow the source's id, as in `_stretch`: look-alike
    # sources then do not all get the same look-alike targets.
    return heapq.nsmallest(_MAX_CANDIDATES, weight, key=lambda t: (-weight[t], t < source.id, t))


def _stretch(postings: list[str], start: str, size: int) -> list[str]:
    """All of a posting list (sorted ids) if short, else the `size` ids from `start` on, wrapping."""
    if len(postings) <= size:
        return postings
    k = bisect_left(postings, start)
    return postings[k : k + size] + postings[: max(0, k + size - len(postings))]


def score_pair(source: DocFeatures, target: DocFeatures, idf: dict[str, float]) -> Pair:
    """Weighted overlap of features, times how plausible the two shapes are as translations."""
    shared = source.features & target.features
    union = source.features | target.features
    # fsum and a tie-break by name: the same result whatever order the sets iterate in.
    overlap = math.fsum(idf.get(f, 0.0) for f in shared) / max(math.fsum(idf.get(f, 0.0) for f in union), 1e-9)
    # A translation keeps the order of its facts; an article on the same event does not.
    order = (
        LCSseq.normalized_similarity(source.sequence, target.sequence) if source.sequence and target.sequence else 0.0
    )
    shape = _shape(source, target)
    score = round((0.5 * overlap + 0.5 * order) * shape, 4)
    people = matched_share(list(source.names), list(target.names))
    top = sorted(shared, key=lambda f: (-idf.get(f, 0.0), f))[:8]
    evidence = {
        "shared": top,
        "shared_count": len(shared),
        "overlap": round(overlap, 4),
        "order": round(order, 4),
        "people": None if people is None else round(people, 4),
        "people_counts": [len(source.names), len(target.names)],
        "date_gap_days": date_gap_days(source.published, target.published),
        "shape": round(shape, 4),
        "paragraphs": [source.paragraphs, target.paragraphs],
    }
    return Pair(source.id, target.id, score, evidence)


def date_gap_days(a: str | None, b: str | None) -> int | None:
    """The fewest days that can separate two publication dates (partial dates are ranges)."""
    if not a or not b:
        return None
    (a0, a1), (b0, b1) = _date_range(a), _date_range(b)
    if a1 < b0:
        return (b0 - a1).days
    if b1 < a0:
        return (a0 - b1).days
    return 0


def _date_range(iso: str) -> tuple[date, date]:
    parts = [int(p) for p in iso.split("-")[:3]]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        return first, date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _shape(source: DocFeatures, target: DocFeatures) -> float:
    """1.0 when paragraph counts and lengths fit a translation, falling as they diverge."""
    p = min(source.paragraphs, target.paragraphs) / max(source.paragraphs, target.paragraphs, 1)
    ratio = target.chars / max(source.chars, 1)  # Arabic runs about 0.8-1.3x the English
    length = 1.0 if 0.6 <= ratio <= 1.6 else max(0.0, 1 - abs(math.log(ratio / 1.0)) + math.log(1.6))
    return (0.5 + 0.5 * p) * min(1.0, length)


def one_to_one(scored: list[Pair]) -> list[Pair]:
    """Greedy assignment, best score first: each document in at most one pair."""
    used: set[str] = set()
    kept = []
    for pair in sorted(scored, key=lambda p: (-p.score, p.source, p.translation)):
        if pair.source in used or pair.translation in used:
            continue
        used.update((pair.source, pair.translation))
        kept.append(pair)
    return kept
