"""The corpus store: schema, migrations on open, refusing files that are not a corpus."""

from __future__ import annotations

import json
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
    "layouts": ["doc_id", "paragraphs", "sentences"],
    "paragraphs": ["doc_id", "n", "start", "end", "kind"],
    "sentences": ["doc_id", "n", "paragraph", "start", "end"],
    "sketches": ["key", "doc_id"],
    "sketch_postings": ["key", "doc"],
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
VIEWS = {"paragraphs", "sentences", "sketches"}  # over layouts and sketch_postings, for SQL users of the first schema
TRIGGERS = {"documents_sketch_postings"}  # a rowid cannot be a foreign key
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
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert views == VIEWS
    assert tables == set(SCHEMA) - VIEWS
    for table, columns in SCHEMA.items():
        assert [r[1] for r in conn.execute(f"PRAGMA table_info({table})")] == columns
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert indexes == INDEXES
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")} == TRIGGERS
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


def _corpus_of_schema(path: Path, version: int) -> sqlite3.Connection:
    """A new corpus file as cmcc-corpus left it at schema `version` (its first migrations)."""
    conn = sqlite3.connect(path)
    for _, sql in MIGRATIONS[:version]:
        conn.executescript(sql)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    return conn


def _store_document(conn: sqlite3.Connection, doc_id: str) -> None:
    conn.execute(
        "INSERT INTO documents (id, file, path, format, lang, lang_confidence, lang_method, ingested_at,"
        " words, text) VALUES (?, ?, ?, 'txt', 'en', 1.0, 'script', '2026-01-01', 10, ?)",
        (doc_id, f"{doc_id}.txt", f"/in/{doc_id}.txt", "x" * 60),
    )


def test_a_corpus_of_the_third_schema_keeps_every_paragraph_and_sentence(tmp_path: Path) -> None:
    """m004 moves paragraph and sentence rows into one layout row per document; the old
    tables become views that give back the same rows."""
    path = tmp_path / "v3.db"
    conn = _corpus_of_schema(path, 3)
    paragraphs = {"v1-a": [(1, 0, 5, "title"), (2, 7, 40, "body"), (3, 41, 60, "body")], "v1-b": [(1, 0, 9, "body")]}
    sentences = {"v1-a": [(1, 1, 0, 5), (2, 2, 7, 20), (3, 2, 21, 40), (4, 3, 41, 60)], "v1-b": []}
    for doc_id in paragraphs:
        _store_document(conn, doc_id)
        # Inserted out of order: the layout keeps the paragraph and sentence order, not the row order.
        conn.executemany(
            'INSERT INTO paragraphs (doc_id, n, start, "end", kind) VALUES (?, ?, ?, ?, ?)',
            [(doc_id, *p) for p in reversed(paragraphs[doc_id])],
        )
        conn.executemany(
            'INSERT INTO sentences (doc_id, n, paragraph, start, "end") VALUES (?, ?, ?, ?, ?)',
            [(doc_id, *s) for s in reversed(sentences[doc_id])],
        )
    conn.commit()
    conn.close()

    with Corpus.open(path, write=True) as corpus:
        for doc_id in paragraphs:
            assert [(p.n, p.start, p.end, p.kind) for p in corpus.paragraphs(doc_id)] == paragraphs[doc_id]
            assert [(s.n, s.paragraph, s.start, s.end) for s in corpus.sentences(doc_id)] == sentences[doc_id]
            assert corpus.sentence_count(doc_id) == len(sentences[doc_id])
        view = corpus.conn.execute('SELECT doc_id, n, start, "end", kind FROM paragraphs ORDER BY doc_id, n')
        assert view.fetchall() == [(d, *p) for d in sorted(paragraphs) for p in paragraphs[d]]
        view = corpus.conn.execute('SELECT doc_id, n, paragraph, start, "end" FROM sentences ORDER BY doc_id, n')
        assert view.fetchall() == [(d, *s) for d in sorted(sentences) for s in sentences[d]]
        # Deleting a document still takes its layout with it.
        corpus.conn.execute("DELETE FROM documents WHERE id = 'v1-a'")
        assert corpus.conn.execute("SELECT count(*) FROM paragraphs WHERE doc_id = 'v1-a'").fetchone()[0] == 0
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_corpus_of_the_fifth_schema_keeps_its_layouts_in_storage_order(tmp_path: Path) -> None:
    """m006 moves the layouts out of a B-tree keyed by content hash into a table appended in
    storage order: every row keeps its spans, new documents append after the old ones, and
    deleting a document still takes its layout with it."""
    path = tmp_path / "v5.db"
    conn = _corpus_of_schema(path, 5)
    stored = ["v1-c", "v1-a", "v1-b"]  # storage order, not the id order the old table kept
    for i, doc_id in enumerate(stored):
        _store_document(conn, doc_id)
        conn.execute(
            "INSERT INTO layouts (doc_id, paragraphs, sentences) VALUES (?, ?, ?)",
            (doc_id, json.dumps([[1, 0, 20 + i, "body"]]), json.dumps([[1, 1, 0, 20 + i]])),
        )
    conn.commit()
    assert conn.execute("SELECT doc_id FROM layouts").fetchall() == [("v1-a",), ("v1-b",), ("v1-c",)]
    conn.close()

    with Corpus.open(path, write=True) as corpus:
        for i, doc_id in enumerate(stored):
            assert [(p.n, p.start, p.end, p.kind) for p in corpus.paragraphs(doc_id)] == [(1, 0, 20 + i, "body")]
            assert [(s.n, s.paragraph, s.start, s.end) for s in corpus.sentences(doc_id)] == [(1, 1, 0, 20 + i)]
        # A rowid table now (WITHOUT ROWID has no rowid), its rows in the documents' order.
        rows = corpus.conn.execute("SELECT doc_id FROM layouts ORDER BY rowid").fetchall()
        assert [r[0] for r in rows] == stored
        view = corpus.conn.execute('SELECT doc_id, "end" FROM paragraphs ORDER BY doc_id').fetchall()
        assert view == [("v1-a", 21), ("v1-b", 22), ("v1-c", 20)]
        corpus.conn.execute("DELETE FROM documents WHERE id = 'v1-a'")
        assert corpus.conn.execute("SELECT count(*) FROM layouts WHERE doc_id = 'v1-a'").fetchone()[0] == 0
        assert corpus.conn.execute("SELECT count(*) FROM layouts").fetchone()[0] == 2
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


