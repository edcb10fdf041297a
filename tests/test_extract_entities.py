"""Gazetteer entities: one entity per span, and a name that fits several entities ("Korea",
Arabic عمان for Oman or Amman, "the plan") resolved by what the article itself says."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from cmcc_corpus.extract.gazetteer import aliases
from cmcc_corpus.extract.pipeline import annotate
from cmcc_corpus.normalize import fold_text


def _entities(lang: str, text: str) -> list[tuple[str, str, str]]:
    """(quote, type, entity) for every entity span, in text order."""
    doc = annotate(lang, text, "2025-10-20")
    spans = sorted(doc.spans["entities"], key=lambda s: (s.start, s.end))
    return [(s.text, s.label_, s._.value) for s in spans]


@pytest.mark.parametrize(
    ("text", "korea"),
    [
        # Named outright elsewhere in the article: that is the Korea meant.
        ("South Korea said on Monday it would send engineers. Officials in Korea confirmed it.", ["KOR"]),
        ("North Korea test-fired a missile on Monday. Officials in Korea said it was a test.", ["PRK"]),
        # Both or neither named: the article does not say which, so no country is claimed.
        ("South Korea and North Korea sent envoys. Officials in Korea disagreed.", []),
        ("Delegations from Japan and Korea met in Cairo.", []),
    ],
)
def test_korea_is_the_korea_the_article_names_or_none(text: str, korea: list[str]) -> None:
    found = _entities("en", text)
    assert [value for quote, _, value in found if quote == "Korea"] == korea
    if "Japan" in text:
        assert ("Japan", "country", "JPN") in found and ("Cairo", "place", "Cairo") in found


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        # Jordan named: عمان is its capital, Amman (a place), not Oman.
        ("أعلن الأردن دعمه للخطة، وقال مسؤول في عمان إن القوة ستصل قريبا.", [("place", "Amman")]),
        # Oman named in full: the short form is Oman.
        ("قالت سلطنة عمان إنها ستشارك، وأكد مسؤول في عمان ذلك.", [("country", "OMN")]),
        # Nothing says which.
        ("وصل الوفد إلى عمان أمس.", []),
    ],
)
def test_arabic_amman_or_oman_follows_the_article(text: str, reading: list[tuple[str, str]]) -> None:
    assert [(kind, value) for quote, kind, value in _entities("ar", text) if quote == "عمان"] == reading


def test_a_back_reference_means_the_nearest_entity_named_before_it() -> None:
    text = (
        "The Arab reconstruction plan was discussed in March. In October the Trump Gaza peace plan "
        "was announced. Critics said the plan left out Gaza."
    )
    assert [v for q, _, v in _entities("en", text) if q == "the plan"] == ["Trump Gaza peace plan"]
    before = "The Trump Gaza peace plan was announced in October. The Arab reconstruction plan came first."
    assert [v for q, _, v in _entities("en", before + " Critics said the plan was better.") if q == "the plan"] == [
        "Arab reconstruction plan"
    ]


def test_every_sample_span_is_one_entity_whose_value_is_its_own(
    samples: Path, manifest: dict[str, dict[str, str]]
) -> None:
    """Two Spans over the same characters share their extension values: a second entity there
    would overwrite the first one's value (a "Korea" span read PRK with the value KOR)."""
    assert manifest
    for row in manifest.values():
        text = (samples / row["file"]).read_text(encoding="utf-8")
        doc = annotate(row["lang"], text, row.get("published"))
        spans = list(doc.spans["entities"])
        assert spans, row["file"]
        assert len({(s.start, s.end) for s in spans}) == len(spans), row["file"]
        assert all(s._.value == s.kb_id_ for s in spans), row["file"]


def test_a_name_shared_by_two_entities_is_marked_ambiguous_in_each() -> None:
    """The resolution above needs the data to say so: a shared name that is a plain alias of
    one entity would always win over the other and never be questioned."""
    readers: dict[tuple[str, str], set[tuple[str, str, bool]]] = defaultdict(set)
    for alias in aliases(""):
        if not alias.blocker:
            key = (alias.lang, fold_text(alias.text).lower())
            readers[key].add((alias.type, alias.id, alias.ambiguous or alias.refers_back))
    shared = {k: v for k, v in readers.items() if len({(t, i) for t, i, _ in v}) > 1}
    assert ("en", "korea") in shared
    plain = {k: sorted(v) for k, v in shared.items() if not all(flagged for _, _, flagged in v)}
    assert plain == {}
