"""Translation fidelity: did each aligned unit keep its facts (dates, numbers, countries)?

For every paragraph link of a pair, the values extraction found on each side are
compared per type. A value only one side has is an omission (translations drop and
rephrase), not a finding; a value replaced by another of the same type is: `October 17`
against `21 تشرين الأول` is a `translation` finding carrying both quotes.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Types whose values read the same in both languages, so a difference is a changed fact.
COMPARED_TYPES = ("date", "quantity", "money", "duration", "country")


@dataclass(frozen=True)
class Side:
    """One side of a finding: a value as one document states it, with its evidence."""

    value: str
    doc_id: str
    file: str
    lang: str
    quote: str
    start: int
    end: int
    unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data for storage and output."""
        return {
            "value": self.value,
            "unit": self.unit,
            "doc_id": self.doc_id,
            "file": self.file,
            "lang": self.lang,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Finding:
    """A cross-source finding; here always `translation` (alignment adds no other verdict)."""

    verdict: str
    subject: str
    predicate: str
    sides: tuple[Side, ...]

    @property
    def id(self) -> str:
        """Stable id: a hash of verdict, subject, predicate and the sides' values and documents."""
        key = json.dumps(
            [self.verdict, self.subject, self.predicate, sorted((s.value, s.unit or "", s.doc_id) for s in self.sides)],
            ensure_ascii=False,
        )
        return "f1-" + hashlib.sha256(key.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class UnitMention:
    """A mention placed in a paragraph, as fidelity needs it."""

    paragraph: int
    type: str
    value: str
    unit: str | None
    quote: str
    start: int
    end: int


def unit_findings(
    source: tuple[str, str, str],
    target: tuple[str, str, str],
    links: Sequence[tuple[tuple[int, ...], tuple[int, ...]]],
    source_mentions: Iterable[UnitMention],
    target_mentions: Iterable[UnitMention],
) -> list[Finding]:
    """`translation` findings of one pair; `source`/`target` are (doc id, file, lang)."""
    by_para_s, by_para_t = _by_paragraph(source_mentions), _by_paragraph(target_mentions)
    findings = []
    for src_units, tgt_units in links:
        if not src_units or not tgt_units:
            continue
        s_ments = [m for n in src_units for m in by_para_s.get(n, ())]
        t_ments = [m for n in tgt_units for m in by_para_t.get(n, ())]
        label = f"{source[1]} ¶{','.join(map(str, src_units))} / {target[1]} ¶{','.join(map(str, tgt_units))}"
        for kind in COMPARED_TYPES:
            finding = _compare(
                kind,
                label,
                source,
                target,
                [m for m in s_ments if m.type == kind],
                [m for m in t_ments if m.type == kind],
            )
            if finding:
                findings.append(finding)
    return findings


def _by_paragraph(mentions: Iterable[UnitMention]) -> dict[int, list[UnitMention]]:
    out: dict[int, list[UnitMention]] = defaultdict(list)
    for m in mentions:
        out[m.paragraph].append(m)
    return out


def _compare(
    kind: str,
    label: str,
    source: tuple[str, str, str],
    target: tuple[str, str, str],
    s_ments: list[UnitMention],
    t_ments: list[UnitMention],
) -> Finding | None:
    """A finding when each side has a value of `kind` the other lacks (a substitution)."""
    s_keys = {(m.value, m.unit) for m in s_ments}
    t_keys = {(m.value, m.unit) for m in t_ments}
    only_s, only_t = s_keys - t_keys, t_keys - s_keys
    if not only_s or not only_t:
        return None
    sides = [claim_side(m, source) for m in s_ments if (m.value, m.unit) in only_s]
    sides += [claim_side(m, target) for m in t_ments if (m.value, m.unit) in only_t]
    return Finding("translation", label, kind, tuple(_first_per_value(sides)))


def claim_side(m: UnitMention, doc: tuple[str, str, str]) -> Side:
    return Side(m.value, doc[0], doc[1], doc[2], m.quote, m.start, m.end, m.unit)


def _first_per_value(sides: list[Side]) -> list[Side]:
    seen, kept = set(), []
    for side in sides:
        key = (side.doc_id, side.value, side.unit)
        if key not in seen:
            seen.add(key)
            kept.append(side)
    return kept
