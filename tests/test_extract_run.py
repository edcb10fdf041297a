"""Building records from spans: fast reads must give what spaCy's own accessors give."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from spacy.tokens import Span

from cmcc_corpus.extract.components import span_offsets, token_start
from cmcc_corpus.extract.memo import Memo
from cmcc_corpus.extract.pipeline import annotate
from cmcc_corpus.extract.run import extension_values

EN = "Defence Secretary John Healey said on 17 October 2025 that about 200 US troops would stay for two years."
AR = "قال وزير الدفاع إن نحو 200 جندي وصلوا إلى غزة يوم 17 أكتوبر 2025 لمدة عامين وللولايات المتحدة دور."
NAMES = ("value", "rule", "confidence", "unit", "qualifier", "derived", "partial", "en")
CLAIM_NAMES = ("subject", "predicate", "modality", "as_of")


def _spans(lang: str, text: str) -> Iterator[Span]:
    doc = annotate(lang, text, "2025-10-20")
    for group in ("entities", "people", "values", "dates", "claims"):
        yield from doc.spans.get(group, ())


@pytest.mark.parametrize(("lang", "text"), [("en", EN), ("ar", AR)])
def test_extension_values_are_what_the_accessor_reads(lang: str, text: str) -> None:
    spans = list(_spans(lang, text))
    assert {s.label_ for s in spans} >= {"quantity", "date", "duration"}
    for span in spans:
        assert extension_values(span, NAMES + CLAIM_NAMES) == {n: getattr(span._, n) for n in NAMES + CLAIM_NAMES}


def test_extension_values_run_a_getter_and_copy_a_mutable_default() -> None:
    Span.set_extension("test_length", getter=len, force=True)
    Span.set_extension("test_notes", default=[], force=True)
    try:
        span = next(_spans("en", EN))
        values = extension_values(span, ("test_length", "test_notes"))
        assert values == {"test_length": len(span), "test_notes": []}
        values["test_notes"].append("kept")  # spaCy stored the copy in the doc, as on a plain read
        assert span._.test_notes == ["kept"]
    finally:
        Span.remove_extension("test_length")
        Span.remove_extension("test_notes")


def test_span_offsets_leave_out_a_proclitic_only_where_there_is_one() -> None:
    spans = list(_spans("ar", AR))
    for span in spans:
        assert span_offsets(span) == (token_start(span[0]), span.end_char)
    assert any(span_offsets(s)[0] > s.start_char for s in spans)  # وللولايات: the quote starts at the name


def test_memo_computes_each_key_once_and_stays_bounded() -> None:
    calls: list[int] = []
    memo = Memo(lambda k: calls.append(k) or k * 2, limit=3)
    assert list(map(memo.__getitem__, [1, 2, 1, 3, 2])) == [2, 4, 2, 6, 4]
    assert calls == [1, 2, 3]
    assert memo[4] == 8 and len(memo) == 1  # full: forgotten all at once, then remembered anew
