"""Pairing at scale: bounded blocking work per document, look-alike crowds, bounded memory
in `align_corpus` (streamed verification, staged storage)."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmcc_corpus.align import pairing, service
from cmcc_corpus.align.pairing import DocFeatures, candidate_pairs, pair_documents
from cmcc_corpus.align.service import align_corpus, stored_pairs
from cmcc_corpus.align.units import Link
from cmcc_corpus.store import Corpus

STORY = tuple(f"lat:story{k}" for k in range(4))


def doc_id(name: str) -> str:
    """Ids are content hashes in a corpus: their order is unrelated to the documents'."""
    return "v1-" + hashlib.sha256(name.encode()).hexdigest()


def crowd(n: int, twins: bool = True, name: str = "") -> list[DocFeatures]:
    """One story told by `n` English and `n` Arabic look-alikes (as in the generated
    benchmark corpus), English i and Arabic i also sharing a number no other document has
    (`twins`), among featureless documents that make the story 2.5% of the corpus."""
    docs = []
    for i in range(n):
        for lang in ("en", "ar"):
            features = (*STORY, f"num:{1000 + i}") if twins else STORY
            docs.append(DocFeatures(doc_id(f"{name}{lang}{i}"), lang, frozenset(features), 10, 2000, None, features))
    docs += [DocFeatures(doc_id(f"{name}other{i}"), "ar", frozenset(), 10, 2000) for i in range(38 * n)]
    return docs


def counting(monkeypatch: pytest.MonkeyPatch, name: str, measure: Callable[[Any], int]) -> list[int]:
    """Record `measure(result)` of every call to pairing.`name`."""
    calls: list[int] = []
    real = getattr(pairing, name)

    def wrapper(*args: Any) -> Any:
        result = real(*args)
        calls.append(measure(result))
        return result

    monkeypatch.setattr(pairing, name, wrapper)
    return calls


@pytest.mark.parametrize("measure", ["visits", "scored"])
def test_blocking_work_per_document_does_not_grow_with_the_corpus(
    monkeypatch: pytest.MonkeyPatch, measure: str
) -> None:
    per_source = {}
    for n in (300, 1200):
        if measure == "visits":  # posting entries visited
            calls = counting(monkeypatch, "_stretch", len)
        else:  # candidates scored in full
            calls = counting(monkeypatch, "score_pair", lambda _: 1)
        found = candidate_pairs(crowd(n))
        monkeypatch.undo()
        assert len({p.source for p in found}) == n
        per_source[n] = sum(calls) / n
    # The story's lists are longer than a document may visit at both sizes: 4 x 250, plus
    # the document's own number, visited whole (it is rare).
    limit = len(STORY) * pairing._LIST_VISITS + 1 if measure == "visits" else pairing._MAX_CANDIDATES
    assert per_source[300] == per_source[1200] == limit


def test_rare_shared_features_find_the_partner_among_a_thousand_look_alikes() -> None:
    pairs = pair_documents(crowd(1200))
    twin = {doc_id(f"en{i}"): doc_id(f"ar{i}") for i in range(1200)}
    assert len(pairs) == 1200
    assert all(twin[p.source] == p.translation for p in pairs)


def test_look_alikes_do_not_all_compete_for_the_same_candidates() -> None:
    # Nothing tells these 400 English documents apart, nor the 400 Arabic ones: each
    # English document must still see its own sample of them, or one-to-one assignment
    # would leave all but a handful unpaired.
    # (Had they all the same candidates, three pairs would be made.)
    docs = crowd(400, twins=False)
    assert len({p.translation for p in candidate_pairs(docs)}) >= 0.8 * 400
    assert len(pair_documents(docs)) >= 0.7 * 400


def test_genuinely_common_features_are_not_blocked_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # The story is half of this corpus (no other documents): no list of it is visited,
    # so only the twins' own numbers bring candidates.
    docs = [d for d in crowd(100) if d.features]
    calls = counting(monkeypatch, "_stretch", len)
    found = candidate_pairs(docs)
    assert sum(calls) == 100
    assert {(p.source, p.translation) for p in found} == {(doc_id(f"en{i}"), doc_id(f"ar{i}")) for i in range(100)}


def test_candidates_do_not_depend_on_the_order_of_documents() -> None:
    docs = crowd(300, twins=False)[:600] + crowd(20, name="twins")[:40]

    def key(docs: list[DocFeatures]) -> list[tuple[str, str, float, str]]:
        return sorted((p.source, p.translation, p.score, json.dumps(p.evidence)) for p in candidate_pairs(docs))

    shuffled = docs[:]
    random.Random(1).shuffle(shuffled)
    assert key(docs) == key(shuffled)


@given(
    st.lists(
        st.builds(
            Link,
            st.lists(st.integers(1, 10**6), max_size=2).map(tuple),
            st.lists(st.integers(1, 10**6), max_size=2).map(tuple),
            st.floats(allow_nan=False),
        ),
        max_size=30,
    )
)
def test_packed_links_come_back_exactly(links: list[Link]) -> None:
    assert service._unpack(service._pack(links)) == tuple(links)


def test_stored_pairs_are_those_computed_without_storing(ingested, db: Path) -> None:  # type: ignore[no-untyped-def]
    """Verification keeps links packed and the assigned pairs are scored again from their
    features: what is stored must be exactly what a read-only run returns."""
    with Corpus.open(db, write=True) as corpus:
        computed = align_corpus(corpus, store=False)
        returned = align_corpus(corpus)
        stored = stored_pairs(corpus)
    assert [a.pair for a in returned] == [a.pair for a in computed] and len(computed) == 1
    assert returned[0].links == () and computed[0].links
    assert stored[0]["score"] == computed[0].pair.score
    assert stored[0]["evidence"] == json.loads(json.dumps(computed[0].pair.evidence))
    assert stored[0]["units"] == [[s, t] for link in computed[0].links for s in link.source for t in link.target]


def test_a_failure_while_storing_leaves_the_stored_pairs_as_they_were(
    ingested, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    with Corpus.open(db, write=True) as corpus:
        align_corpus(corpus)
        before = stored_pairs(corpus)

        def failing(*args: object) -> None:
            raise OSError("disk gone")

        monkeypatch.setattr(service, "pair_findings", failing)
        with pytest.raises(OSError):
            align_corpus(corpus)
        assert stored_pairs(corpus) == before
        tables = corpus.conn.execute("SELECT name FROM temp.sqlite_master WHERE type = 'table'").fetchall()
        assert tables == []  # the staging tables are gone too


def test_align_reads_the_units_of_each_document_once(ingested, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Units are cached while candidates are verified, and the pairs assigned are stored
    from their packed links without reading units again."""
    reads: Counter[str] = Counter()
    real = service.units_of

    def units_of(corpus: Corpus, doc_id: str) -> Any:
        reads[doc_id] += 1
        return real(corpus, doc_id)

    monkeypatch.setattr(service, "units_of", units_of)
    with Corpus.open(db, write=True) as corpus:
        align_corpus(corpus)
    assert reads and set(reads.values()) == {1}
