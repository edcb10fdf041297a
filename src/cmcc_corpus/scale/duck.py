"""Compare and pair over a Parquet dataset with DuckDB: SQL does the reading, grouping and
ordering; Python judges values and verifies pairs exactly as it does over the corpus.

Documents are deduplicated like the corpus does (one copy per content id, the first in
input order), and rows come out in the corpus's order, so `compare --dataset` and
`align --dataset` print what `compare` and `align` print over a corpus of the same articles.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..align.pairing import DocFeatures, Pair, candidate_pairs, features_of, one_to_one
from ..align.service import CROSSING_TYPES, alignment_fit, context_factor
from ..align.units import Unit, align_units, anchors_of
from ..compare import VERDICTS, CompareOptions, Finding, claim_side, judge, merge_subjects
from ..extract.records import CLAIM_COLUMNS
from .dataset import SCHEMAS, TABLES, read_info, shard_files

# The corpus lists claims by publication, file and offset; ties keep the order they were
# stored in, which is the order the dataset's rows were written in.
_CORPUS_ORDER = "d.published IS NULL, d.published, d.file, c.start, d.shard_index, d.position, c.file_row_number"


@contextmanager
def open_dataset(directory: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB over the dataset: views `documents` (one copy per id), `mentions`, `claims`."""
    read_info(directory)
    con = duckdb.connect()
    try:
        for table in TABLES:
            files = [str(p) for p in shard_files(directory, table)]
            if files:
                con.read_parquet(files, file_row_number=True).create_view(f"{table}_all")
            else:
                empty = SCHEMAS[table].append(pa.field("file_row_number", pa.int64())).empty_table()
                con.register(f"{table}_all", empty)
        con.execute(
            "CREATE VIEW documents AS SELECT * EXCLUDE (copy) FROM (SELECT *, row_number() OVER"
            " (PARTITION BY id ORDER BY shard_index, position, shard) AS copy FROM documents_all) WHERE copy = 1"
        )
        for table in ("mentions", "claims"):
            con.execute(
                f"CREATE VIEW {table} AS SELECT c.* FROM {table}_all c"
                " JOIN documents d ON c.shard = d.shard AND c.position = d.position"
            )
        yield con
    finally:
        con.close()


def document_paths(directory: Path) -> dict[str, str]:
    """Document id -> path as read (for SARIF locations)."""
    with open_dataset(directory) as con:
        return dict(con.execute("SELECT id, path FROM documents").fetchall())


def compare_dataset(directory: Path, options: CompareOptions) -> list[dict[str, Any]]:
    """Findings over a dataset's claims, equal to `compare` over a corpus of the same articles.

    DuckDB orders the claims as the corpus does and groups them by (subject, predicate,
    unit); each group reaches Python whole, and `judge` compares values pairwise only in
    groups stating several distinct values.
    """
    with open_dataset(directory) as con:
        _ordered_claims(con)
        subjects = sorted(s for (s,) in con.execute("SELECT DISTINCT subject FROM ordered").fetchall())
        canonical = merge_subjects(subjects)
        con.register("heads", pa.table({"subject": list(canonical), "head": [h for h, _ in canonical.values()]}))
        variants: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for spelling, (head, score) in canonical.items():
            if spelling != head:
                variants[head].append((spelling, score))
        findings = list(_findings(con, options, variants))
    findings.sort(key=lambda f: (VERDICTS.index(f.verdict), f.subject, f.predicate))
    return [f.as_dict() for f in findings]


def _ordered_claims(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f'c."{c}"' for c in CLAIM_COLUMNS)
    con.execute(
        f"CREATE TEMP TABLE ordered AS SELECT row_number() OVER (ORDER BY {_CORPUS_ORDER}) AS ord,"
        f" c.doc_id, d.file, d.lang, d.source, d.published, {columns}"
        " FROM claims c JOIN documents d ON c.shard = d.shard AND c.position = d.position"
    )


def _findings(
    con: duckdb.DuckDBPyConnection, options: CompareOptions, variants: dict[str, list[tuple[str, float]]]
) -> Iterator[Finding]:
    """One finding per group, groups in order of their first claim (as `compare` builds them)."""
    cursor = con.execute(
        "WITH keyed AS (SELECT h.head, o.* FROM ordered o JOIN heads h USING (subject)),"
        " groups AS (SELECT head, predicate, unit, min(ord) AS grp FROM keyed GROUP BY head, predicate, unit)"
        " SELECT g.grp, k.* EXCLUDE (ord) FROM keyed k JOIN groups g ON k.head = g.head"
        " AND k.predicate = g.predicate AND k.unit IS NOT DISTINCT FROM g.unit ORDER BY g.grp, k.ord"
    )
    names = [d[0] for d in cursor.description]
    for _, group in groupby(_records(cursor, names), key=lambda r: r["grp"]):
        rows = list(group)
        head, predicate, unit = rows[0]["head"], rows[0]["predicate"], rows[0]["unit"]
        sides = tuple(claim_side(r) for r in rows)
        verdict, note = judge(predicate, sides, options)
        yield Finding(verdict, head, predicate, unit, sides, note, tuple(sorted(variants.get(head, ()))))