# The sketches table as the first four schemas had it (m001).
_V4_SKETCHES = """
    CREATE TABLE sketches (
        key INTEGER NOT NULL,
        doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        PRIMARY KEY (key, doc_id)
    ) WITHOUT ROWID;
"""


def test_a_corpus_of_the_fourth_schema_keeps_its_near_duplicate_postings(  # type: ignore[no-untyped-def]
    run, db: Path, samples: Path, tmp_path: Path
) -> None:
    """m005 re-keys the sketch postings by document rowid: a story stored before the migration
    is still found when a re-publication of it arrives after, and the old table is a view."""
    original = samples / "001_71d2b15bbf6c0817.txt"
    assert run("ingest", str(original), "--no-extract").exit_code == 0
    conn = sqlite3.connect(db)
    before = conn.execute("SELECT key, doc_id FROM sketches ORDER BY key").fetchall()
    assert len(before) >= 2
    # Back to the fourth schema's shape, as a corpus written before m005 has it.
    conn.executescript(
        "CREATE TABLE old AS SELECT key, doc_id FROM sketches; DROP VIEW sketches;"
        " DROP TRIGGER documents_sketch_postings; DROP TABLE sketch_postings;"
        + _V4_SKETCHES
        + " INSERT INTO sketches SELECT key, doc_id FROM old; DROP TABLE old; PRAGMA user_version = 4;"
    )
    conn.close()

    edited = tmp_path / "republished.txt"
    edited.write_text(original.read_text().replace("14 countries", "15 countries"))
    result = run("ingest", str(edited), "--no-extract", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["near_duplicates"] == 1
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    (doc_id,) = {d for _, d in before}
    kept = conn.execute("SELECT key, doc_id FROM sketches WHERE doc_id = ? ORDER BY key", (doc_id,))
    assert kept.fetchall() == before
    # Deleting a document takes its postings with it (the trigger), and only its own.
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    assert conn.execute("SELECT count(*) FROM sketches WHERE doc_id = ?", (doc_id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(DISTINCT doc) FROM sketch_postings").fetchone()[0] == 1


def test_vacuum_keeps_the_rowids_that_postings_and_search_refer_to(  # type: ignore[no-untyped-def]
    run, db: Path, samples: Path, tmp_path: Path
) -> None:
    """Sketch postings and the search index are keyed by document rowid, which SQLite's manual
    says VACUUM *may* renumber (no INTEGER PRIMARY KEY): measured here instead of assumed."""
    original = samples / "001_71d2b15bbf6c0817.txt"
    assert run("ingest", str(samples / "000_f0c207929c95f00c.txt"), str(original), "--no-extract").exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM documents WHERE file = '000_f0c207929c95f00c.txt'")  # a gap in the rowids
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    edited = tmp_path / "republished.txt"
    edited.write_text(original.read_text().replace("14 countries", "15 countries"))
    result = run("ingest", str(edited), "--no-extract", "--format", "json")
    assert json.loads(result.stdout)["near_duplicates"] == 1
    found = json.loads(run("search", "Hawkins", "--format", "json").stdout)
    assert {hit["file"] for hit in found} == {original.name, edited.name}
