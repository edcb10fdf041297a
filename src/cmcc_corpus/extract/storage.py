"""Storing and reading extraction results (mentions, claims) in the corpus."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from ..store import Corpus, translate_errors
from .pipeline import PIPELINE_VERSION
from .records import CLAIM_COLUMNS, MENTION_COLUMNS, Extraction, Value
from .run import ArticleInput


def stored_number(value: Value) -> float | None:
    """The numeric column of a stored value (None for text, dates and booleans)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def stored_text(value: Value) -> str:
    """The text column of a stored value (`200`, not `200.0`)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def save(conn: sqlite3.Connection, doc_id: str, extraction: Extraction, profile_key: str, new: bool = False) -> None:
    """Replace a document's mentions and claims (inside the caller's transaction); `new`: the
    document was stored in this transaction, so it has none to delete."""
    if not new:
        conn.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM claims WHERE doc_id = ?", (doc_id,))
    conn.executemany(
        f"INSERT INTO mentions (doc_id, {', '.join(_quoted(MENTION_COLUMNS))})"
        f" VALUES ({', '.join('?' * (len(MENTION_COLUMNS) + 1))})",
        [
            (
                doc_id,
                m.type,
                stored_text(m.value),
                stored_number(m.value),
                m.unit,
                m.qualifier,
                m.en,
                m.text,
                m.start,
                m.end,
                m.sentence,
                m.rule,
                m.confidence,
                int(m.derived),
                int(m.partial),
            )
            for m in extraction.mentions
        ],
    )
    conn.executemany(
        f"INSERT INTO claims (doc_id, {', '.join(_quoted(CLAIM_COLUMNS))})"
        f" VALUES ({', '.join('?' * (len(CLAIM_COLUMNS) + 1))})",
        [
            (
                doc_id,
                c.subject,
                c.predicate,
                stored_text(c.value),
                stored_number(c.value),
                c.unit,
                c.qualifier,
                int(c.derived),
                c.modality,
                c.as_of,
                c.text,
                c.start,
                c.end,
                c.sentence,
                c.rule,
                c.confidence,
            )
            for c in extraction.claims
        ],
    )
    conn.execute(
        "INSERT OR REPLACE INTO extractions (doc_id, pipeline_version, profile, extracted_at) VALUES (?, ?, ?, ?)",
        (doc_id, PIPELINE_VERSION, profile_key, datetime.now(UTC).isoformat(timespec="seconds")),
    )


def _quoted(columns: Iterable[str]) -> list[str]:
    return [f'"{c}"' for c in columns]


def pending(corpus: Corpus, everything: bool, profile_key: str) -> list[str]:
    """Ids of documents whose extraction is missing or stale (all with `everything`)."""
    sql = "SELECT d.id FROM documents d LEFT JOIN extractions e ON e.doc_id = d.id"
    args: tuple[str, ...] = ()
    if not everything:
        sql += " WHERE e.doc_id IS NULL OR e.pipeline_version != ? OR e.profile != ?"
        args = (PIPELINE_VERSION, profile_key)
    with translate_errors(corpus.path):
        return [r[0] for r in corpus.conn.execute(sql + " ORDER BY d.rowid", args)]


def article_input(corpus: Corpus, doc_id: str) -> ArticleInput:
    """Everything extraction needs about one stored document."""
    doc = corpus.resolve(doc_id)
    paragraphs = [(p.start, p.end, p.kind) for p in corpus.paragraphs(doc.id)]
    sentences = [(s.start, s.end) for s in corpus.sentences(doc.id)]
    return ArticleInput(corpus.text(doc.id), doc.lang, paragraphs, sentences, doc.published, doc.source)


def _rows(corpus: Corpus, table: str, columns: tuple[str, ...], where: dict[str, Any]) -> Iterator[dict[str, Any]]:
    clauses = [f"x.{k} = ?" if k != "lang" else "d.lang = ?" for k, v in where.items() if v is not None]
    args = [v for v in where.values() if v is not None]
    sql = (
        f"SELECT x.doc_id, d.file, d.lang, d.source, d.published, {', '.join('x.' + c for c in _quoted(columns))}"
        f" FROM {table} x JOIN documents d ON d.id = x.doc_id"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " ORDER BY d.published IS NULL, d.published, d.file, x.start"
    )
    names = ("doc_id", "file", "lang", "source", "published", *columns)
    with translate_errors(corpus.path):
        for row in corpus.conn.execute(sql, args):
            record = dict(zip(names, row, strict=True))
            if record.get("value_num") is not None:
                num = record["value_num"]
                record["value"] = int(num) if float(num).is_integer() else num
            record.pop("value_num", None)
            yield record


def mentions(
    corpus: Corpus,
    *,
    type: str | None = None,
    lang: str | None = None,  # noqa: A002
    doc_id: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Stored mentions as plain records (with their document's file, language and source)."""
    return _rows(corpus, "mentions", MENTION_COLUMNS, {"type": type, "lang": lang, "doc_id": doc_id})


def claims(
    corpus: Corpus, *, subject: str | None = None, predicate: str | None = None, doc_id: str | None = None
) -> Iterator[dict[str, Any]]:
    """Stored claims as plain records (with their document's file, language and source)."""
    return _rows(corpus, "claims", CLAIM_COLUMNS, {"subject": subject, "predicate": predicate, "doc_id": doc_id})
