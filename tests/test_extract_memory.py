"""Extraction over a long stream keeps its vocabulary bounded: past a size, pipelines are rebuilt."""

from __future__ import annotations

import gc
import weakref

import pytest

from cmcc_corpus import heap
from cmcc_corpus.extract import run
from cmcc_corpus.extract.pipeline import get_pipeline, pipelines_built, reset_pipelines
from cmcc_corpus.extract.run import ArticleInput, extract

TEXT = "Defence Secretary John Healey said {word} officials would send up to 200 troops on 17 October 2025."


def _article(word: str) -> ArticleInput:
    text = TEXT.format(word=word)
    return ArticleInput(text=text, lang="en", paragraphs=((0, len(text), "body"),), published="2025-10-20")


def test_a_vocabulary_past_its_bound_is_dropped_and_results_are_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    (before,) = extract([_article("Zorvexian")])
    assert "Zorvexian" in get_pipeline("en").vocab.strings  # a new word stays in the vocabulary
    built = pipelines_built()
    monkeypatch.setattr(run, "MAX_VOCABULARY", len(get_pipeline("en").vocab.strings) + 2)
    found = list(extract([_article(f"Quorblax{i}") for i in range(3)]))  # 3 new words: past the bound
    assert pipelines_built() == built  # nothing rebuilt yet: the next use builds anew
    assert "Quorblax1" not in get_pipeline("en").vocab.strings and pipelines_built() == built + 1
    (after,) = extract([_article("Zorvexian")])
    assert after == before
    assert [repr(f).replace(f"Quorblax{i}", "Zorvexian") for i, f in enumerate(found)] == [repr(before)] * 3
    values = {(m.type, str(m.value)) for m in after.mentions}
    assert {("person", "John Healey"), ("date", "2025-10-17"), ("quantity", "200")} <= values


def test_a_process_that_owns_its_heap_freezes_a_built_pipeline_and_frees_it_on_reset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap, "_OWNED", {"heap": True})
    reset_pipelines()
    collections: list[int] = []
    monkeypatch.setattr(gc, "callbacks", [lambda phase, info: collections.append(info["generation"])])
    nlp = get_pipeline("en")
    assert collections == []  # loading set off hundreds of collections, each re-scanning the load
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000  # the pipeline's objects are out of the collector's sight
    old = weakref.ref(nlp)
    del nlp
    reset_pipelines()
    assert gc.get_freeze_count() == 0
    assert old() is None  # a frozen pipeline would never have been freed


def test_a_library_caller_keeps_the_default_collector() -> None:
    assert not heap._OWNED["heap"]
    reset_pipelines()
    get_pipeline("en")
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_failed_load_leaves_the_collector_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_OWNED", {"heap": True})
    with pytest.raises(ValueError), heap.loading():
        assert not gc.isenabled()
        raise ValueError("a profile that does not parse")
    assert gc.isenabled()
    gc.unfreeze()
