"""Properties over arbitrary input (hypothesis; the `ci` profile in conftest.py keeps it small).

Text mixes Arabic, presentation forms, Latin, both kinds of Arabic-Indic digits, bidi and
zero-width controls, tatweel, combining marks, any other code point, and words the
extractors know; bytes are anything at all. Whatever comes in, the library raises only
its own errors, folding is idempotent and maps back to the original, stored text is
exactly the decoded text, and ingesting the same input twice changes nothing.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmcc_corpus.article import prepare
from cmcc_corpus.decode import DecodeOptions, archive_kind, declared_charset, decode
from cmcc_corpus.errors import CorpusError, InputError
from cmcc_corpus.extract.run import extract
from cmcc_corpus.extract.service import as_input
from cmcc_corpus.formats import FORMATS, Record, read
from cmcc_corpus.ingest import IngestOptions, ingest
from cmcc_corpus.normalize import fold, fold_text
from cmcc_corpus.store import Corpus

BIDI_AND_ZERO_WIDTH = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u200b\u200c\u200d\u2060"
WORDS = [
    "CMCC",
    "Kiryat Gat",
    "the United States",
    "committed up to 200 troops",
    "opened on October 17, 2025",
    "$67 billion",
    "five years",
    "Gaza",
    "Israel",
    "الولايات المتحدة",
    "مركز التنسيق المدني العسكري",
    "كريات غات",
    "١٧ أكتوبر ٢٠٢٥",
    "٢٠٠ جندي",
    "إسرائيل",
    "غزة",
    ". ",
    "\n\n",
]
CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),  # Arabic, digits, harakat, tatweel
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),  # presentation forms A
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFC),  # presentation forms B
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining marks
    st.sampled_from(list(BIDI_AND_ZERO_WIDTH + "\u0640\ufeff\u00ad\u00a0\u0654\u0655\u0670")),
    st.sampled_from(list("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ \n\t\r")),
    st.characters(blacklist_categories=("Cs",)),  # anything else a str can hold
)
MIXED = st.lists(st.one_of(st.text(CHARACTERS, min_size=1, max_size=12), st.sampled_from(WORDS)), max_size=30).map(
    "".join
)
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- normalization -------------------------------------------------------------------------


@given(MIXED)
def test_fold_is_idempotent(text: str) -> None:
    once = fold_text(text)
    assert fold_text(once) == once


@given(MIXED, st.data())
def test_folded_spans_map_back_into_the_original(text: str, data: st.DataObject) -> None:
    folded = fold(text)
    n = len(folded.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    s, e = folded.span(start, end)
    assert 0 <= s <= e <= len(text)
    if end > start:
        assert folded.text[start:end] in fold_text(text[s:e])
    for i in range(n):  # every folded character comes from somewhere in the original
        assert 0 <= folded.to_original(i) < len(text)
    for original in range(len(text) + 1):
        assert 0 <= folded.to_folded(original) <= n


@given(MIXED)
def test_bidi_and_zero_width_controls_never_reach_matching(text: str) -> None:
    assert not set(fold_text(text)) & set(BIDI_AND_ZERO_WIDTH + "\u0640\ufeff")


# -- decoding ----------------------------------------------------------------------------------


@given(st.binary(max_size=400), st.booleans())
def test_decode_any_bytes_raises_only_input_error_and_loses_nothing(data: bytes, html: bool) -> None:
    try:
        text = decode(data, "x.txt", html=html)
    except InputError as exc:
        assert exc.path == "x.txt" and exc.reason
        return
    text.encode("utf-8")  # never a lone surrogate
    boms = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8")]
    boms += [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
    bom = next(((b, c) for b, c in boms if data.startswith(b)), None)
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if bom:
        assert bom[0] + text.encode(bom[1]) == data  # only the BOM is taken off
    elif utf8 is not None:
        assert text == utf8  # valid UTF-8 is taken byte for byte
    else:  # an HTML page in the charset it declares, decoded strictly
        charset = declared_charset(data)
        assert html and charset and text == data.decode(charset)


@given(st.binary(max_size=300), st.sampled_from(["cp1256", "latin-1", "utf-16", "utf-8"]), st.booleans())
def test_decode_with_options_raises_only_input_error(data: bytes, encoding: str, replace: bool) -> None:
    options = DecodeOptions(encoding, "replace" if replace else "strict")
    with suppress(InputError):
        decode(data, "x.txt", options).encode("utf-8")


@given(MIXED.filter(lambda t: not any(c < " " and c not in "\n\t\r" for c in t)))
def test_text_is_never_taken_for_an_archive(text: str) -> None:
    assert archive_kind(text.encode("utf-8")) is None
    padded = ("x" * 257 + "ustar " + text).encode("utf-8")  # the tar magic alone, as prose might hold it
    assert archive_kind(padded.ljust(512, b" ")) is None


# -- reading, preparing, extracting -------------------------------------------------------------


@SLOW
@given(MIXED, st.sampled_from(FORMATS))
def test_readers_prepare_and_extraction_raise_only_our_errors(text: str, fmt: str) -> None:
    for record in read(text, "in.x", "in.x", fmt):  # a bad item is reported in the stream, never raised
        if isinstance(record, InputError):
            assert record.path.startswith("in.x") and record.reason
            continue
        assert isinstance(record, Record)
        try:
            article = prepare(record)
        except CorpusError as exc:  # only ever our own error, saying which input
            assert isinstance(exc, InputError) and exc.path.startswith("in.x")
            continue
        assert article.text == record.text  # stored as read: folding is for matching only
        for p in article.paragraphs:
            assert 0 <= p.start <= p.end <= len(article.text)
        for s in article.sentences:
            assert 0 <= s.start <= s.end <= len(article.text)
        [result] = extract([as_input(article)])
        for m in (*result.mentions, *result.claims):
            assert 0 <= m.start <= m.end <= len(article.text)
            assert m.text == article.text[m.start : m.end], (m, article.text)


# -- ingest ------------------------------------------------------------------------------------


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory per example (pytest's tmp_path is shared by all examples)."""
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def fingerprint(db: Path) -> str:
    import sqlite3

    digest = hashlib.sha256()
    with closing(sqlite3.connect(db)) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            if not table.startswith("documents_fts"):
                for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2'):
                    digest.update(repr(row).encode())
    return digest.hexdigest()


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(MIXED, min_size=1, max_size=4), st.booleans())
def test_ingesting_twice_changes_nothing_and_text_round_trips(texts: list[str], bom: bool) -> None:
    with scratch() as d:
        names = []
        for i, text in enumerate(texts):
            path = d / f"t{i}.txt"
            path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
            names.append(str(path))
        with Corpus.open(d / "c.db", write=True) as corpus:
            first = ingest(corpus, names, IngestOptions(jobs=1))
        rejected = {r["path"]: r["reason"] for r in first.rejections}
        for name, text in zip(names, texts, strict=True):
            stored = _stored_text(d / "c.db", name)
            if name in rejected:
                assert stored is None
                assert rejected[name].startswith(("no text", "no article text", "binary file", "NUL character", "a "))
            elif stored is not None:  # else a duplicate of an earlier text (same folded form)
                # Byte for byte; only a BOM is taken off (one written, else the text's own).
                assert stored == (text[1:] if not bom and text.startswith("\ufeff") else text)
        before = fingerprint(d / "c.db")
        with Corpus.open(d / "c.db", write=True) as corpus:
            second = ingest(corpus, names, IngestOptions(jobs=1))
        assert second.ingested == 0 and second.duplicates == first.ingested + first.duplicates
        assert second.rejections == first.rejections
        assert fingerprint(d / "c.db") == before


def _stored_text(db: Path, path: str) -> str | None:
    import sqlite3

    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT text FROM documents WHERE path = ?", (path,)).fetchone()
    return None if row is None else str(row[0])
