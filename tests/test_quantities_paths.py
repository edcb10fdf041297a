"""Quantity paths that read only a few tokens for speed, checked against the whole-doc rule they replace."""

from __future__ import annotations

import pytest

from cmcc_corpus.extract.numbers import as_word
from cmcc_corpus.extract.pipeline import annotate, folded_text, get_pipeline


def _durations(lang: str, text: str) -> list[tuple[str, str]]:
    doc = annotate(lang, text, "2025-11-25")
    return [(span._.value, span.text) for span in doc.spans["values"] if span.label_ == "duration"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("600 trucks a day", []),  # right after a number's words: "per"
        ("600 aid trucks a day", []),  # two words after the number: still "per"
        ("600 aid trucks arrived a day later", [("P1D", "a day")]),  # three words: one day
        ("600 trucks, a day later", [("P1D", "a day")]),  # a comma breaks the reach
        ("They waited a day.", [("P1D", "a day")]),  # no number at all
    ],
)
def test_article_after_a_number_is_per(text: str, expected: list[tuple[str, str]]) -> None:
    assert _durations("en", text) == expected


def test_arabic_hidden_number_words_match_a_token_by_token_reading() -> None:
    """Only tokens starting with و or ؤ are looked at: the result equals asking every token."""
    nlp = get_pipeline("ar")
    finder = nlp.get_pipe("cmcc_quantities")
    text = "وصل خمسة وعشرون جنديا وواحد من الضباط ثم ؤاحد آخر، وقال وزير إن واحدا عاد وثلاثة بقوا."
    doc = nlp(text)
    expected = {}
    for token in doc:
        if token.text[:1] in "وؤ":
            word = as_word(token.norm_, folded_text(token.text) or token.norm_, False, finder.lex)
            if (word.norm, word.conj) != (token.norm_, False):
                expected[token.i] = (word.norm, word.conj)
    words = finder.words(doc)
    assert {i: (w.norm, w.conj) for i, w in words.replaced.items()} == expected
    assert len(expected) >= 4  # the sentence does hide number words (وعشرون, وواحد, ؤاحد, وثلاثة)
