"""Score the pipeline against gold annotations (the format of ../shared/gold/README.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .jsonl import object_rows
from .normalize import fold_text

# Gold for these mention types is not exhaustive: precision is reported, not gated on.
RECALL_ONLY = frozenset({"org", "place"})
Key = tuple[Any, ...]


class GoldError(CorpusError):
    """A gold file cannot be read; the message names the file and line (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Score:
    """Counts and rates for one kind of item, with what was missed and what was extra."""

    tp: int
    fp: int
    fn: int
    missed: tuple[Key, ...] = ()
    extra: tuple[Key, ...] = ()

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The `S` object of `evaluate --format json`."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def score(gold: Iterable[Key], system: Iterable[Key]) -> Score:
    """Set-based score of system keys against gold keys."""
    g, s = set(gold), set(system)
    return Score(len(g & s), len(s - g), len(g - s), tuple(sorted(g - s, key=repr)), tuple(sorted(s - g, key=repr)))


def norm_value(value: Any) -> Any:
    """Comparable form of a value: numbers as floats, text folded and case-folded."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        return fold_text(text).casefold()


@dataclass
class Gold:
    """Gold rows by kind, as read from one or more files."""

    mentions: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def documents(self) -> set[str]:
        """File names of the documents the mention and claim rows speak of."""
        return {r["doc"] for r in self.mentions + self.claims}


def load_gold(paths: Iterable[Path]) -> Gold:
    """Read gold JSONL files; a malformed row is an error naming file and line."""
    gold = Gold()
    kinds = {"mention": gold.mentions, "claim": gold.claims, "pair": gold.pairs, "finding": gold.findings}
    for path in paths:
        for where, row in object_rows(path, GoldError, "gold file"):
            if row.get("kind") not in kinds:
                raise GoldError(f'{where}: a gold row needs "kind": mention, claim, pair or finding')
            kinds[row["kind"]].append(row)
    return gold


def mention_key(doc: str, row: Mapping[str, Any]) -> Key:
    """Mentions are sets per document of (type, value, unit)."""
    return (doc, row["type"], norm_value(row["value"]), row.get("unit"))


def claim_key(doc: str, row: Mapping[str, Any]) -> Key:
    """Claims match on subject, predicate, value and unit."""
    return (doc, norm_value(row["subject"]), row["predicate"], norm_value(row["value"]), row.get("unit"))


@dataclass(frozen=True)
class Report:
    """Scores per section; a section without gold rows is None."""

    mentions: Score | None
    by_type: dict[str, Score]
    claims: Score | None
    pair_documents: Score | None
    pair_units: Score | None
    findings: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """Exactly the structure `evaluate --format json` prints."""
        mentions = None
        if self.mentions is not None:
            mentions = {**self.mentions.as_dict(), "by_type": {t: s.as_dict() for t, s in sorted(self.by_type.items())}}
        pairs = None
        if self.pair_documents is not None and self.pair_units is not None:
            pairs = {"documents": self.pair_documents.as_dict(), "units": self.pair_units.as_dict()}
        return {
            "mentions": mentions,
            "claims": self.claims.as_dict() if self.claims else None,
            "pairs": pairs,
            "findings": self.findings,
        }

    def gated_f1(self) -> dict[str, float]:
        """F1 per exhaustive mention type and for claims: what `--min-f1` checks."""
        gated = {t: s.f1 for t, s in self.by_type.items() if t not in RECALL_ONLY}
        if self.claims is not None:
            gated["claims"] = self.claims.f1
        return gated


def evaluate(
    gold: Gold,
    mentions: Mapping[str, Iterable[Mapping[str, Any]]],
    claims: Mapping[str, Iterable[Mapping[str, Any]]],
    pairs: Iterable[Mapping[str, Any]] = (),
    findings: Iterable[Mapping[str, Any]] = (),
) -> Report:
    """Score system output (rows keyed by document file name) against gold."""
    docs = gold.documents
    m_score, by_type = _score_mentions(gold, mentions, docs)
    c_score = None
    if gold.claims:
        c_score = score(
            (claim_key(r["doc"], r) for r in gold.claims), (claim_key(d, r) for d in docs for r in claims.get(d, ()))
        )
    doc_score = unit_score = None
    if gold.pairs:
        doc_score, unit_score = score_pairs(gold.pairs, list(pairs))
    found = score_findings(gold.findings, list(findings)) if gold.findings else None
    return Report(m_score, by_type, c_score, doc_score, unit_score, found)


def _score_mentions(
    gold: Gold, mentions: Mapping[str, Iterable[Mapping[str, Any]]], docs: set[str]
) -> tuple[Score | None, dict[str, Score]]:
    if not gold.mentions:
        return None, {}
    gold_by: dict[str, set[Key]] = defaultdict(set)
    sys_by: dict[str, set[Key]] = defaultdict(set)
    for gold_row in gold.mentions:
        gold_by[gold_row["type"]].add(mention_key(gold_row["doc"], gold_row))
    for doc in docs:
        for row in mentions.get(doc, ()):
            sys_by[row["type"]].add(mention_key(doc, row))
    by_type = {t: score(gold_by[t], sys_by[t]) for t in set(gold_by) | set(sys_by)}
    total = Score(
        sum(s.tp for s in by_type.values()), sum(s.fp for s in by_type.values()), sum(s.fn for s in by_type.values())
    )
    return total, by_type


def score_pairs(gold: Sequence[Mapping[str, Any]], system: Sequence[Mapping[str, Any]]) -> tuple[Score, Score]:
    """Document pairs as a set, and units as the set of [source line, translation line] links."""
    g_docs = {(r["source"], r["translation"]) for r in gold}
    s_docs = {(r["source"], r["translation"]) for r in system}
    g_units = {(r["source"], r["translation"], *map(int, u)) for r in gold for u in r.get("units", ())}
    s_units = {(r["source"], r["translation"], *map(int, u)) for r in system for u in r.get("units", ())}
    return score(g_docs, s_docs), score(g_units, s_units)


def score_findings(gold: Sequence[Mapping[str, Any]], system: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A gold finding is matched by a finding with its subject, predicate and verdict whose
    sides carry the gold values, each asserted by (at least) the gold documents."""
    missed = [g for g in gold if not any(_finding_matches(g, s) for s in system)]
    matched = len(gold) - len(missed)
    return {
        "expected": len(gold),
        "matched": matched,
        "recall": round(matched / len(gold), 4) if gold else 0.0,
        "missed": [{"subject": g["subject"], "predicate": g["predicate"], "verdict": g["verdict"]} for g in missed],
    }


def _finding_matches(gold: Mapping[str, Any], found: Mapping[str, Any]) -> bool:
    if (norm_value(gold["subject"]), gold["predicate"], gold["verdict"]) != (
        norm_value(found.get("subject")),
        found.get("predicate"),
        found.get("verdict"),
    ):
        return False
    sides: dict[Any, set[str]] = {}
    for side in found.get("sides", ()):
        sides.setdefault(norm_value(side.get("value")), set()).update(side.get("docs", ()))
    return all(
        set(side.get("docs", ())) <= sides.get(norm_value(side.get("value")), set()) for side in gold.get("sides", ())
    )
