"""The corpus store: schema, migrations on open, refusing files that are not a corpus."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cmcc_corpus.errors import CorpusUnusable, NotFound
from cmcc_corpus.migrations import MIGRATIONS
from cmcc_corpus.store import APPLICATION_ID, Corpus

# The exact columns of every table: a change here must come with a new migration.
SCHEMA = {
    "documents": [
        "id",
        "file",
        "path",
        "format",
        "title",
        "lang",
        "lang_confidence",
        "lang_method",
        "source",
        "url",
        "published",
        "published_basis",
        "ingested_at",
        "words",
        "text",
    ],
    "paragraphs": ["doc_id", "n", "start", "end", "kind"],
    "sentences": ["doc_id", "n", "paragraph", "start", "end"],
    "sketches": ["key", "doc_id"],
    "near_duplicates": ["doc_id", "other_id", "score"],
    "documents_fts": ["title", "body"],
    "extractions": ["doc_id", "pipeline_version", "profile", "extracted_at"],
    "mentions": [
        "id",
        "doc_id",
        "type",
        "value",
        "value_num",
        "unit",
        "qualifier",
        "en",
        "text",
        "start",
        "end",
        "sentence",
        "rule",
        "confidence",
        "derived",
        "partial",
    ],
    "claims": [
        "id",
        "doc_id",
        "subject",
        "predicate",
        "value",
        "value_num",
        "unit",
        "qualifier",
        "derived",
        "modality",
        "as_of",
        "text",
        "start",
        "end",
        "sentence",
        "rule",
        "confidence",
    ],
    "pairs": ["source_id", "translation_id", "score", "evidence", "aligned_at"],
    "alignments": ["source_id", "translation_id", "level", "n", "source_units", "target_units", "score"],
    "findings": ["id", "verdict", "subject", "predicate", "sides", "docs", "created_at"],
}
INDEXES = {
    "documents_file",
    "documents_lang",
    "mentions_doc",
    "mentions_value",
    "claims_key",
    "claims_doc",
    "findings_verdict",
}


def test_schema_is_pinned(db: Path) -> None:
    Corpus.open(db).close()
    conn = sqlite3.connect(db)
    tables = {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'documents_fts_%'")
    }
    assert tables == set(SCHEMA)
    for table, columns in SCHEMA.items():
        assert [r[1] for r in conn.execute(f"PRAGMA table_info({table})")] == columns
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert indexes == INDEXES
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopen_does_not_migrate_again(db: Path) -> None:
    Corpus.open(db).close()
    with Corpus.open(db) as corpus:
        assert corpus.count() == 0
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_text_file_given_as_db_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my precious notes\n")
    with pytest.raises(CorpusUnusable, match="not an SQLite database"):
        Corpus.open(path)
    assert path.read_text() == "my precious notes\n"


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CorpusUnusable, match="not a cmcc-corpus corpus"):
        Corpus.open(path, write=True)
    assert [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")] == ["t"]


def test_newer_schema_is_refused(db: Path) -> None:
    Corpus.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(CorpusUnusable, match="newer cmcc-corpus"):
        Corpus.open(db)


def test_missing_corpus_for_reading(tmp_path: Path) -> None:
    with pytest.raises(CorpusUnusable, match="no corpus here yet"):
        Corpus.open(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_resolve_by_prefix_and_file(ingested, db: Path) -> None:  # type: ignore[no-untyped-def]
    with Corpus.open(db) as corpus:
        doc = corpus.resolve("002_4acb3fe92059d304.txt")
        assert doc.lang == "ar"
        assert corpus.resolve(doc.id[3:11]).id == doc.id
        assert corpus.resolve(doc.id).id == doc.id
        with pytest.raises(NotFound):
            corpus.resolve("ffffffffffff")


def test_paragraph_and_sentence_offsets_are_into_the_stored_text(ingested, db: Path, samples: Path) -> None:  # type: ignore[no-untyped-def]
    with Corpus.open(db) as corpus:
        doc = corpus.resolve("000_f0c207929c95f00c.txt")
        text = corpus.text(doc.id)
        assert text == (samples / doc.file).read_text(encoding="utf-8")
        paragraphs = corpus.paragraphs(doc.id)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        assert len(paragraphs) == len(lines) == 24
        assert text[paragraphs[6].start : paragraphs[6].end] == lines[6]
        rows = corpus.conn.execute('SELECT start, "end" FROM sentences WHERE doc_id = ? ORDER BY n', (doc.id,))
        sentences = [text[s:e] for s, e in rows]
        assert (
            "Since its launch on October 17, the CMCC has engaged in extensive media outreach, including "
            "press conferences and guided tours to clarify its mission and highlight its role in advancing "
            "the Gaza peace plan."
            in sentences
        )


def test_a_batch_is_indexed_for_search_in_one_segment(ingested, db: Path) -> None:  # type: ignore[no-untyped-def]
    """Search terms go in after the batch's other rows: indexed between them, every document
    was an FTS5 segment of its own (flushed at each statement savepoint), merged again and
    again, which made storing an extraction cost more than the extraction's rows."""
    with Corpus.open(db) as corpus:
        segments = corpus.conn.execute("SELECT count(DISTINCT segid) FROM documents_fts_idx").fetchone()[0]
        assert segments == 1
        for doc in corpus.documents():  # and every document is found by its words
            words = [w for w in corpus.text(doc.id).split() if len(w) >= 7 and w.isalpha()]
            assert doc.id in {hit.document.id for hit in corpus.search(words[0], limit=50)}