def _records(cursor: duckdb.DuckDBPyConnection, names: list[str]) -> Iterator[dict[str, Any]]:
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            record = dict(zip(names, row, strict=True))
            num = record.pop("value_num")
            if num is not None:
                record["value"] = int(num) if float(num).is_integer() else num
            yield record


# -- pairing -------------------------------------------------------------------------------


def align_dataset(directory: Path, threshold: float) -> list[dict[str, Any]]:
    """Translation pairs of a dataset's articles with their paragraph links, best first, in the
    form `align` prints (nothing is stored: a dataset is read-only here).

    Features come from two bulk queries instead of the corpus's per-document lookups; the
    verification of candidates mirrors `align.service.align_corpus`.
    """
    with open_dataset(directory) as con:
        docs = _documents(con)
        features = _features(con, docs)
    units: dict[str, tuple[list[int], list[Unit]]] = {}
    verified: dict[tuple[str, str], tuple[Pair, list[list[int]]]] = {}
    for candidate in candidate_pairs(features):
        for doc_id in (candidate.source, candidate.translation):
            if doc_id not in units:
                units[doc_id] = _units(docs[doc_id])
        (src_numbers, src_units), (tgt_numbers, tgt_units) = units[candidate.source], units[candidate.translation]
        links = align_units(src_units, tgt_units)
        fit = alignment_fit(links, len(src_units), len(tgt_units))
        score = round((candidate.score + fit) / 2 * context_factor(candidate), 4)
        evidence = {**candidate.evidence, "features": candidate.score, "alignment_fit": round(fit, 4)}
        pair = Pair(candidate.source, candidate.translation, score, evidence)
        linked = [[src_numbers[i], tgt_numbers[j]] for link in links for i in link.source for j in link.target]
        verified[(pair.source, pair.translation)] = (pair, linked)
    kept = one_to_one([p for p, _ in verified.values() if p.score >= threshold])
    kept.sort(key=lambda p: (-p.score, p.source, p.translation))
    return [_pair_record(p, docs, verified[(p.source, p.translation)][1]) for p in kept]


def _documents(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Every document's fields pairing needs, in the corpus's listing order."""
    cursor = con.execute(
        "SELECT id, file, lang, published, text, paragraphs FROM documents"
        " ORDER BY published IS NULL, published, file, id"
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _features(con: duckdb.DuckDBPyConnection, docs: dict[str, dict[str, Any]]) -> list[DocFeatures]:
    """What `align.service.corpus_features` reads per document, from one query over mentions."""
    entities: dict[str, list[tuple[int, str]]] = defaultdict(list)
    names: dict[str, set[str]] = defaultdict(set)
    kinds = ", ".join(f"'{k}'" for k in (*CROSSING_TYPES, "person"))
    for doc_id, start, kind, value, en in con.execute(
        f"SELECT doc_id, start, type, value, en FROM mentions WHERE type IN ({kinds})"
    ).fetchall():
        if kind != "person":
            entities[doc_id].append((start, f"{kind}:{value}"))
            continue
        names[doc_id].add(en if en is not None else value)
        if en is not None or (value[:1].isascii() and value[:1].isalpha()):  # a Latin-script name as written
            entities[doc_id].append((start, f"person:{en if en is not None else value}"))
    return [
        features_of(
            doc_id,
            doc["lang"],
            doc["text"],
            entities.get(doc_id, []),
            sum(p["kind"] != "front_matter" for p in doc["paragraphs"]),
            doc["published"],
            names.get(doc_id, ()),
        )
        for doc_id, doc in docs.items()
    ]


def _units(doc: dict[str, Any]) -> tuple[list[int], list[Unit]]:
    """A document's paragraphs as alignment units, as `align.service.units_of` makes them."""
    text = doc["text"]
    paragraphs = [p for p in doc["paragraphs"] if p["kind"] != "front_matter"]
    return [p["n"] for p in paragraphs], [
        Unit(text[p["start"] : p["end"]], anchors_of(text[p["start"] : p["end"]])) for p in paragraphs
    ]


def _pair_record(pair: Pair, docs: dict[str, dict[str, Any]], units: list[list[int]]) -> dict[str, Any]:
    return {
        "source_id": pair.source,
        "source": docs[pair.source]["file"],
        "translation_id": pair.translation,
        "translation": docs[pair.translation]["file"],
        "score": pair.score,
        "evidence": json.loads(json.dumps(pair.evidence)),  # as stored and read back by the corpus
        "units": units,
    }
