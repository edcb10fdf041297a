"""Quantities, money and durations in English: the samples phrase by phrase, then edge cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmcc_corpus.extract.components import span_offsets
from cmcc_corpus.extract.numbers import Word, find_numbers, number_lexicon, parse_digits
from cmcc_corpus.extract.pipeline import annotate
from cmcc_corpus.extract.profile import registered
from cmcc_corpus.extract.quantities import iso_duration

Row = tuple[str, Any, str | None, str, str]  # label, value, unit, qualifier, evidence


def values(text: str, lang: str = "en", published: str | None = "2025-10-17") -> list[Row]:
    """(label, value, unit, qualifier, evidence) of every value span, in text order."""
    doc = annotate(lang, text, published)
    rows = []
    for span in doc.spans["values"]:
        start, end = span_offsets(span)
        rows.append((span.label_, span._.value, span._.unit, span._.qualifier, doc.text[start:end]))
    return rows


# -- the samples -------------------------------------------------------------------------

SAMPLE_VALUES: dict[str, list[Row]] = {
    "000_f0c207929c95f00c.txt": [],
    "001_71d2b15bbf6c0817.txt": [
        ("quantity", 14, "countries", "exact", "14 countries"),
        ("quantity", 20, "ngos", "exact", "20 non-governmental organizations"),
        ("duration", "P17D", None, "exact", "17 days"),
        ("duration", "P5D", None, "exact", "five days"),
        ("duration", "P2Y", None, "exact", "two years"),
    ],
    "002_4acb3fe92059d304.txt": [],
    "003_a592e5e37fee6a75.txt": [
        ("quantity", 200, "personnel", "up_to", "up to 200 troops"),
        ("money", 67_000_000_000, "USD", "exact", "$67 billion"),
        ("duration", "P5Y", None, "exact", "five years"),
    ],
    "004_b0e036cefecd7514.txt": [
        ("quantity", 200, "personnel", "about", "about 200 personnel"),
        ("quantity", 20, "hostages", "exact", "20 living hostages"),
        ("quantity", 2, "bodies", "exact", "two more bodies"),
        ("quantity", 10, "bodies", "exact", "raising the total to 10"),
    ],
}


def _sample(samples: Path, manifest: dict[str, dict[str, str]], name: str) -> list[Row]:
    row = manifest[name]
    return values((samples / name).read_text(encoding="utf-8"), row["lang"], row["published"])


@pytest.mark.parametrize("name", sorted(SAMPLE_VALUES))
def test_samples_phrase_by_phrase(samples: Path, manifest: dict[str, dict[str, str]], name: str) -> None:
    assert _sample(samples, manifest, name) == SAMPLE_VALUES[name]


def test_samples_match_the_shared_gold(samples: Path, manifest: dict[str, dict[str, str]], shared: Path) -> None:
    gold: set[tuple[str, str, Any, str | None]] = set()
    for line in (shared / "gold" / "seeds.gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("kind") == "mention" and row["type"] in ("quantity", "money", "duration"):
            gold.add((row["doc"], row["type"], row["value"], row.get("unit")))
    found = {
        (name, label, value, unit) for name in manifest for label, value, unit, _, _ in _sample(samples, manifest, name)
    }
    assert found == gold


# -- quantities --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Washington has committed up to 200 troops to the effort.",
            [("quantity", 200, "personnel", "up_to", "up to 200 troops")],
        ),
        (
            "The Pentagon sent 200 US troops and about 1,500 service members.",
            [
                ("quantity", 200, "personnel", "exact", "200 US troops"),
                ("quantity", 1500, "personnel", "about", "about 1,500 service members"),
            ],
        ),
        (
            "Delegates from 14 countries and 20 NGOs attended.",
            [("quantity", 14, "countries", "exact", "14 countries"), ("quantity", 20, "ngos", "exact", "20 NGOs")],
        ),
        (
            "Some 300 aid trucks entered Gaza, and at least 600 trucks a day are needed.",
            [
                ("quantity", 300, "trucks", "about", "Some 300 aid trucks"),
                ("quantity", 600, "trucks", "at_least", "at least 600 trucks"),
            ],
        ),
        (
            "More than 20 of the hostages were freed, along with 1,000 civilians.",
            [
                ("quantity", 20, "hostages", "more_than", "More than 20 of the hostages"),
                ("quantity", 1000, "civilians", "exact", "1,000 civilians"),
            ],
        ),
        (
            "No fewer than 40 countries signed; 200+ troops deployed; 20 NGOs or so took part.",
            [
                ("quantity", 40, "countries", "at_least", "No fewer than 40 countries"),
                ("quantity", 200, "personnel", "more_than", "200+ troops"),
                ("quantity", 20, "ngos", "about", "20 NGOs or so"),
            ],
        ),
        (
            "Twenty-five soldiers and three hundred and twenty troops arrived.",
            [
                ("quantity", 25, "personnel", "exact", "Twenty-five soldiers"),
                ("quantity", 320, "personnel", "exact", "three hundred and twenty troops"),
            ],
        ),
        (
            "Nearly 24 thousand troops and a further 8,000 personnel were mobilised.",
            [
                ("quantity", 24000, "personnel", "nearly", "Nearly 24 thousand troops"),
                ("quantity", 8000, "personnel", "exact", "8,000 personnel"),
            ],
        ),
        (
            "Egypt helped recover the remains of four hostages.",
            [("quantity", 4, "bodies", "exact", "the remains of four hostages")],
        ),
        ("One soldier was killed.", [("quantity", 1, "personnel", "exact", "One soldier")]),
    ],
)
def test_quantities(text: str, expected: list[Row]) -> None:
    assert values(text) == expected


def test_running_total_takes_the_unit_of_the_sentence() -> None:
    text = (
        "Israel has identified two more bodies, raising the total to 10. "
        "Officials said the total to date was unclear, bringing the total to 12."
    )
    assert values(text) == [
        ("quantity", 2, "bodies", "exact", "two more bodies"),
        ("quantity", 10, "bodies", "exact", "raising the total to 10"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "This includes a deputy commander and a small number of UK planning officers.",
        "US officials held talks with several countries and dozens of NGOs.",
        "A ministry spokesperson said the team includes a two-star deputy commander.",
        "Trump's 20-point Gaza peace plan and a three-phase reconstruction plan.",
        "One of the soldiers was hurt; one US official was quoted by Axios.",
        "Over half its buildings are damaged, and the 200km road is closed.",
        "Since its launch on October 17, the CMCC has engaged in media outreach.",
        "No American boots on Gaza soil, officials said on Fri Oct 17 2025.",
        "The 4th battalion flew F-16 jets over 5m people.",
    ],
)
def test_not_quantities(text: str) -> None:
    assert values(text) == []


# -- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a reconstruction plan worth $67 billion", [("money", 67_000_000_000, "USD", "exact", "$67 billion")]),
        ("a plan worth $67bn", [("money", 67_000_000_000, "USD", "exact", "$67bn")]),
        ("roughly €5m in aid", [("money", 5_000_000, "EUR", "about", "roughly €5m")]),
        ("3.5 million dollars were pledged", [("money", 3_500_000, "USD", "exact", "3.5 million dollars")]),
        (
            "over £2 billion and US$ 30 million",
            [
                ("money", 2_000_000_000, "GBP", "more_than", "over £2 billion"),
                ("money", 30_000_000, "USD", "exact", "US$ 30 million"),
            ],
        ),
        (
            "Qatar pledged 500 million Qatari riyals",
            [("money", 500_000_000, "QAR", "exact", "500 million Qatari riyals")],
        ),
        (
            "$67 billion and 200 troops",
            [
                ("money", 67_000_000_000, "USD", "exact", "$67 billion"),
                ("quantity", 200, "personnel", "exact", "200 troops"),
            ],
        ),
    ],
)
def test_money(text: str, expected: list[Row]) -> None:
    assert values(text) == expected


# -- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it would take 17 days to establish the center", [("duration", "P17D", None, "exact", "17 days")]),
        ("it opened just five days after the agreement", [("duration", "P5D", None, "exact", "five days")]),
        (
            "a 17-day estimate and a five-year plan",
            [("duration", "P17D", None, "exact", "17-day"), ("duration", "P5Y", None, "exact", "five-year")],
        ),
        ("set to run over five years", [("duration", "P5Y", None, "exact", "five years")]),
        (
            "a 72-hour truce after 24 hours of talks",
            [("duration", "PT72H", None, "exact", "72-hour"), ("duration", "PT24H", None, "exact", "24 hours")],
        ),
        ("nearly two and a half years of war", [("duration", "P2.5Y", None, "nearly", "nearly two and a half years")]),
        ("talks lasted an hour and a half", [("duration", "PT1.5H", None, "exact", "an hour and a half")]),
        (
            "the pause lasted 1 year 1 month 21 days",
            [("duration", "P1Y1M21D", None, "exact", "1 year 1 month 21 days")],
        ),
        (
            "a truce for a fortnight, then two decades of peace",
            [("duration", "P2W", None, "exact", "a fortnight"), ("duration", "P20Y", None, "exact", "two decades")],
        ),
        ("I'll leave for 3.5years", [("duration", "P3.5Y", None, "exact", "3.5years")]),
    ],
)
def test_durations(text: str, expected: list[Row]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "600 trucks a day",
        "$5 million a year",
        "twice a day",
        "in the next few weeks",
        "expected to become operational in coming days",
        "the second day of talks",
        "a 13-year-old boy was hurt",
        "Sims was 20 years old",
        "a decades-long dispute",
    ],
)
def test_not_durations(text: str) -> None:
    assert [row for row in values(text) if row[0] == "duration"] == []


def test_iso_duration_orders_date_and_time_parts() -> None:
    assert iso_duration(((False, "D", 2), (False, "M", 1))) == "P1M2D"
    assert iso_duration(((True, "H", 1.5),)) == "PT1.5H"
    assert iso_duration(((False, "Y", 0.5), (True, "M", 30))) == "P0.5YT30M"


def test_spans_carry_rule_and_confidence() -> None:
    doc = annotate("en", "Washington has committed up to 200 troops.", "2025-10-01")
    (span,) = doc.spans["values"]
    assert span._.rule == "count" and 0 < span._.confidence <= 1


# -- the number reader -------------------------------------------------------------------

EN = number_lexicon(registered("")["numbers"], "en")


def read(text: str) -> list[float]:
    """Values the reader finds in space-separated `text` (hyphens split like the tokenizer)."""
    words = [Word(w) for w in text.lower().replace("-", " - ").split()]
    return [r.value for r in find_numbers(words, EN) if not r.ambiguous]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("twenty-five", [25]),
        ("three hundred and twenty", [320]),
        ("a dozen", [12]),
        ("24 thousand", [24000]),
        ("67bn", [67_000_000_000]),
        ("8,000", [8000]),
        ("3.5", [3.5]),
        ("one and a half", [1.5]),
        ("two and a half million", [2_500_000]),
        ("a thousand", [1000]),
        ("1,234,567", [1234567]),
        (".08", [0.08]),
        ("half a million", [500_000]),
        ("4,800 and 12", [4800, 12]),
        ("twenty one thousand three hundred", [21300]),
        ("2025 200", [2025, 200]),
    ],
)
def test_number_reader(text: str, expected: list[float]) -> None:
    assert read(text) == expected


def test_lone_ambiguous_words_are_flagged() -> None:
    (one,) = find_numbers([Word("one")], EN)
    assert one.ambiguous and one.value == 1


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_digits(f"{n:,}") == n


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=99))
def test_decimals_round_trip(whole: int, cents: int) -> None:
    assert parse_digits(f"{whole}.{cents:02d}") == pytest.approx(whole + cents / 100)
