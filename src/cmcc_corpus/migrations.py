"""Schema migrations, applied in order on open. Append only: never edit a shipped one."""

from __future__ import annotations

# The paragraph and sentence tables of the first schemas, as views over the layouts: created by
# m004, and again by m006 around its rebuild of the layouts table (the same text both times).
_LAYOUT_VIEWS = """
        CREATE VIEW paragraphs (doc_id, n, start, "end", kind) AS
            SELECT l.doc_id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
                json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')
            FROM layouts AS l, json_each(l.paragraphs) AS j;
        CREATE VIEW sentences (doc_id, n, paragraph, start, "end") AS
            SELECT l.doc_id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
                json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]')
            FROM layouts AS l, json_each(l.sentences) AS j;
"""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "m001_documents",
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,            -- 'v1-' + sha256 of the folded, space-collapsed text
            file TEXT NOT NULL,             -- file name as given (JSONL: name of the .jsonl)
            path TEXT NOT NULL,             -- where it was read from (JSONL: path:line)
            format TEXT NOT NULL,
            title TEXT,
            lang TEXT NOT NULL,
            lang_confidence REAL NOT NULL,
            lang_method TEXT NOT NULL,
            source TEXT,
            url TEXT,
            published TEXT,                 -- ISO 8601, partial allowed ('2025-10')
            published_basis TEXT,
            ingested_at TEXT NOT NULL,
            words INTEGER NOT NULL,
            text TEXT NOT NULL              -- exactly as read, after decoding
        );
        CREATE INDEX documents_file ON documents (file);
        CREATE INDEX documents_lang ON documents (lang, published);
        CREATE TABLE paragraphs (
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            kind TEXT NOT NULL,
            PRIMARY KEY (doc_id, n)
        ) WITHOUT ROWID;
        CREATE TABLE sentences (
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            paragraph INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            PRIMARY KEY (doc_id, n)
        ) WITHOUT ROWID;
        CREATE TABLE sketches (
            key INTEGER NOT NULL,
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            PRIMARY KEY (key, doc_id)
        ) WITHOUT ROWID;
        CREATE TABLE near_duplicates (
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            other_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            score REAL NOT NULL,
            PRIMARY KEY (doc_id, other_id)
        ) WITHOUT ROWID;
        CREATE VIRTUAL TABLE documents_fts USING fts5 (
            title, body, content='',
            tokenize='unicode61 remove_diacritics 2'
        );
        """,
    ),
    (
        "m002_mentions_claims",
        """
        CREATE TABLE extractions (
            doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
            pipeline_version TEXT NOT NULL,  -- re-run `extract --all` when it changes
            profile TEXT NOT NULL,           -- hash of the profile data used
            extracted_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            type TEXT NOT NULL,              -- country, person, org, place, date, quantity, money, duration
            value TEXT NOT NULL,             -- canonical: ISO alpha-3, name, ISO date, ISO duration, number
            value_num REAL,                  -- the number, for quantities and money
            unit TEXT,
            qualifier TEXT,
            en TEXT,
            text TEXT NOT NULL,              -- the exact quote
            start INTEGER NOT NULL,          -- offsets into documents.text
            "end" INTEGER NOT NULL,
            sentence INTEGER,
            rule TEXT NOT NULL,
            confidence REAL NOT NULL,
            derived INTEGER NOT NULL DEFAULT 0,
            partial INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX mentions_doc ON mentions (doc_id);
        CREATE INDEX mentions_value ON mentions (type, value);
        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            subject TEXT NOT NULL,
            predicate TEXT NOT NULL,
            value TEXT NOT NULL,
            value_num REAL,
            unit TEXT,
            qualifier TEXT,
            derived INTEGER NOT NULL DEFAULT 0,
            modality TEXT NOT NULL,
            as_of TEXT,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            sentence INTEGER,
            rule TEXT NOT NULL,
            confidence REAL NOT NULL
        );
        CREATE INDEX claims_key ON claims (subject, predicate, unit);
        CREATE INDEX claims_doc ON claims (doc_id);
        """,
    ),
    (
        "m003_translation_pairs",
        """
        CREATE TABLE pairs (
            source_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,       -- English
            translation_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,  -- Arabic
            score REAL NOT NULL,
            evidence TEXT NOT NULL,          -- JSON: shared features, overlap, order, shape
            aligned_at TEXT NOT NULL,
            PRIMARY KEY (source_id, translation_id)
        ) WITHOUT ROWID;
        CREATE TABLE alignments (
            source_id TEXT NOT NULL,
            translation_id TEXT NOT NULL,
            level TEXT NOT NULL,             -- paragraph | sentence
            n INTEGER NOT NULL,              -- position of the link in the alignment
            source_units TEXT NOT NULL,      -- 1-based unit numbers, comma-separated ('' = none)
            target_units TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (source_id, translation_id, level, n),
            FOREIGN KEY (source_id, translation_id) REFERENCES pairs (source_id, translation_id)
                ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE findings (
            id TEXT PRIMARY KEY,             -- stable: hash of verdict, subject, predicate, sides
            verdict TEXT NOT NULL,           -- translation (from alignment), and what compare adds
            subject TEXT,
            predicate TEXT,
            sides TEXT NOT NULL,             -- JSON list of sides with value, document, quote, offsets
            docs TEXT NOT NULL,              -- ids of the documents involved, space-separated
            created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX findings_verdict ON findings (verdict);
        """,
    ),
    (
        "m004_layouts",
        """
        -- One row per document instead of one per paragraph and per sentence: those rows were
        -- keyed by content hashes, so every document's ~35 of them landed on random pages of two
        -- ever larger B-trees, and storing slowed down as the corpus grew. The old tables are
        -- now views over this one, with the same columns, for anyone who queries them.
        CREATE TABLE layouts (
            doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
            paragraphs TEXT NOT NULL,        -- JSON: [[n, start, end, kind], ...] in order
            sentences TEXT NOT NULL          -- JSON: [[n, paragraph, start, end], ...] in order
        ) WITHOUT ROWID;
        INSERT INTO layouts (doc_id, paragraphs, sentences)
            SELECT d.id,
                (SELECT json_group_array(json_array(n, start, "end", kind))
                    FROM (SELECT * FROM paragraphs WHERE doc_id = d.id ORDER BY n)),
                (SELECT json_group_array(json_array(n, paragraph, start, "end"))
                    FROM (SELECT * FROM sentences WHERE doc_id = d.id ORDER BY n))
            FROM documents AS d;
        DROP TABLE paragraphs;
        DROP TABLE sentences;
        """
        + _LAYOUT_VIEWS,
    ),
    (
        "m005_sketch_postings",
        """
        -- Near-duplicate postings keyed by the document's rowid (as documents_fts is) instead of
        -- its 67-character id: the B-tree every new document searches and inserts into at random
        -- keys is about five times smaller, and a candidate's text is one rowid lookup away.
        -- Finding the candidates of a new document took 290 us at 30k documents, now 105.
        -- The old table is a view with the same columns.
        CREATE TABLE sketch_postings (
            key INTEGER NOT NULL,
            doc INTEGER NOT NULL,            -- documents.rowid, which documents_fts is keyed by too
            PRIMARY KEY (key, doc)
        ) WITHOUT ROWID;
        INSERT INTO sketch_postings (key, doc)
            SELECT s.key, d.rowid FROM sketches AS s JOIN documents AS d ON d.id = s.doc_id;
        DROP TABLE sketches;
        CREATE VIEW sketches (key, doc_id) AS
            SELECT p.key, d.id FROM sketch_postings AS p JOIN documents AS d ON d.rowid = p.doc;
        -- A rowid cannot be a foreign key: a deleted document's postings go with it here.
        CREATE TRIGGER documents_sketch_postings AFTER DELETE ON documents BEGIN
            DELETE FROM sketch_postings WHERE doc = old.rowid;
        END;
        """,
    ),
    (
        "m006_layouts_in_storage_order",
        """
        -- Layout rows appended in storage order instead of kept in a B-tree keyed by the
        -- document's content hash (WITHOUT ROWID): every new document's ~1 KB row went to a
        -- random page of a table a sixth of the corpus file's size, past the 32 MiB page cache
        -- from about 30k documents on. Only the id index (70 bytes a row) still takes random keys.
        -- Chunks of 10k documents ingested without extraction, alternately into two corpora
        -- growing to 100k: the last three chunks about 3 s (10%) faster each, once the cost of
        -- reading the chunk cold or warm is taken out; the file is 630 MB instead of 673.
        DROP VIEW paragraphs;
        DROP VIEW sentences;
        CREATE TABLE layouts_appended (
            doc_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
            paragraphs TEXT NOT NULL,        -- JSON: [[n, start, end, kind], ...] in order
            sentences TEXT NOT NULL          -- JSON: [[n, paragraph, start, end], ...] in order
        );
        INSERT INTO layouts_appended (doc_id, paragraphs, sentences)
            SELECT l.doc_id, l.paragraphs, l.sentences
            FROM documents AS d JOIN layouts AS l ON l.doc_id = d.id ORDER BY d.rowid;
        DROP TABLE layouts;
        ALTER TABLE layouts_appended RENAME TO layouts;
        """
        + _LAYOUT_VIEWS,
    ),
]
