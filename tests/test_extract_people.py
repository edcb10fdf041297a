"""The people component on edge cases of real article text (the seeds are covered by evaluate)."""

from __future__ import annotations

import pytest

from cmcc_corpus.extract.pipeline import annotate


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # Found at 100,000 generated articles: a title as the very last token of the text
        # made the name finder look one token past the end (an internal error for the batch).
        ("en", "He referenced Senate Judiciary Committee ranking Democratic Sen."),
        ("en", "Statement by the President"),
        ("ar", "قال الرئيس"),
    ],
)
def test_a_title_ending_the_text_is_no_error(lang: str, text: str) -> None:
    doc = annotate(lang, text)
    assert all(span.end <= len(doc) for span in doc.spans.get("people", ()))


def test_a_title_before_a_name_still_finds_the_name() -> None:
    doc = annotate("en", "The talks were led by Sen. Dianne Feinstein on Monday.")
    assert [span.text for span in doc.spans["people"]] == ["Dianne Feinstein"]


@pytest.mark.parametrize(
    "text",
    [
        "By Karsten Vollmer |",  # the byline's "|" is the last token of the text
        "Rescue teams at work [Karsten Vollmer/AFP]",
    ],
)
def test_a_byline_or_credit_starts_a_name_that_is_no_given_name(text: str) -> None:
    doc = annotate("en", text)
    assert [span.text for span in doc.spans["people"]] == ["Karsten Vollmer"]


def test_a_capital_alone_starts_no_name_without_a_cue() -> None:
    assert [span.text for span in annotate("en", "Karsten Vollmer").spans["people"]] == []
