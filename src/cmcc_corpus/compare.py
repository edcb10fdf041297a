"""Compare: for every fact several sources state, do they agree, conflict, or evolve?

Claims are grouped by subject, predicate and unit (subjects that are spelling variants
of one another are merged with rapidfuzz, the score kept). Values compare by their
semantics: dates at their granularity, quantities as intervals from their qualifiers,
entities and text exactly. Predicates the profile marks as evolving (counts, pledges)
may change over time: different values at different as-of dates are `evolving`, only a
disagreement at the same time is a `conflict`; for fixed facts (an opening date) any
disagreement is a `conflict`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

VERDICTS = ("conflict", "translation", "evolving", "consistent", "single-source")
DEFAULT_TOLERANCE = 0.1  # "about 200" is 200 +/- 10%
SUBJECT_MATCH = 90  # rapidfuzz token-set ratio at which two subject spellings are one subject


@dataclass(frozen=True)
class ClaimSide:
    """One source's statement: value, qualifier and the evidence for it."""

    value: Any
    qualifier: str | None
    unit: str | None
    doc_id: str
    file: str
    source: str | None
    published: str | None
    as_of: str | None
    quote: str
    start: int
    end: int
    derived: bool = False
    modality: str = "asserted"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for output."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Finding:
    """What the sources say about one subject and predicate, and the verdict."""

    verdict: str
    subject: str
    predicate: str
    unit: str | None
    sides: tuple[ClaimSide, ...]
    note: str = ""
    subject_variants: tuple[tuple[str, float], ...] = field(default=())

    @property
    def id(self) -> str:
        """Stable id: a hash of subject, predicate and sides (values and documents)."""
        key = [
            self.subject,
            self.predicate,
            self.unit or "",
            sorted((str(s.value), s.qualifier or "", s.doc_id) for s in self.sides),
        ]
        return "f1-" + hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:24]

    def grouped_sides(self) -> list[dict[str, Any]]:
        """Sides grouped by value and qualifier, each with the documents asserting it."""
        groups: dict[tuple[str, str | None], dict[str, Any]] = {}
        for side in self.sides:
            group = groups.setdefault(
                (str(side.value), side.qualifier),
                {"value": side.value, "qualifier": side.qualifier, "docs": [], "evidence": []},
            )
            if side.file not in group["docs"]:
                group["docs"].append(side.file)
            group["evidence"].append(side.as_dict())
        return list(groups.values())

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain data (sides grouped by value)."""
        return {
            "id": self.id,
            "verdict": self.verdict,
            "subject": self.subject,
            "predicate": self.predicate,
            "unit": self.unit,
            "note": self.note,
            "sides": self.grouped_sides(),
            "subject_variants": [{"name": n, "score": s} for n, s in self.subject_variants],
        }


@dataclass(frozen=True)
class CompareOptions:
    """Settings of a comparison."""

    tolerance: float = DEFAULT_TOLERANCE
    evolving: frozenset[str] = frozenset()  # predicates whose value may change over time


def compare(claims: Iterable[dict[str, Any]], options: CompareOptions) -> list[Finding]:
    """Findings for every (subject, predicate, unit) the claims speak of, conflicts first."""
    rows = list(claims)
    canonical = merge_subjects(sorted({str(r["subject"]) for r in rows}))
    groups: dict[tuple[str, str, str | None], list[ClaimSide]] = defaultdict(list)
    for r in rows:
        subject, _ = canonical[str(r["subject"])]
        groups[(subject, r["predicate"], r.get("unit"))].append(claim_side(r))
    variants: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for spelling, (head, score) in canonical.items():
        if spelling != head:
            variants[head].append((spelling, score))
    findings = []
    for (subject, predicate, unit), sides in groups.items():
        verdict, note = judge(predicate, sides, options)
        findings.append(
            Finding(verdict, subject, predicate, unit, tuple(sides), note, tuple(sorted(variants.get(subject, ()))))
        )
    return sorted(findings, key=lambda f: (VERDICTS.index(f.verdict), f.subject, f.predicate))


def merge_subjects(subjects: Sequence[str]) -> dict[str, tuple[str, float]]:
    """Each subject spelling -> (canonical spelling, similarity): `Centre`/`Center` are one.

    Spellings are only compared within a block sharing their first word, so the cost
    stays near-linear in the number of distinct subjects.
    """
    canonical: dict[str, tuple[str, float]] = {}
    heads: dict[str, list[str]] = defaultdict(list)
    for subject in subjects:
        block = heads[subject.split()[0].lower().strip(".,'’") if subject.split() else ""]
        best = max(
            ((h, fuzz.token_set_ratio(subject.lower(), h.lower())) for h in block),
            key=lambda x: x[1],
            default=(subject, 0.0),
        )
        if best[1] >= SUBJECT_MATCH and len(subject) > 3:
            canonical[subject] = (best[0], round(best[1], 1))
        else:
            block.append(subject)
            canonical[subject] = (subject, 100.0)
    return canonical


def claim_side(r: dict[str, Any]) -> ClaimSide:
    """One stored claim row as a side of a comparison."""
    return ClaimSide(
        value=r["value"],
        qualifier=r.get("qualifier"),
        unit=r.get("unit"),
        doc_id=r["doc_id"],
        file=r["file"],
        source=r.get("source"),
        published=r.get("published"),
        as_of=r.get("as_of"),
        quote=r["text"],
        start=r["start"],
        end=r["end"],
        derived=bool(r.get("derived")),
        modality=r.get("modality") or "asserted",
    )


def judge(predicate: str, sides: Sequence[ClaimSide], options: CompareOptions) -> tuple[str, str]:
    """The verdict for one group of sides, with a one-line reason.

    Work is over distinct (value, qualifier) pairs, not over every pair of sides, so a fact
    a thousand articles repeat costs no more than one stated a few different ways.
    """
    if len({s.doc_id for s in sides}) < 2:
        return "single-source", "stated by one document"
    by_value: dict[tuple[str, str | None], list[ClaimSide]] = defaultdict(list)
    for side in sides:
        by_value[(str(side.value), side.qualifier)].append(side)
    keys = list(by_value)
    clashes = [
        (ka, kb)
        for i, ka in enumerate(keys)
        for kb in keys[i + 1 :]
        if not compatible(by_value[ka][0], by_value[kb][0], options.tolerance)
    ]
    if not clashes:
        return "consistent", "the values agree (allowing for qualifiers and granularity)"
    if predicate in options.evolving and not any(_at_one_time(by_value[ka], by_value[kb]) for ka, kb in clashes):
        return "evolving", "different values at different as-of dates"
    ka, kb = clashes[0]
    return "conflict", f"{_show(by_value[ka][0])} against {_show(by_value[kb][0])}"


def _at_one_time(a: Sequence[ClaimSide], b: Sequence[ClaimSide]) -> bool:
    """Whether some statement of each value may speak for the same moment."""
    times_a, times_b = {s.as_of for s in a}, {s.as_of for s in b}
    return any(same_time(x, y) for x in times_a for y in times_b)


def _show(side: ClaimSide) -> str:
    qualifier = f" ({side.qualifier})" if side.qualifier and side.qualifier != "exact" else ""
    return f"{side.value}{qualifier} in {side.file}"


def compatible(a: ClaimSide, b: ClaimSide, tolerance: float) -> bool:
    """Whether two statements can both be true."""
    if _is_number(a.value) and _is_number(b.value):
        return _overlap(
            interval(float(a.value), a.qualifier, tolerance), interval(float(b.value), b.qualifier, tolerance)
        )
    if _is_date(str(a.value)) and _is_date(str(b.value)):
        return dates_compatible(str(a.value), str(b.value))
    return str(a.value).casefold() == str(b.value).casefold()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_date(value: str) -> bool:
    return len(value) in (4, 7, 10) and all(p.isdigit() or set(p) == {"X"} for p in value.split("-"))


def dates_compatible(a: str, b: str) -> bool:
    """Dates agree at the coarser granularity (`2025-10` and `2025-10-17`); an unknown year
    (`XXXX-10-17`) matches any year."""
    return all(x == y or set(x) == {"X"} or set(y) == {"X"} for x, y in zip(a.split("-"), b.split("-"), strict=False))


def same_time(a: str | None, b: str | None) -> bool:
    """Whether two as-of dates may be the same moment (unknown or overlapping granularity)."""
    if not a or not b:
        return True
    return dates_compatible(a, b)


def interval(value: float, qualifier: str | None, tolerance: float) -> tuple[float, float, bool, bool]:
    """(low, high, low open, high open) for a quantity and its qualifier."""
    spread = abs(value) * tolerance
    match qualifier:
        case "about":
            return value - spread, value + spread, False, False
        case "up_to":
            return 0.0, value, False, False
        case "at_least":
            return value, math.inf, False, True
        case "more_than":
            return value, math.inf, True, True
        case "less_than":
            return 0.0, value, False, True
        case "nearly":
            return value - spread, value, False, True
        case _:
            return value, value, False, False


def _overlap(a: tuple[float, float, bool, bool], b: tuple[float, float, bool, bool]) -> bool:
    low, low_open = max((a[0], a[2]), (b[0], b[2]))
    high, high_open = min((a[1], a[3]), (b[1], b[3]), key=lambda x: (x[0], not x[1]))
    return low < high or (low == high and not low_open and not high_open)


# -- over the corpus ---------------------------------------------------------------------


def evolving_predicates(profile_key: str = "") -> frozenset[str]:
    """Predicates the profile marks `evolves: true`."""
    from .extract.profile import registered

    predicates = registered(profile_key)["predicates"] or {}
    return frozenset(name for name, spec in predicates.items() if isinstance(spec, dict) and spec.get("evolves"))


def compare_corpus(corpus: Any, options: CompareOptions | None = None) -> list[dict[str, Any]]:
    """Compare every stored claim, store the findings, and return them with the stored
    `translation` findings of alignment, conflicts first."""
    from .align.service import stored_findings
    from .extract.storage import claims as stored_claims

    options = options or CompareOptions(evolving=evolving_predicates())
    findings = compare(stored_claims(corpus), options)
    _store(corpus, findings)
    records = [f.as_dict() for f in findings] + [_translation_record(f) for f in stored_findings(corpus, "translation")]
    return sorted(records, key=lambda r: (VERDICTS.index(r["verdict"]), str(r["subject"]), str(r["predicate"])))


def _translation_record(finding: dict[str, Any]) -> dict[str, Any]:
    """A stored alignment finding in the same shape as the comparison's findings."""
    sides: dict[str, dict[str, Any]] = {}
    for side in finding["sides"]:
        group = sides.setdefault(
            str(side["value"]), {"value": side["value"], "qualifier": None, "docs": [], "evidence": []}
        )
        group["docs"].append(side["file"])
        group["evidence"].append({**side, "quote": side.get("quote")})
    return {
        "id": finding["id"],
        "verdict": "translation",
        "subject": finding["subject"],
        "predicate": finding["predicate"],
        "unit": None,
        "note": "a translation changed this value",
        "sides": list(sides.values()),
        "subject_variants": [],
    }


