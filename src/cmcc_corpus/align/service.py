"""Alignment over the corpus: pair documents, align their paragraphs, store the results."""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any

from .. import heap
from ..store import Corpus, insert_findings, translate_errors
from .fidelity import COMPARED_TYPES, Finding, UnitMention, unit_findings
from .pairing import (
    DEFAULT_THRESHOLD,
    DocFeatures,
    Pair,
    candidates_by_source,
    feature_weights,
    features_of,
    one_to_one,
    score_pair,
)
from .units import Link, Unit, align_units, anchors_of

MAX_PUBLICATION_GAP_DAYS = 7  # a translation appears within days of its original
# Mention types whose canonical values are the same in both languages.
CROSSING_TYPES = ("country", "org", "place", "date", "money", "quantity", "duration")
_UNIT_CACHE = 4096  # documents whose paragraph units are kept while candidates are verified
_STAGED = ("pairs", "alignments", "findings")  # tables `align` rewrites (see _store)


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
    docs = (corpus.resolve(d) for d in doc_ids) if doc_ids else corpus.documents()
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

    Memory grows with the number of documents and candidates, not with their texts:
    candidates are verified one English document at a time with a bounded cache of
    units, each keeping its score, fit and links packed in a string until assignment;
    the pairs assigned are then completed (evidence, sentence links, findings) one at a
    time. So with `store`, the pairs returned leave out their links and sentence links:
    those are in the corpus (`stored_pairs`, `side_by_side`).
    """
    # Kept until the end, and a few objects per document: not re-scanned by every full
    # collection while candidates are verified (in the CLI; see heap).
    with heap.loading():
        features = corpus_features(corpus, doc_ids)
    verified = _verified(corpus, features, threshold)
    by_id = {f.id: f for f in features}
    weights = feature_weights(features)
    aligned = (_aligned(corpus, pair, verified[pair], by_id, weights) for pair in one_to_one(list(verified)))
    if not store:
        return list(aligned)
    return _store(corpus, aligned, doc_ids)


def _verified(corpus: Corpus, features: Sequence[DocFeatures], threshold: float) -> dict[Pair, tuple[float, str]]:
    """Candidate pairs whose score with their paragraph alignment reaches `threshold`
    (without evidence), with their alignment fit and packed paragraph links."""
    # Consecutive English documents share candidates (see candidates_by_source): the units
    # of the documents seen last are worth keeping, those of every document are not.
    units = lru_cache(maxsize=_UNIT_CACHE)(partial(units_of, corpus))
    verified = {}
    for group in candidates_by_source(features):
        for candidate in group:
            pair, fit, links = _verify(candidate, units(candidate.source), units(candidate.translation))
            if pair.score >= threshold:
                verified[Pair(pair.source, pair.translation, pair.score)] = (fit, _pack(links))
    return verified


def _verify(
    candidate: Pair, source: tuple[list[int], list[Unit]], target: tuple[list[int], list[Unit]]
) -> tuple[Pair, float, tuple[Link, ...]]:
    """A candidate rescored with how well its documents' units (from `units_of`) align:
    the pair, the fit, and the links by paragraph number."""
    (src_numbers, src_units), (tgt_numbers, tgt_units) = source, target
    links = align_units(src_units, tgt_units)
    fit = alignment_fit(links, len(src_units), len(tgt_units))
    numbered = tuple(
        Link(tuple(src_numbers[i] for i in link.source), tuple(tgt_numbers[j] for j in link.target), link.score)
        for link in links
    )
    return _rescored(candidate, fit), fit, numbered


def _rescored(candidate: Pair, fit: float) -> Pair:
    """The pair score: the feature score and the alignment fit together."""
    score = round((candidate.score + fit) / 2 * context_factor(candidate), 4)
    evidence = {**candidate.evidence, "features": candidate.score, "alignment_fit": round(fit, 4)}
    return Pair(candidate.source, candidate.translation, score, evidence)


def _aligned(
    corpus: Corpus,
    pair: Pair,
    packed: tuple[float, str],
    features: dict[str, DocFeatures],
    weights: dict[str, float],
) -> AlignedPair:
    """An assigned pair with its evidence (scored again from the features: the same
    result), paragraph links and sentence links."""
    fit, links = packed
    pair = _rescored(score_pair(features[pair.source], features[pair.translation], weights), fit)
    item = AlignedPair(pair, corpus.resolve(pair.source).file, corpus.resolve(pair.translation).file, _unpack(links))
    return replace(item, sentence_links=_sentence_links(corpus, item))


def _pack(links: Sequence[Link]) -> str:
    """Links as one string, `1,2|1|-0.25` per link (exact scores): about a tenth of the
    memory of Link objects, for the many pairs that wait for assignment."""
    return ";".join(f"{_units(link.source)}|{_units(link.target)}|{link.score!r}" for link in links)


def _unpack(packed: str) -> tuple[Link, ...]:
    """The links `_pack` wrote."""
    links = []
    for part in packed.split(";") if packed else ():
        source, target, score = part.split("|")
        links.append(Link(_numbers(source), _numbers(target), float(score)))
    return tuple(links)


def _numbers(units: str) -> tuple[int, ...]:
    return tuple(int(n) for n in units.split(",") if n)


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
    for s in corpus.sentences(doc_id):
        piece = text[s.start : s.end]
        out.setdefault(s.paragraph, []).append((s.n, Unit(piece, anchors_of(piece))))
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


def _store(corpus: Corpus, aligned: Iterable[AlignedPair], doc_ids: Sequence[str] | None) -> list[AlignedPair]:
    """Replace the stored pairs (of `doc_ids`, or all) by `aligned`, with their links and
    findings; the pairs are returned without their links.

    Rows go to temporary tables as the pairs are aligned (SQLite spills them to disk, and
    they lock nothing); the corpus is locked only to swap them in.
    """
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn, stored = corpus.conn, []
    with translate_errors(corpus.path):
        try:
            for table in _STAGED:
                conn.execute(f"CREATE TEMP TABLE staged_{table} AS SELECT * FROM main.{table} WHERE 0")
            for item in aligned:
                _stage(conn, item, pair_findings(corpus, item), now)
                stored.append(replace(item, links=(), sentence_links=()))
            with corpus.transaction():
                _delete_pairs(corpus, conn, doc_ids)
                conn.execute("INSERT OR REPLACE INTO main.pairs SELECT * FROM staged_pairs")
                conn.execute("INSERT INTO main.alignments SELECT * FROM staged_alignments")
                _insert_staged_findings(conn, now)
        finally:
            for table in _STAGED:
                conn.execute(f"DROP TABLE IF EXISTS temp.staged_{table}")
    return stored


def _stage(conn: sqlite3.Connection, item: AlignedPair, findings: list[Finding], now: str) -> None:
    """One pair, its paragraph and sentence links and its findings, into the staging tables."""
    p = item.pair
    conn.execute(
        "INSERT INTO staged_pairs (source_id, translation_id, score, evidence, aligned_at) VALUES (?, ?, ?, ?, ?)",
        (p.source, p.translation, p.score, json.dumps(p.evidence), now),
    )
    for level, links in (("paragraph", item.links), ("sentence", item.sentence_links)):
        conn.executemany(
            "INSERT INTO staged_alignments (source_id, translation_id, level, n, source_units, target_units, score)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (p.source, p.translation, level, n, _units(link.source), _units(link.target), round(link.score, 4))
                for n, link in enumerate(links, 1)
            ],
        )
    conn.executemany(  # sides as plain JSON here: insert_findings writes them its own way
        "INSERT INTO staged_findings (id, verdict, subject, predicate, sides, docs) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (f.id, f.verdict, f.subject, f.predicate, json.dumps([s.as_dict() for s in f.sides]), _doc_list(f))
            for f in findings
        ],
    )


def _doc_list(finding: Finding) -> str:
    return " ".join(side.doc_id for side in finding.sides)


def _insert_staged_findings(conn: sqlite3.Connection, now: str) -> None:
    """The staged findings into the corpus, a batch at a time, as store.insert_findings writes them."""
    rows = conn.execute("SELECT id, verdict, subject, predicate, sides, docs FROM staged_findings ORDER BY rowid")
    while batch := rows.fetchmany(1000):
        insert_findings(conn, ((i, v, s, p, json.loads(sides), docs.split()) for i, v, s, p, sides, docs in batch), now)


def _delete_pairs(corpus: Corpus, conn: sqlite3.Connection, doc_ids: Sequence[str] | None) -> None:
    """Forget the pairs (and translation findings) of `doc_ids`, or all of them."""
    if not doc_ids:
        conn.execute("DELETE FROM pairs")
        conn.execute("DELETE FROM findings WHERE verdict = 'translation'")
        return
    ids = [corpus.resolve(d).id for d in doc_ids]
    marks = ",".join("?" * len(ids))
    conn.execute(f"DELETE FROM pairs WHERE source_id IN ({marks}) OR translation_id IN ({marks})", (*ids, *ids))
    for doc_id in ids:
        conn.execute(
            "DELETE FROM findings WHERE verdict = 'translation' AND ' ' || docs || ' ' LIKE ?",
            (f"% {doc_id} %",),
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
            spans = [(s.n, s.start, s.end) for s in corpus.sentences(doc.id)]
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
