"""Alignment over the corpus: pair documents, align their paragraphs, store the results."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ..store import Corpus, insert_findings, translate_errors
from .fidelity import COMPARED_TYPES, Finding, UnitMention, unit_findings
from .pairing import DEFAULT_THRESHOLD, DocFeatures, Pair, candidate_pairs, features_of, one_to_one
from .units import Link, Unit, align_units, anchors_of

MAX_PUBLICATION_GAP_DAYS = 7  # a translation appears within days of its original
# Mention types whose canonical values are the same in both languages.
CROSSING_TYPES = ("country", "org", "place", "date", "money", "quantity", "duration")


@dataclass(frozen=True)
class AlignedPair:
    """A stored translation pair and its paragraph alignment."""

    pair: Pair
    source_file: str
    translation_file: str
    links: tuple[Link, ...]  # paragraphs, 1-based numbers
    sentence_links: tuple[Link, ...] = ()  # sentences inside linked paragraphs, 1-based numbers


def corpus_features(corpus: Corpus, doc_ids: Sequence[str] | None = None) -> list[DocFeatures]:
    """Language-independent features of the corpus's documents (or of `doc_ids`)."""
    docs = [corpus.resolve(d) for d in doc_ids] if doc_ids else list(corpus.documents())
    features = []
    with translate_errors(corpus.path):
        for doc in docs:
            marks = ",".join("?" * len(CROSSING_TYPES))
            entities = [
                (start, f"{kind}:{value}")
                for start, kind, value in corpus.conn.execute(
                    f"SELECT start, type, value FROM mentions WHERE doc_id = ? AND type IN ({marks})",
                    (doc.id, *CROSSING_TYPES),
                )
            ]
            entities += [
                (start, f"person:{name}")
                for start, name in corpus.conn.execute(
                    "SELECT start, en FROM mentions WHERE doc_id = ? AND type = 'person' AND en IS NOT NULL", (doc.id,)
                )
            ]
            entities += [
                (start, f"person:{name}")
                for start, name in corpus.conn.execute(
                    "SELECT start, value FROM mentions WHERE doc_id = ? AND type = 'person' AND en IS NULL"
                    " AND value GLOB '[A-Za-z]*'",
                    (doc.id,),
                )
            ]
            paragraphs = [p for p in corpus.paragraphs(doc.id) if p.kind != "front_matter"]
            names = [
                name
                for (name,) in corpus.conn.execute(
                    "SELECT DISTINCT coalesce(en, value) FROM mentions WHERE doc_id = ? AND type = 'person'", (doc.id,)
                )
            ]
            features.append(
                features_of(doc.id, doc.lang, corpus.text(doc.id), entities, len(paragraphs), doc.published, names)
            )
    return features


def units_of(corpus: Corpus, doc_id: str) -> tuple[list[int], list[Unit]]:
    """A document's paragraphs as alignment units, with their 1-based numbers."""
    text = corpus.text(doc_id)
    paragraphs = [p for p in corpus.paragraphs(doc_id) if p.kind != "front_matter"]
    return [p.n for p in paragraphs], [
        Unit(text[p.start : p.end], anchors_of(text[p.start : p.end])) for p in paragraphs
    ]


def align_corpus(
    corpus: Corpus, doc_ids: Sequence[str] | None = None, threshold: float = DEFAULT_THRESHOLD, store: bool = True
) -> list[AlignedPair]:
    """Pair documents across languages, align each pair's paragraphs, and store both
    (unless `store` is false: `evaluate` only reads).

    Candidates from shared features are verified by aligning their paragraphs: a real
    translation aligns unit by unit at low cost, an article on the same event does not.
    The pair score is the mean of the feature score and that fit; pairs are then
    assigned one to one, best first, above `threshold`.
    """
    units: dict[str, tuple[list[int], list[Unit]]] = {}
    verified: dict[tuple[str, str], tuple[Pair, tuple[Link, ...]]] = {}
    for candidate in candidate_pairs(corpus_features(corpus, doc_ids)):
        for doc_id in (candidate.source, candidate.translation):
            if doc_id not in units:
                units[doc_id] = units_of(corpus, doc_id)
        (src_numbers, src_units), (tgt_numbers, tgt_units) = units[candidate.source], units[candidate.translation]
        links = align_units(src_units, tgt_units)
        fit = alignment_fit(links, len(src_units), len(tgt_units))
        score = round((candidate.score + fit) / 2 * context_factor(candidate), 4)
        pair = Pair(
            candidate.source,
            candidate.translation,
            score,
            {**candidate.evidence, "features": candidate.score, "alignment_fit": round(fit, 4)},
        )
        verified[(pair.source, pair.translation)] = (
            pair,
            tuple(
                Link(tuple(src_numbers[i] for i in link.source), tuple(tgt_numbers[j] for j in link.target), link.score)
                for link in links
            ),
        )
    kept = one_to_one([p for p, _ in verified.values() if p.score >= threshold])
    aligned = [
        AlignedPair(
            p, corpus.resolve(p.source).file, corpus.resolve(p.translation).file, verified[(p.source, p.translation)][1]
        )
        for p in kept
    ]
    aligned = [replace(item, sentence_links=_sentence_links(corpus, item)) for item in aligned]
    if store:
        _store(corpus, aligned, doc_ids, [f for item in aligned for f in pair_findings(corpus, item)])
    return aligned


