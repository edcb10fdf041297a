"""The corpus: one SQLite file (WAL, busy timeout, BEGIN IMMEDIATE writes, migrate on open)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import fuzz

from .article import Article
from .errors import CorpusUnusable, NotFound
from .migrations import MIGRATIONS
from .normalize import search_form

APPLICATION_ID = 0x434D4343  # "CMCC" in the SQLite header: marks a file as our corpus
DEFAULT_DB = "cmcc-corpus.db"
DB_ENV = "CMCC_CORPUS_DB"
NEAR_DUPLICATE_MIN = 90.0  # rapidfuzz ratio (0-100) at which a re-publication is linked
_NEAR_DUP_CHARS = 20_000  # compare at most this much text: bounded time for huge documents
_NEAR_DUP_CANDIDATES = 5  # documents compared with each new one, most similar sketches first
_CACHE_KIB = 32 * 1024  # SQLite page cache per connection
_NEAR_DUP_POSTINGS = 64  # documents read per sketch key: bounded work per new document
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WORD = re.compile(r"\w+")

OnNew = Callable[[sqlite3.Connection, Article], None]
DOC_FIELDS = (
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
)


def resolve_db_path(option: str | None) -> Path:
    """`--db`, else `$CMCC_CORPUS_DB`, else `./cmcc-corpus.db`."""
    return Path(option or os.environ.get(DB_ENV) or DEFAULT_DB)


@dataclass(frozen=True)
class Document:
    """A stored document's metadata (the text is fetched separately)."""

    id: str
    file: str
    path: str
    format: str
    title: str | None
    lang: str
    lang_confidence: float
    lang_method: str
    source: str | None
    url: str | None
    published: str | None
    published_basis: str | None
    ingested_at: str
    words: int


class StoredParagraph(NamedTuple):
    """A stored paragraph span and kind (a tuple: documents are read by the thousand)."""

    n: int
    start: int
    end: int
    kind: str


class StoredSentence(NamedTuple):
    """A stored sentence span and the paragraph it is in."""

    n: int
    paragraph: int
    start: int
    end: int


@dataclass(frozen=True)
class SearchHit:
    """A search result: the document and a snippet of its original text."""

    document: Document
    snippet: str
    rank: float


@dataclass(frozen=True)
class AddResult:
    """What happened to one article offered to the store."""

    article: Article
    status: str  # "new" or "duplicate"
    duplicate_of: str | None = None
    near_duplicates: tuple[tuple[str, float], ...] = ()


