"""Extraction over a long stream keeps its vocabulary bounded (spaCy memory zones)."""

from __future__ import annotations

import pytest

from cmcc_corpus.extract import run
from cmcc_corpus.extract.pipeline import annotate, get_pipeline
from cmcc_corpus.extract.run import ArticleInput, extract

RARE = "Zorvexian"  # a made-up word no data file or earlier test holds


def _article(text: str) -> ArticleInput:
    return ArticleInput(text=text, lang="en", paragraphs=((0, len(text), "body"),), published="2025-10-20")


TEXT = f"Defence Secretary John Healey said {RARE} officials would send up to 200 troops on 17 October 2025."


def _strings_after_extracting(monkeypatch: pytest.MonkeyPatch, warm_docs: int, word: str) -> tuple[bool, object]:
    monkeypatch.setattr(run, "_WARM_DOCS", warm_docs)
    (found,) = list(extract([_article(TEXT.replace(RARE, word))]))
    strings = get_pipeline("en").vocab.strings
    return word in strings or word.lower() in strings, found


def test_words_first_seen_inside_a_zone_are_forgotten_and_results_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    kept_in_zone, zoned = _strings_after_extracting(monkeypatch, 0, RARE + "ic")
    kept_warm, warm = _strings_after_extracting(monkeypatch, 10**9, RARE + "al")
    assert not kept_in_zone  # freed with the zone: memory does not grow with every new word
    assert kept_warm  # read while warming up: kept, like the common words of every article
    assert repr(zoned).replace(RARE + "ic", "X") == repr(warm).replace(RARE + "al", "X")
    values = {(m.type, str(m.value)) for m in zoned.mentions}  # type: ignore[attr-defined]
    assert {("person", "John Healey"), ("date", "2025-10-17"), ("quantity", "200")} <= values


def test_pipeline_still_reads_words_whose_strings_a_zone_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The normalizer remembers string ids; after a zone frees them it must not reuse them."""
    monkeypatch.setattr(run, "_WARM_DOCS", 0)
    # Folding drops the soft hyphen: only the normalizer ever adds the string "qelmorath".
    text = "Qel\u00admorath troops: 300 soldiers arrived in Qel\u00admorath on 3 November 2025."
    list(extract([_article(text)]))
    doc = annotate("en", text, "2025-11-04")  # outside any zone, after one ended
    assert [t.norm_ for t in doc][:1] == ["qelmorath"]
    assert {str(s._.value) for s in doc.spans["dates"]} == {"2025-11-03"}