def _sentence_links(corpus: Corpus, item: AlignedPair) -> tuple[Link, ...]:
    """Sentences aligned inside each paragraph link (translations merge and split sentences
    within a paragraph far more often than across paragraphs)."""
    sentences = {
        doc_id: _sentences_by_paragraph(corpus, doc_id) for doc_id in (item.pair.source, item.pair.translation)
    }
    links: list[Link] = []
    for paragraph_link in item.links:
        src = [s for n in paragraph_link.source for s in sentences[item.pair.source].get(n, [])]
        tgt = [s for n in paragraph_link.target for s in sentences[item.pair.translation].get(n, [])]
        if not src or not tgt:
            continue
        for link in align_units([u for _, u in src], [u for _, u in tgt]):
            links.append(Link(tuple(src[i][0] for i in link.source), tuple(tgt[j][0] for j in link.target), link.score))
    return tuple(links)


def _sentences_by_paragraph(corpus: Corpus, doc_id: str) -> dict[int, list[tuple[int, Unit]]]:
    text = corpus.text(doc_id)
    out: dict[int, list[tuple[int, Unit]]] = {}
    for n, paragraph, start, end in corpus.conn.execute(
        'SELECT n, paragraph, start, "end" FROM sentences WHERE doc_id = ? ORDER BY n', (doc_id,)
    ):
        out.setdefault(paragraph, []).append((n, Unit(text[start:end], anchors_of(text[start:end]))))
    return out


def pair_findings(corpus: Corpus, item: AlignedPair) -> list[Finding]:
    """Translation findings of one aligned pair (changed dates, numbers, countries)."""
    docs = [corpus.resolve(item.pair.source), corpus.resolve(item.pair.translation)]
    mentions = [_unit_mentions(corpus, d.id) for d in docs]
    links = [(link.source, link.target) for link in item.links]
    return unit_findings(
        (docs[0].id, docs[0].file, docs[0].lang),
        (docs[1].id, docs[1].file, docs[1].lang),
        links,
        mentions[0],
        mentions[1],
    )


def _unit_mentions(corpus: Corpus, doc_id: str) -> list[UnitMention]:
    paragraphs = corpus.paragraphs(doc_id)
    starts = [p.start for p in paragraphs]
    out = []
    marks = ",".join("?" * len(COMPARED_TYPES))
    for kind, value, unit, quote, start, end in corpus.conn.execute(
        f'SELECT type, value, unit, text, start, "end" FROM mentions WHERE doc_id = ? AND type IN ({marks})',
        (doc_id, *COMPARED_TYPES),
    ):
        k = bisect_right(starts, start) - 1
        if k >= 0:
            out.append(UnitMention(paragraphs[k].n, kind, value, unit, quote, start, end))
    return out


def context_factor(candidate: Pair) -> float:
    """Halve the score of pairs published more than a week apart: a translation appears
    within days of its original. (Names across scripts are kept as evidence only: Arabic
    name detection is not yet precise enough to veto a pair.)"""
    gap = candidate.evidence.get("date_gap_days")
    return 0.5 if isinstance(gap, int) and gap > MAX_PUBLICATION_GAP_DAYS else 1.0


def alignment_fit(links: Sequence[Link], n_source: int, n_target: int) -> float:
    """Share of all units that sit in confident beads (cost under 5 nats)."""
    confident = sum(len(link.source) + len(link.target) for link in links if link.score > -5.0)
    return confident / max(n_source + n_target, 1)


