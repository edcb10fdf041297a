"""Folding for matching: what it unifies, and that offsets always map back."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from cmcc_corpus.normalize import (
    _ONE_TO_ONE,
    _SPECIAL,
    collapse_space,
    fold,
    fold_text,
    hash_form,
    search_form,
    special_runs,
)


def test_arabic_forms_fold_together() -> None:
    assert fold_text("إسرائيل") == fold_text("اسرائيل") == fold_text("إسرائیل".replace("ی", "ي"))
    assert fold_text("أميركا") == fold_text("اميركا")
    assert fold_text("غزة") == fold_text("غزه")
    assert fold_text("مُحَمَّد") == "محمد"  # harakat removed
    assert fold_text("غـــزة") == fold_text("غزة")  # tatweel removed


def test_digits_and_typography() -> None:
    assert fold_text("١٧ أكتوبر ۲۰۲۵") == "17 اكتوبر 2025"
    assert fold_text("“quoted” — dash ‘x’") == "\"quoted\" - dash 'x'"
    assert fold_text("1\u00a0000") == "1 000"


def test_controls_dropped_but_offsets_kept() -> None:
    text = "\u202bكريات\u200f غات\u202c"
    folded = fold(text)
    assert folded.text == "كريات غات"
    start = folded.text.index("غات")
    s, e = folded.span(start, start + 3)
    assert text[s:e] == "غات"


def test_presentation_forms_and_decomposed_hamza() -> None:
    assert fold_text("\ufefb") == "لا"  # lam-alef ligature
    assert fold_text("\ufe8d\ufee0") == fold_text("ال")
    decomposed = "\u0627\u0654"  # alef + combining hamza above
    assert fold_text(decomposed) == fold_text("\u0623") == "ا"
    assert fold_text("e\u0301") == "é"


def test_span_maps_through_expansions_and_compositions() -> None:
    text = "x\ufefby e\u0301t\u0301"
    folded = fold(text)
    assert folded.text == "xلاy é" + unicodedata.normalize("NFC", "t\u0301")
    s, e = folded.span(1, 3)  # the two letters that came from one ligature
    assert text[s:e] == "\ufefb"
    i = folded.text.index("é")
    assert text[slice(*folded.span(i, i + 1))] == "e\u0301"


def test_search_and_hash_forms() -> None:
    assert search_form("Kiryat GAT") == "kiryat gat"
    assert hash_form("  a\r\n\n b\t") == "a b"


_MIXED = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ 019.,\n")
        + list("اأإآبتةىيئؤء غزكريات")
        + list("٠١٢۳۴")
        + [
            "\u064e",
            "\u0651",
            "\u0640",
            "\u200f",
            "\u202b",
            "\u2067",
            "\u200d",
            "\u0301",
            "\u0654",
            "\ufefb",
            "\ufe8d",
            "\u201c",
            "\u2014",
            "\U0001f600",
        ]
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_MIXED)
def test_fold_is_idempotent(text: str) -> None:
    once = fold_text(text)
    assert fold_text(once) == once


@settings(max_examples=300, deadline=None)
@given(_MIXED, st.data())
def test_every_span_maps_inside_the_original(text: str, data: st.DataObject) -> None:
    folded = fold(text)
    n = len(folded.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    s, e = folded.span(start, end)
    assert 0 <= s <= len(text) and 0 <= e <= len(text)
    if end > start:
        assert s < e
        # the original span, folded again, contains the folded span
        assert folded.text[start:end] in fold_text(text[s:e])


@settings(max_examples=500, deadline=None)
@given(_MIXED)
def test_the_fast_scan_finds_the_runs_the_full_pattern_finds(text: str) -> None:
    """`special_runs` starts `_SPECIAL` only near characters that can begin a run; it must
    find exactly what trying the pattern at every position finds (lone marks included)."""
    assert [m.span() for m in special_runs(text)] == [m.span() for m in _SPECIAL.finditer(text)]
    if not any(True for _ in _SPECIAL.finditer(text)):
        assert fold(text).text == text.translate(_ONE_TO_ONE)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\n\x1c\x85\xa0\u2028\u3000\u200bab"))))
def test_collapse_space_is_the_regex_it_replaces(text: str) -> None:
    """Content ids hash the collapsed text: it must not change for any whitespace."""
    assert collapse_space(text) == re.sub(r"\s+", " ", text).strip()


def test_lone_combining_marks_fold_without_a_map() -> None:
    """A combining mark with no base starts no run: the text folds one-to-one, no segments."""
    for text in ("\u0301", "\u0301a."):
        assert fold(text).segments == ()
    assert fold("e\u0301\u0301x").segments != ()  # a base and its marks is a run


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_fold_never_raises_on_any_unicode(text: str) -> None:
    folded = fold(text)
    assert folded.to_original_end(len(folded.text)) <= len(text)


def test_text_folded_to_nothing_maps_offsets_into_range() -> None:
    """Found by hypothesis: a lone soft hyphen folds to "", and offsets past it must not
    point past the (empty) folded text; an empty span stays empty."""
    folded = fold("\xad")
    assert folded.text == "" and folded.to_folded(1) == 0
    s, e = fold("\xad0").span(0, 0)
    assert s == e