def _store(corpus: Any, findings: Sequence[Finding]) -> None:
    from datetime import UTC, datetime

    from .store import insert_findings

    now = datetime.now(UTC).isoformat(timespec="seconds")
    with corpus.transaction() as conn:
        conn.execute("DELETE FROM findings WHERE verdict != 'translation'")
        insert_findings(
            conn,
            (
                (f.id, f.verdict, f.subject, f.predicate, f.grouped_sides(), (s.doc_id for s in f.sides))
                for f in findings
            ),
            now,
        )


def gate(
    records: Sequence[dict[str, Any]], fail_on: str | None, baseline: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """Findings at the `--fail-on` level that the baseline does not accept."""
    if not fail_on:
        return []
    levels = {
        "conflict": {"conflict"},
        "translation": {"conflict", "translation"},
        "any": {"conflict", "translation", "evolving"},
    }[fail_on]
    return [r for r in records if r["verdict"] in levels and r["id"] not in baseline]


@dataclass(frozen=True)
class CheckResult:
    """Findings that involve the checked articles, and the inputs that could not be read."""

    findings: list[dict[str, Any]]
    rejected: list[tuple[str, str]]
    checked: list[str]  # document ids


def check_articles(
    corpus: Any, paths: Sequence[str], ingest_options: Any, options: CompareOptions, save: bool = False
) -> CheckResult:
    """Extract the given articles, compare them with the corpus, keep findings involving them.

    Without `save` nothing is written: the articles' claims are compared in memory.
    """
    from .article import Article
    from .errors import InputError
    from .extract.records import CLAIM_FIELDS
    from .extract.run import extract
    from .extract.service import as_input
    from .extract.storage import claims as stored_claims
    from .ingest import ingest, read_articles

    if save:
        summary = ingest(corpus, paths, ingest_options)
        ids = [d.id for d in summary.documents]
        rejected = [(r["path"], r["reason"]) for r in summary.rejections]
        new_claims: list[dict[str, Any]] = []
    else:
        articles: list[Article] = []
        rejected = []
        for item in read_articles(corpus.path, paths, ingest_options):
            if isinstance(item, InputError):
                rejected.append((item.path, item.reason))
            elif isinstance(item, Article):
                articles.append(item)
        ids = [a.id for a in articles]
        new_claims = []
        for article, result in zip(articles, extract(as_input(a) for a in articles), strict=True):
            for c in result.claims:
                record = {
                    **c.as_dict(),
                    "doc_id": article.id,
                    "file": article.file,
                    "lang": article.lang,
                    "source": article.source,
                    "published": article.published,
                }
                new_claims.append({k: record.get(k) for k in CLAIM_FIELDS})
    known = [c for c in stored_claims(corpus) if save or c["doc_id"] not in set(ids)]
    involved = set(ids)
    findings = [
        f.as_dict()
        for f in compare(known + new_claims, options)
        if involved & {s.doc_id for s in f.sides} and len({s.doc_id for s in f.sides}) > 1
    ]
    return CheckResult(findings, rejected, ids)