class Corpus:
    """An open corpus file. Use `Corpus.open(path)`; close it (or use `with`)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, create: bool = True, write: bool = False, timeout: float = 10.0) -> Corpus:
        """Open (creating and migrating if allowed) the corpus at `path`."""
        _check_file(path, create)
        if write:
            _check_permissions(path)
        try:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise CorpusUnusable(f"{path}: cannot open corpus ({exc})") from None
        corpus = cls(conn, path)
        try:
            with translate_errors(path):
                corpus._prepare(write)
        except BaseException:
            conn.close()
            raise
        return corpus

    def _prepare(self, write: bool) -> None:
        conn = self.conn
        conn.execute("PRAGMA foreign_keys = ON")
        # One statement, so one snapshot: read apart, another process creating the schema
        # in between would make a new corpus look like a foreign database.
        version, app_id, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT application_id FROM pragma_application_id), (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
        if version == 0:
            if tables:
                raise CorpusUnusable(
                    f"{self.path}: is an SQLite database but not a cmcc-corpus corpus;"
                    " refusing to touch it (choose another --db)"
                )
        elif app_id != APPLICATION_ID:
            raise CorpusUnusable(f"{self.path}: is not a cmcc-corpus corpus (choose another --db)")
        if version > len(MIGRATIONS):
            raise CorpusUnusable(f"{self.path}: written by a newer cmcc-corpus (schema {version}); upgrade cmcc-corpus")
        if write or version < len(MIGRATIONS):
            self._check_writable()
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        conn.execute("PRAGMA synchronous = NORMAL")
        # A fixed page cache larger than the 2 MB default: inserts keyed by content hashes land
        # on random pages, and a large corpus would otherwise re-read them for every batch.
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")

    def _check_writable(self) -> None:
        """Fail fast (exit 3) on a read-only or locked corpus, before any input is parsed."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            # SQLite opens a file it may not write read-only, and BEGIN IMMEDIATE still
            # succeeds: only a write tells. This one rewrites a header field unchanged and is
            # rolled back, so nothing reaches the file.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            self.conn.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            self.conn.execute("ROLLBACK")

    def _migrate(self) -> None:
        """Apply the missing migrations, one write transaction each.

        The version is read again under the write lock: another process may have migrated
        the file since it was opened (two first ingests into a new corpus at once).
        """
        while True:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= len(MIGRATIONS):
                    self.conn.execute("ROLLBACK")
                    return
                for statement in _statements(MIGRATIONS[version][1]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {version + 1}")
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE, COMMIT, or ROLLBACK on any exception."""
        with translate_errors(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def add_batch(self, articles: Sequence[Article], on_new: OnNew | None = None) -> list[AddResult]:
        """Store a batch of articles atomically; duplicates of stored ones add nothing.

        `on_new(conn, article)` runs inside the same transaction for each new article, so
        results derived from it (extraction) are committed with it or not at all.
        """
        results = []
        search_rows: list[tuple[int | None, str, str]] = []
        with self.transaction() as conn:
            for article in articles:
                result = self._add(conn, article, search_rows)
                if on_new is not None and result.status == "new":
                    on_new(conn, article)
                results.append(result)
            # Indexed last, all together: FTS5 writes its pending terms out as a new segment at
            # every statement savepoint, and an insert that may have to undo half its work
            # (INSERT OR REPLACE, foreign keys) opens one. Indexed between those, every
            # document became a segment of its own and FTS5 kept merging them: the
            # extraction's INSERT OR REPLACE cost 275 us a document, now 10.
            conn.executemany("INSERT INTO documents_fts (rowid, title, body) VALUES (?, ?, ?)", search_rows)
        return results

    def existing(self, ids: Sequence[str]) -> set[str]:
        """Which of these document ids are already stored."""
        found: set[str] = set()
        with translate_errors(self.path):
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in self.conn.execute(f"SELECT id FROM documents WHERE id IN ({marks})", chunk))
        return found

    def _add(self, conn: sqlite3.Connection, a: Article, search_rows: list[tuple[int | None, str, str]]) -> AddResult:
        cur = conn.execute(
            "INSERT OR IGNORE INTO documents (id, file, path, format, title, lang, lang_confidence,"
            " lang_method, source, url, published, published_basis, ingested_at, words, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                a.id,
                a.file,
                a.path,
                a.format,
                a.title,
                a.lang,
                a.lang_confidence,
                a.lang_method,
                a.source,
                a.url,
                a.published,
                a.published_basis,
                a.ingested_at,
                a.words,
                a.text,
            ),
        )
        if cur.rowcount == 0:
            return AddResult(a, "duplicate", duplicate_of=a.id)
        rowid = cur.lastrowid
        conn.execute(
            "INSERT INTO layouts (doc_id, paragraphs, sentences) VALUES (?, ?, ?)",
            (
                a.id,
                _compact([(p.n, p.start, p.end, p.kind) for p in a.paragraphs]),
                _compact([(s.n, s.paragraph, s.start, s.end) for s in a.sentences]),
            ),
        )
        search_rows.append((rowid, search_form(a.title or ""), a.search_text))
        near = self._link_near_duplicates(conn, a)  # before its own postings: it cannot find itself
        postings = [(k, rowid) for k in a.sketch]
        conn.executemany("INSERT OR IGNORE INTO sketch_postings (key, doc) VALUES (?, ?)", postings)
        return AddResult(a, "new", near_duplicates=near)

    def _link_near_duplicates(self, conn: sqlite3.Connection, a: Article) -> tuple[tuple[str, float], ...]:
        """Link re-publications with small edits (shared sketch keys, then rapidfuzz)."""
        if not a.sketch:
            return ()
        # The few documents sharing the most sketch keys: a story republished a hundred
        # times costs a handful of comparisons per new copy, not a hundred. Each key's
        # posting list is read only to a fixed depth (in storage order, the same for every
        # key, so copies of one story meet in the same first rows: the earliest ones): the
        # cost of a new document does not grow with the corpus.
        postings = " UNION ALL ".join(
            [f"SELECT doc FROM (SELECT doc FROM sketch_postings WHERE key = ? LIMIT {_NEAR_DUP_POSTINGS})"]
            * len(a.sketch)
        )
        candidates = conn.execute(
            f"SELECT d.id, d.text FROM (SELECT doc, count(*) AS shared FROM ({postings})"
            f" GROUP BY doc HAVING shared >= 2"
            f" ORDER BY shared DESC, doc LIMIT {_NEAR_DUP_CANDIDATES}) c"
            f" JOIN documents d ON d.rowid = c.doc WHERE d.lang = ?",
            (*a.sketch, a.lang),
        ).fetchall()
        # Same-language copies: the raw text is enough to score the edit. Lengths that differ
        # by more than the threshold allows cannot reach it, so they are not compared.
        mine = a.text[:_NEAR_DUP_CHARS]
        links = []
        for other_id, other_text in candidates:
            theirs = other_text[:_NEAR_DUP_CHARS]
            if min(len(mine), len(theirs)) / max(len(mine), len(theirs), 1) < NEAR_DUPLICATE_MIN / 100 - 0.1:
                continue
            score = fuzz.ratio(mine, theirs, score_cutoff=NEAR_DUPLICATE_MIN)
            if score >= NEAR_DUPLICATE_MIN:
                links.append((other_id, round(score, 1)))
                conn.execute(
                    "INSERT OR IGNORE INTO near_duplicates (doc_id, other_id, score) VALUES (?, ?, ?)",
                    (a.id, other_id, round(score, 1)),
                )
        return tuple(links)

    # -- reading -----------------------------------------------------------------------

    def count(self) -> int:
        """Number of stored documents."""
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def documents(self, lang: str | None = None, source: str | None = None) -> Iterator[Document]:
        """Stored documents, oldest publication first, optionally filtered."""
        where, args = _filters(lang=lang, source=source)
        sql = f"SELECT {', '.join(DOC_FIELDS)} FROM documents {where} ORDER BY published IS NULL, published, file, id"
        with translate_errors(self.path):
            for row in self.conn.execute(sql, args):
                yield Document(*row)

    def resolve(self, ref: str) -> Document:
        """The document named by an id, a unique id prefix, or a file name."""
        ref = ref.strip()
        key = ref if ref.startswith("v1-") else f"v1-{ref}"
        fields = ", ".join(DOC_FIELDS)
        with translate_errors(self.path):
            rows = (
                self.conn.execute(
                    f"SELECT {fields} FROM documents WHERE id >= ? AND id < ? LIMIT 3",
                    (key, key + "\uffff"),
                ).fetchall()
                if len(ref) >= 4
                else []
            )
            if not rows:
                rows = self.conn.execute(
                    f"SELECT {fields} FROM documents WHERE file = ? OR path = ? LIMIT 3", (ref, ref)
                ).fetchall()
        if not rows:
            raise NotFound(f"no document matches {ref!r} (use an id prefix from `cmcc-corpus list` or a file name)")
        if len(rows) > 1:
            raise NotFound(f"{ref!r} matches several documents; give more of the id")
        return Document(*rows[0])

    def text(self, doc_id: str) -> str:
        """The stored text of a document, exactly as read."""
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document {doc_id}")
        return str(row[0])

    def paragraphs(self, doc_id: str) -> list[StoredParagraph]:
        """Paragraph spans of a document, in order."""
        return list(map(StoredParagraph._make, self._layout(doc_id, "paragraphs")))

    def sentences(self, doc_id: str) -> list[StoredSentence]:
        """Sentence spans of a document, in order."""
        return list(map(StoredSentence._make, self._layout(doc_id, "sentences")))

    def sentence_count(self, doc_id: str) -> int:
        """Number of sentences stored for a document."""
        return len(self._layout(doc_id, "sentences"))

    def _layout(self, doc_id: str, column: str) -> list[list[Any]]:
        row = self.conn.execute(f"SELECT {column} FROM layouts WHERE doc_id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else []

    def near_duplicates(self, doc_id: str) -> list[tuple[str, float]]:
        """Documents linked to this one as near-duplicates, with their similarity."""
        rows = self.conn.execute(
            "SELECT other_id, score FROM near_duplicates WHERE doc_id = ?"
            " UNION SELECT doc_id, score FROM near_duplicates WHERE other_id = ?",
            (doc_id, doc_id),
        )
        return [(r[0], r[1]) for r in rows]

    def search(self, query: str, lang: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Full-text search in either language; the query is folded like the index."""
        terms = _WORD.findall(search_form(query))
        if not terms:
            return []
        match = " ".join(f'"{t}"' for t in terms)
        where, args = _filters(lang=lang)
        where = where.replace("WHERE", "AND")
        sql = (
            f"SELECT {', '.join('d.' + f for f in DOC_FIELDS)}, bm25(documents_fts) AS rank"
            f" FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
            f" WHERE documents_fts MATCH ? {where} ORDER BY rank LIMIT ?"
        )
        with translate_errors(self.path):
            rows = self.conn.execute(sql, (match, *args, limit)).fetchall()
            return [SearchHit(Document(*row[:-1]), _snippet(self.text(row[0]), terms), row[-1]) for row in rows]


def _filters(**values: str | None) -> tuple[str, tuple[str, ...]]:
    clauses = [f"{k} = ?" for k, v in values.items() if v]
    args = tuple(v for v in values.values() if v)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args


def _snippet(text: str, terms: list[str], width: int = 160) -> str:
    """A window of the original text around the first occurrence of the query."""
    from .normalize import fold

    folded = fold(text)
    lowered = folded.text.lower()
    phrase = lowered.find(" ".join(terms))
    at = phrase if phrase >= 0 else min((i for t in terms if (i := lowered.find(t)) >= 0), default=0)
    start = folded.to_original(max(0, at - width // 3))
    snippet = text[start : start + width].replace("\n", " ").strip()
    return ("…" if start > 0 else "") + snippet + ("…" if start + width < len(text) else "")


def _compact(rows: list[tuple[Any, ...]]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (a ';' inside a comment or string does not count)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _check_file(path: Path, create: bool) -> None:
    """Refuse, before SQLite touches it, anything that is not a corpus file we may use."""
    if path.is_dir():
        raise CorpusUnusable(f"{path}: is a directory, not a corpus file")
    if not path.exists():
        if not create:
            raise CorpusUnusable(f"{path}: no corpus here yet (create one with `cmcc-corpus --db {path} ingest FILES`)")
        if not path.parent.exists():
            raise CorpusUnusable(f"{path}: directory {path.parent} does not exist")
        return
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block the read below forever
            raise CorpusUnusable(f"{path}: is not a regular file; refusing to use it as a corpus (choose another --db)")
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise CorpusUnusable(f"{path}: cannot read corpus ({exc.strerror})") from None
    if head and head != _SQLITE_MAGIC:
        raise CorpusUnusable(f"{path}: is not a corpus (not an SQLite database); refusing to overwrite it")


def _check_permissions(path: Path) -> None:
    """Refuse to write where we may not, before SQLite leaves -wal and -shm files behind."""
    if path.exists() and not os.access(path, os.W_OK):
        raise CorpusUnusable(f"{path}: corpus is read-only; make it writable or choose another --db")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise CorpusUnusable(
            f"{path}: its directory is read-only (a corpus keeps -wal and -shm files next to it);"
            " make it writable or choose another --db"
        )


def insert_findings(
    conn: sqlite3.Connection, findings: Iterable[tuple[str, str, str, str, list[Any], Iterable[str]]], created_at: str
) -> None:
    """Store findings given as (id, verdict, subject, predicate, sides, doc ids); an id stored before is replaced."""
    conn.executemany(
        "INSERT OR REPLACE INTO findings (id, verdict, subject, predicate, sides, docs, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                fid,
                verdict,
                subject,
                predicate,
                json.dumps(sides, ensure_ascii=False),
                " ".join(sorted(set(docs))),
                created_at,
            )
            for fid, verdict, subject, predicate, sides, docs in findings
        ],
    )


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's failures into CorpusUnusable with a message that names the fix."""
    try:
        yield
    except sqlite3.ProgrammingError:
        raise  # misuse of the API is our bug, not the corpus's state: an internal error
    except sqlite3.DatabaseError as exc:
        raise unusable(path, exc) from None


def unusable(path: Path, exc: sqlite3.DatabaseError) -> CorpusUnusable:
    """The CorpusUnusable (exit 3) that SQLite's error `exc` on the corpus at `path` means."""
    if isinstance(exc, sqlite3.OperationalError):
        return CorpusUnusable(f"{path}: {_explain(str(exc))}")
    return CorpusUnusable(f"{path}: corpus is damaged or not a corpus ({exc})")


def _explain(message: str) -> str:
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return "corpus is locked by another cmcc-corpus process; wait for it to finish or raise --timeout"
    if "readonly" in lowered or "read-only" in lowered:
        return "corpus is read-only; make it writable or choose another --db"
    if "full" in lowered:
        return "disk or corpus size limit is full; nothing from this batch was stored (free space and re-run)"
    if "unable to open" in lowered:
        return "cannot open the corpus file (check the path and its directory's permissions)"
    if "i/o error" in lowered:
        return f"{message} while using the corpus; nothing from this batch was stored (check the disk and re-run)"
    return f"corpus error: {message}"