def _store(corpus: Corpus, aligned: list[AlignedPair], doc_ids: Sequence[str] | None, findings: list[Finding]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with corpus.transaction() as conn:
        if doc_ids:
            ids = [corpus.resolve(d).id for d in doc_ids]
            marks = ",".join("?" * len(ids))
            conn.execute(f"DELETE FROM pairs WHERE source_id IN ({marks}) OR translation_id IN ({marks})", (*ids, *ids))
            for doc_id in ids:
                conn.execute(
                    "DELETE FROM findings WHERE verdict = 'translation' AND ' ' || docs || ' ' LIKE ?",
                    (f"% {doc_id} %",),
                )
        else:
            conn.execute("DELETE FROM pairs")
            conn.execute("DELETE FROM findings WHERE verdict = 'translation'")
        insert_findings(
            conn,
            (
                (f.id, f.verdict, f.subject, f.predicate, [s.as_dict() for s in f.sides], (s.doc_id for s in f.sides))
                for f in findings
            ),
            now,
        )
        for item in aligned:
            p = item.pair
            conn.execute(
                "INSERT OR REPLACE INTO pairs (source_id, translation_id, score, evidence, aligned_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (p.source, p.translation, p.score, json.dumps(p.evidence), now),
            )
            for level, links in (("paragraph", item.links), ("sentence", item.sentence_links)):
                conn.executemany(
                    "INSERT INTO alignments (source_id, translation_id, level, n, source_units, target_units, score)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            p.source,
                            p.translation,
                            level,
                            n,
                            _units(link.source),
                            _units(link.target),
                            round(link.score, 4),
                        )
                        for n, link in enumerate(links, 1)
                    ],
                )


def _units(numbers: tuple[int, ...]) -> str:
    return ",".join(str(n) for n in numbers)


def stored_findings(corpus: Corpus, verdict: str | None = None) -> list[dict[str, Any]]:
    """Stored findings (`translation` ones come from alignment) as plain records."""
    sql = "SELECT id, verdict, subject, predicate, sides FROM findings"
    rows = corpus.conn.execute(
        sql + (" WHERE verdict = ?" if verdict else "") + " ORDER BY subject, predicate", (verdict,) if verdict else ()
    ).fetchall()
    return [
        {"id": i, "verdict": v, "subject": s, "predicate": p, "sides": json.loads(sides)} for i, v, s, p, sides in rows
    ]


def stored_pairs(corpus: Corpus) -> list[dict[str, Any]]:
    """Stored pairs with file names, score, evidence and paragraph links (gold `units` form)."""
    rows = corpus.conn.execute(
        "SELECT p.source_id, s.file, p.translation_id, t.file, p.score, p.evidence FROM pairs p"
        " JOIN documents s ON s.id = p.source_id JOIN documents t ON t.id = p.translation_id"
        " ORDER BY p.score DESC"
    ).fetchall()
    out = []
    for source_id, source_file, translation_id, translation_file, score, evidence in rows:
        links = corpus.conn.execute(
            "SELECT source_units, target_units FROM alignments WHERE source_id = ? AND translation_id = ?"
            " AND level = 'paragraph' ORDER BY n",
            (source_id, translation_id),
        ).fetchall()
        units = [[int(s), int(t)] for src, tgt in links if src and tgt for s in src.split(",") for t in tgt.split(",")]
        out.append(
            {
                "source_id": source_id,
                "source": source_file,
                "translation_id": translation_id,
                "translation": translation_file,
                "score": score,
                "evidence": json.loads(evidence),
                "units": units,
            }
        )
    return out


def side_by_side(corpus: Corpus, a: str, b: str, level: str = "paragraph") -> list[tuple[str, str, str, str]]:
    """The aligned units of a stored pair: (source numbers, source text, target numbers, target text)."""
    first, second = corpus.resolve(a), corpus.resolve(b)
    source, target = (first, second) if first.lang != "ar" else (second, first)
    links = corpus.conn.execute(
        "SELECT source_units, target_units FROM alignments WHERE source_id = ? AND translation_id = ?"
        " AND level = ? ORDER BY n",
        (source.id, target.id, level),
    ).fetchall()
    if not links:
        from ..errors import NotFound

        raise NotFound(f"{a} and {b} are not an aligned pair (run `cmcc-corpus align` first)")
    texts = {}
    for doc in (source, target):
        text = corpus.text(doc.id)
        if level == "sentence":
            spans = corpus.conn.execute('SELECT n, start, "end" FROM sentences WHERE doc_id = ?', (doc.id,)).fetchall()
        else:
            spans = [(p.n, p.start, p.end) for p in corpus.paragraphs(doc.id)]
        texts[doc.id] = {n: text[start:end] for n, start, end in spans}
    rows = []
    for src, tgt in links:
        src_n = [int(n) for n in src.split(",") if n]
        tgt_n = [int(n) for n in tgt.split(",") if n]
        rows.append(
            (src, "\n".join(texts[source.id][n] for n in src_n), tgt, "\n".join(texts[target.id][n] for n in tgt_n))
        )
    return rows
